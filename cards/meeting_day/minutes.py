"""The meeting's minutes for the channel: who attended; each item's outcome, votes, register, amount, review date."""

from __future__ import annotations

from datetime import datetime

from cards.common import Card, card, facts, heading, meeting_name, text
from cards.meeting_day.parts import (
    Element,
    amount_line,
    counts,
    decision_pairs,
    long_day,
    names_line,
    who,
)
from cluster.agenda import MinutesView
from cluster.clock import LONDON
from cluster.decisions import FUNDED, OUTCOME_TITLES
from cluster.impact import ratings_line
from cluster.provision import format_pence
from cluster.provision_map import NOT_IN_DOCUMENT, custom_line
from cluster.referrals import KIND_TITLES
from cluster.register import attendance_pairs
from cluster.voting import RESULT_TITLES


def minutes_card(view: MinutesView) -> Card:
    """The meeting's minutes for the channel: each item's outcome, votes, interests, amount and review date."""
    body: list[Element] = [
        heading(f"Minutes: {view.cluster} cluster, {long_day(view.held_on)}"),
        text(
            (f"{meeting_name(view.meeting.title)}, " if view.meeting.title else "")
            + f"{view.meeting.start:%H:%M}–{view.meeting.end:%H:%M}"
            + (f"; ended at {_time(view.ended_at)}" if view.ended_at else "")
            + (f"; scheduled for {long_day(view.meeting.day)}" if view.held_elsewhen else ""),
            subtle=True,
            spacing="None",
        ),
    ]
    if view.register is not None:
        body += [
            text("Attendance", weight="Bolder", size="Medium", spacing="Large"),
            facts(attendance_pairs(view.register)),
        ]
    if not view.entries:
        body.append(text("Nothing was on the agenda.", subtle=True))
    committed = 0
    for item in view.entries:
        entry, decision = item.entry, item.entry.decision
        pairs = [
            ("Kind", KIND_TITLES[entry.kind]),
            ("Requested", amount_line(entry)),
            ("Outcome", OUTCOME_TITLES[decision.outcome] if decision else "Not decided"),
        ]
        if item.tally is not None:
            votes = counts(item.tally)
            if item.result is not None:
                votes += f" ({RESULT_TITLES[item.result]})"
            pairs.append(("Votes", votes))
        else:
            pairs.append(("Votes", "Not voted on"))
        pairs.append(("Interests declared", names_line(item.interests)))
        if item.quorum_record is not None:
            pairs += item.quorum_record.pairs()
        if entry.outcome_ratings:
            pairs.append(("Outcomes rated at review", ratings_line(entry.outcome_ratings)))
        if entry.custom_rows:  # issue 21: provisions the council's document lacks, with why
            pairs.append((NOT_IN_DOCUMENT, custom_line(entry.custom_rows)))
        if decision is not None:
            if decision.outcome in FUNDED:
                committed += decision.amount_pence
            pairs += [p for p in decision_pairs(decision) if p[0] != "Outcome"]
        pupil = " · ".join(who(entry))
        items: list[Element] = [text(f"{entry.reference} · {entry.setting}", weight="Bolder")]
        if pupil:
            items.append(text(pupil, subtle=True, spacing="None"))
        items.append(facts(pairs))
        body.append({"type": "Container", "separator": True, "items": items})
    totals = [("Committed at this meeting", format_pence(committed))]
    if view.position is None:
        totals.append(("Budget", "No budget set"))
    else:
        totals.append(("Available after the meeting", format_pence(view.position.available)))
        if view.position.reserve_used:
            totals.append(("Emergency reserve used", format_pence(view.position.reserve_used)))
        if view.position.reserve:
            totals.append(("Emergency reserve left", format_pence(view.position.reserve_left)))
    body += [text("Totals", weight="Bolder", size="Medium", spacing="Large"), facts(totals)]
    return card(body)


def _time(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%H:%M}"
