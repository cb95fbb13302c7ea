"""Every topic's actions: importing this module imports each topic module, whose decorators declare them.

A new topic module is added here once; its actions then reach the router, the permission table, the help
card and the README's table with nothing else to change.
"""

from bot.actions import budget, channels, people, referrals, reviews
from bot.actions.registry import ACTIONS

TOPICS = (people, channels, budget, referrals, reviews)

__all__ = ["ACTIONS", "TOPICS"]
