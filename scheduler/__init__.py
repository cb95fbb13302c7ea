"""Scheduled jobs: review nudges, deadline reminders, agenda posting (issue 5).

Jobs will be plain async functions that take their dependencies and ``now`` and return what they did;
what is owed is derived from our tables, so a restart loses nothing. Nothing is scheduled yet.
"""
