"""The HTTP edge: the aiohttp app, token checks, metrics and the one log line per turn."""
