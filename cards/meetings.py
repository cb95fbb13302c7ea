"""Cards about meetings: the next meeting, and the admin's meetings card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, facts, heading, link, text
from cards.meeting_day.register import apologies_button
from cluster.citywide_meetings import CitywideSlot
from cluster.clock import LONDON
from cluster.commands.inputs import data_for
from cluster.commands.meetings import CancelMeeting, MoveMeeting, SetMeetingLink
from cluster.meetings import MeetingSlot, NextMeeting, days_until


def _day(when: datetime) -> str:
    return when.astimezone(LONDON).strftime("%A %-d %B %Y")


def _days_left(days: int) -> str:
    if days < 0:
        return "closed"
    if days == 0:
        return "today"
    return "1 day left" if days == 1 else f"{days} days left"


def next_meeting_card(meetings: list[NextMeeting], now: datetime, citywide: CitywideSlot | None = None) -> Card:
    """The next meeting of each of the person's clusters, and the next Citywide Meeting for a chair or officer.

    Each cluster meeting shows its date, time, referral deadline and days left.
    """
    body = [heading("Next meeting")]
    if not meetings and citywide is None:
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
    if citywide is not None:
        body += [
            text("Citywide Meeting" + (f" · {citywide.title}" if citywide.title else ""), weight="Bolder"),
            facts(
                [
                    ("Date", _day(citywide.starts_at)),
                    ("Time", f"{citywide.start:%H:%M}–{citywide.end:%H:%M} (UK time)"),
                    ("Meeting in", _days_left(days_until(citywide.starts_at, now))),
                ]
            ),
        ]
    return card(body, [execute("Help", verbs.HELP)])


def no_channel_card(cluster: str, meeting: MeetingSlot) -> Card:
    """To a cluster's admins and chair: the agenda is due but no team channel is linked for it to go to."""
    return card(
        [
            heading("The agenda has no channel to go to"),
            text(
                f"The agenda for the {cluster} cluster's meeting on {_day(meeting.starts_at)} is due, but no team "
                "channel is linked to the cluster, so nobody can see it yet."
            ),
            text(
                f"In the team channel the meetings use, a cluster admin posts “@Cluster Funding link cluster "
                f"{cluster}”. The agenda is posted there straight away."
            ),
        ]
    )


def _attention(message: str | None) -> list[dict[str, Any]]:
    return [text(message, color="Attention")] if message else []


# The soonest meetings the admin's card shows: two years of a cluster's six a year. Each takes up to 3 KB at
# its longest (a title of 80 accented characters, a link of 1,000), so more would take the card past 40 KB.
MEETINGS_SHOWN = 12


def meetings_admin_card(
    cluster: str,
    meetings: Sequence[MeetingSlot],
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """The admin's meetings: move, cancel or link each of the soonest still to come, and add the next."""
    values = values or {}
    errors = errors or {}
    body: list[dict[str, Any]] = [heading(f"Meetings: {cluster} cluster")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if not meetings:
        body.append(text("No meetings are scheduled. Add the next one below."))
    for slot in meetings[:MEETINGS_SHOWN]:
        key = str(slot.id)
        named = f"the meeting of {_day(slot.starts_at)}"  # names its inputs and buttons: one set per meeting
        title = f"{_day(slot.starts_at)}, {slot.start:%H:%M}–{slot.end:%H:%M}" + (
            f" · {slot.title}" if slot.title else ""
        )
        deadline = slot.deadline.astimezone(LONDON)
        lines = [text(title + (" (cancelled)" if slot.cancelled else ""), weight="Bolder", separator=True)]
        lines.append(text(f"Referral deadline {_day(deadline)}, {deadline:%H:%M}", subtle=True, spacing="None"))
        # The link is shown in its input below, not again as a "Join" link: twelve meetings with links of
        # 1,000 characters would otherwise take the card past 40 KB.
        body += lines
        if slot.cancelled:
            continue
        body += [
            {
                "type": "Input.Date",
                "id": f"day_{key}",
                "label": f"Move {named} to",
                "value": values.get(f"day_{key}", ""),
            },
            *_attention(errors.get(f"day_{key}")),
            {
                "type": "Input.Text",
                "id": f"link_{key}",
                "label": f"Online meeting link for {named}",
                "placeholder": "https://teams.microsoft.com/...",
                "value": values.get(f"link_{key}", slot.online_link or ""),
                "maxLength": 1000,
            },
            *_attention(errors.get(f"link_{key}")),
            {
                "type": "ActionSet",
                "actions": [
                    button(f"Move {named}", verbs.MEETING_MOVE, data_for(MoveMeeting, meeting_id=slot.id), inputs=True),
                    button(
                        f"Save the link for {named}",
                        verbs.MEETING_LINK,
                        data_for(SetMeetingLink, meeting_id=slot.id),
                        inputs=True,
                    ),
                    button(f"Cancel {named}", verbs.MEETING_CANCEL, data_for(CancelMeeting, meeting_id=slot.id)),
                ],
            },
        ]
    later = len(meetings) - MEETINGS_SHOWN
    if later > 0:
        body.append(
            text(
                f"{later} later meeting{'s are' if later > 1 else ' is'} not shown: "
                "each appears here as the meetings above are held.",
                separator=True,
            )
        )
    body += [
        text("Add a meeting", weight="Bolder", size="Medium", separator=True),
        {"type": "Input.Date", "id": "new_day", "label": "Date", "value": values.get("new_day", "")},
        *_attention(errors.get("new_day")),
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        {
                            "type": "Input.Time",
                            "id": "new_start",
                            "label": "Starts",
                            "value": values.get("new_start", "09:30"),
                        }
                    ],
                },
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        {
                            "type": "Input.Time",
                            "id": "new_end",
                            "label": "Ends",
                            "value": values.get("new_end", "13:00"),
                        }
                    ],
                },
            ],
        },
        *_attention(errors.get("new_start")),
        {
            "type": "Input.Text",
            "id": "new_title",
            "label": "Title",
            "placeholder": "e.g. Spring 1",
            "value": values.get("new_title", ""),
            "maxLength": 80,
        },
        {
            "type": "Input.Text",
            "id": "new_link",
            "label": "Online meeting link",
            "placeholder": "https://teams.microsoft.com/...",
            "value": values.get("new_link", ""),
            "maxLength": 1000,
        },
        *_attention(errors.get("new_link")),
    ]
    return card(body, [button("Add the meeting", verbs.MEETING_ADD, inputs=True), button("Refresh", verbs.MEETINGS)])


def deadline_reminder_card(cluster: str, slot: MeetingSlot, days: int) -> Card:
    """Reminds a SENCO that referrals for the next meeting close soon (``days``: whole days left)."""
    deadline = slot.deadline.astimezone(LONDON)
    when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
    actions = [button("New referral", verbs.REFERRAL_NEW), button("My referrals", verbs.MY_REFERRALS)]
    return card(
        [
            heading("Referral deadline"),
            text(
                f"Referrals for the {cluster} cluster's meeting on {_day(slot.starts_at)} close {when}: "
                f"{_day(deadline)}, {deadline:%H:%M}."
            ),
        ],
        actions,
    )


def meeting_morning_card(cluster: str, slot: MeetingSlot) -> Card:
    """Posted in the cluster's channel on the morning of the meeting."""
    body = [
        heading(f"{cluster} cluster meeting today"),
        text(f"{slot.start:%H:%M}–{slot.end:%H:%M}" + (f" · {slot.title}" if slot.title else "")),
        text("The agenda is in this channel; the chair opens each item for voting here."),
    ]
    if slot.online_link:
        body.append(text(link("Join the online meeting", slot.online_link), markdown=True))
    body.append(text("Can't come? A SENCO or delegate can send the setting's apologies here.", subtle=True))
    return card(body, [apologies_button(slot.id)])
