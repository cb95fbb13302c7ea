"""Permissions of the meeting itself: the register, substitutes, the chair's hand-over, and what Teams tells us.

The vote's own permissions (see the agenda, run the meeting, vote, declare an interest) are in
:mod:`~cluster.permissions.clusters`, beside the rest of a cluster's own work.
"""

from __future__ import annotations

from cluster.permissions.model import ACT, CO, OB, REFERRERS, SUB, A, C, D, Rows, S, T
from cluster.permissions.model import permission as _p

TEAMS_MEETING = _p(
    "hear the teams meeting",
    "Hear from Teams that the channel's Teams meeting started or ended, or who joined or left it",
    None,
    Rows.CLUSTER,
    "",
    public=True,  # no person asks: Teams sends it, signed for the bot (bot.teams.auth checks the signature)
)

# The register: "I'm here", apologies, the roll call, substitutes.
SAY_HERE = _p(
    "say I'm here",
    "Put yourself on a meeting's register as present (\"I'm here\" on the agenda)",
    (S, D, C, T, A, OB, CO, SUB, ACT),
    Rows.CLUSTER,
    "Only members of this cluster, and substitutes named for this meeting, can say they are here.",
)
SEND_APOLOGIES = _p(
    "send apologies",
    "Send your setting's apologies for the next meeting",
    REFERRERS,
    Rows.CLUSTER,
    "Only a setting's SENCO or delegate can send its apologies.",
)
ROLL_CALL = _p(
    "take the roll call",
    "Take the roll call: mark settings present or absent, add attendees by name",
    (C, A, ACT),
    Rows.CLUSTER,
    "Only the chair, an acting chair or an admin can take the roll call.",
)
NAME_SUBSTITUTE = _p(
    "name a substitute",
    "Name a colleague to attend and vote for your setting at one meeting, or withdraw them",
    (S,),
    Rows.CLUSTER,
    "Only a setting's SENCO can name a substitute for it.",
)
CONFIRM_SUBSTITUTE = _p(
    "confirm a substitute",
    "Confirm a substitute named by e-mail address",
    (A,),
    Rows.CLUSTER,
    "Only the cluster's admin can confirm a substitute.",
)

# The chair's hand-over of one meeting.
HAND_OVER_MEETING = _p(
    "hand over a meeting",
    "Hand one meeting to a vice-chair named for it (the acting chair)",
    (C, A),
    Rows.CLUSTER,
    "Only the cluster's chair or admin can hand a meeting to someone else.",
)
