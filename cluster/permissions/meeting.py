"""Permissions of the meeting itself: the register, substitutes, the chair's hand-over, and what Teams tells us.

The vote's own permissions (see the agenda, run the meeting, vote, declare an interest) are in
:mod:`~cluster.permissions.clusters`, beside the rest of a cluster's own work.
"""

from __future__ import annotations

from cluster.permissions.model import Rows
from cluster.permissions.model import permission as _p

TEAMS_MEETING = _p(
    "hear the teams meeting",
    "Hear from Teams that the channel's Teams meeting started or ended, or who joined or left it",
    None,
    Rows.CLUSTER,
    "",
    public=True,  # no person asks: Teams sends it, signed for the bot (bot.teams.auth checks the signature)
)
