"""Cards about meetings."""

from __future__ import annotations

from datetime import datetime

from cards import verbs
from cards.common import Card, card, execute, facts, heading, text
from cluster.clock import LONDON
from cluster.meetings import NextMeeting, days_until


def _day(when: datetime) -> str:
    return when.astimezone(LONDON).strftime("%A %-d %B %Y")


def _days_left(days: int) -> str:
    if days < 0:
        return "closed"
    if days == 0:
        return "today"
    return "1 day left" if days == 1 else f"{days} days left"


def next_meeting_card(meetings: list[NextMeeting], now: datetime) -> Card:
    """The next meeting of each of the person's clusters: date, time, referral deadline and days left."""
    body = [heading("Next meeting")]
    if not meetings:
        body.append(text("No upcoming meeting is scheduled for your cluster. Your cluster admin adds meetings."))
    for m in meetings:
        slot = m.slot
        deadline = slot.deadline.astimezone(LONDON)
        body += [
            text(f"{m.cluster} cluster" + (f" · {slot.title}" if slot.title else ""), weight="Bolder"),
            facts(
                [
                    ("Date", _day(slot.starts_at)),
                    ("Time", f"{slot.start:%H:%M}–{slot.end:%H:%M} (UK time)"),
                    ("Referral deadline", f"{_day(deadline)}, {deadline:%H:%M}"),
                    ("Days left", _days_left(days_until(deadline, now)) if deadline > now else "closed"),
                    ("Meeting in", _days_left(days_until(slot.starts_at, now))),
                ]
            ),
        ]
    return card(body, [execute("Help", verbs.HELP)])
