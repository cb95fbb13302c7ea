"""The HTTP edge: the aiohttp app, metrics and the one log line per turn.

The Bot Framework's token checks are the Teams edge's (``bot.teams.auth``), as is reading an activity.
"""
