"""Scheduled jobs and their schedule.

Jobs (``scheduler.jobs``) are plain async functions that take their dependencies and ``now`` and return what
they did; ``scheduler.runner`` runs them on APScheduler with the aiohttp app. What is owed is derived from
our tables (agendas not yet posted; review nudges, deadline reminders and meeting-day posts written once each
to the outbox), so a restart loses nothing and a second run sends nothing twice. Delivery goes through the
bot's sender, which keeps Teams' rate limits and retries what the connector refuses for now.
"""
