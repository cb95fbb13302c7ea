"""The Teams side: the aiohttp app, authentication, activity parsing, routing, replies and the CLI.

This is the only package that imports botbuilder, so that moving to its successor touches one place.
"""
