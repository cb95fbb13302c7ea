"""How to take part in a cluster meeting, by role: the steps the help cards show to those who do them.

A chair runs the meeting, an admin prepares it (channel, meetings, referrals), a setting's SENCO or delegate
votes, and the team around the cluster posts the agenda and may chair. Each person sees the steps of every
role they hold, in that order, and nothing about roles they do not hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cards.common import text
from cluster.roles import Grant, Role

Element = dict[str, Any]
BOT = "@Cluster Funding"

CHAIR_STEPS = (
    f"Post the agenda: type “{BOT} agenda” in the cluster's channel (it redraws it if already posted).",
    "Start the meeting: press “Start the meeting” on the agenda card, on the meeting's day.",
    "Open each item: press “Open the vote on …” for it; its vote card appears under the agenda.",
    "Close the vote: press “Close the vote” on the vote card once members have voted (give your casting "
    "vote on a tie).",
    "Record the decision: press “Record the decision”, choose the outcome, amount and review date; the school is told.",
    f"End the meeting: press “End the meeting” on the agenda; the minutes are posted in the channel "
    f"(“{BOT} minutes” shows them again; “minutes” in a personal chat gives the files).",
)
ADMIN_STEPS = (
    f"Link the channel: type “{BOT} link cluster NAME” in the team channel where meetings are held.",
    "Meetings: type “meetings” in a personal chat with me to add, move or cancel meetings and set their online links.",
    "Check referrals: type “referrals to check” before each deadline, and accept or return each one; "
    "accepted referrals go on the agenda.",
    f"You can post the agenda too: “{BOT} agenda” in the channel.",
)
MEMBER_STEPS = (
    "Vote: when the chair opens an item, press Approve, Decline or Abstain on its vote card in the channel "
    "(one vote per setting).",
    "Declare an interest: press “Declare an interest” on an item that concerns your setting or someone close "
    "to you; you then do not vote on it.",
)
TEAM_STEPS = (
    f"Post the agenda: “{BOT} agenda” in the channel; if you chair the meeting, run it as the chair does.",
    "Declare an interest on any item you are involved in.",
)

_GUIDES: tuple[tuple[frozenset[Role], str, tuple[str, ...]], ...] = (
    (frozenset({Role.CHAIR}), "Running a meeting (chair)", CHAIR_STEPS),
    (frozenset({Role.ADMIN}), "Preparing meetings (admin)", ADMIN_STEPS),
    (frozenset({Role.SENCO, Role.DELEGATE}), "At a meeting (SENCOs and delegates)", MEMBER_STEPS),
    (frozenset({Role.TEAM_AROUND_CLUSTER}), "At a meeting (team around the cluster)", TEAM_STEPS),
)


def meeting_guide(roles: Iterable[Role]) -> list[Element]:
    """The numbered steps of each role the person holds, under a heading per role (none: nothing)."""
    held = frozenset(roles)
    elements: list[Element] = []
    for wanted, title, steps in _GUIDES:
        if held & wanted:
            elements.append(text(title, weight="Bolder", separator=True))
            elements += [text(f"{n}. {step}", spacing="None") for n, step in enumerate(steps, start=1)]
    return elements


def roles_in(grants: Iterable[Grant], cluster: str | None) -> frozenset[Role]:
    """The roles a person holds in ``cluster`` (in every cluster when None, as in a channel not yet linked)."""
    return frozenset(g.role for g in grants if cluster is None or g.cluster == cluster)
