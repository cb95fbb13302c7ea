"""Every topic's actions: importing this module imports each topic module, whose decorators declare them.

A new topic module is added here once; its actions then reach the router, the permission table, the help
card and the README's table with nothing else to change.
"""

from bot.actions import (
    attendance,
    budget,
    capital,
    channels,
    citywide,
    citywide_meetings,
    clusters,
    demo,
    funding,
    ledger,
    meeting_day,
    meetings,
    people,
    provision_documents,
    provision_map,
    qa_visits,
    referrals,
    reviews,
    setting_facts,
    teams_meeting,
    what_worked,
)
from bot.actions.registry import ACTIONS

TOPICS = (
    people,
    provision_map,
    channels,
    budget,
    funding,
    meeting_day,
    attendance,
    meetings,
    citywide_meetings,
    capital,
    ledger,
    setting_facts,
    citywide,
    clusters,
    provision_documents,
    qa_visits,
    demo,
    referrals,
    reviews,
    teams_meeting,
    what_worked,
)

__all__ = ["ACTIONS", "TOPICS"]
