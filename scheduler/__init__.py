"""Scheduled jobs and their schedule.

Jobs (``scheduler.jobs``) are plain async functions that take their dependencies and ``now`` and return what
they did; ``scheduler.runner`` runs them on APScheduler with the aiohttp app. What is owed is derived from
our tables, so a restart loses nothing. Today: posting each meeting's agenda five working days before it.
Review nudges and reminders come with issue 5.
"""
