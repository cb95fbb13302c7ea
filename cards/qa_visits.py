"""Quality-assurance visit cards: the list (and the team's planning form), a visit's report, and its notices.

Every card here goes to personal chat only: a report is for the team, the chair, council officers and the
visited setting, never a channel. Text the team typed is escaped by the building blocks (``cards.common``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.referrals import input_for
from cluster.commands.inputs import data_for
from cluster.commands.qa_visits import OneAction, OneVisit, PlanVisit, RecordVisitReport
from cluster.forms import Field, FieldType
from cluster.qa_visits import JUDGEMENT_TITLES, STATE_TITLES, VisitsPage, VisitView

Element = dict[str, Any]
NO_VALUES: Mapping[str, str] = {}

PLAN_FIELDS: tuple[Field, ...] = (
    Field("planned_on", "Date of the visit", FieldType.DATE),
    Field("visitors", "Who will visit", max_length=200, hint="e.g. Theo Team, educational psychologist"),
)
REPORT_FIELDS: tuple[Field, ...] = (
    Field("visited_on", "Date of the visit", FieldType.DATE),
    Field("visitors", "Who visited", max_length=200),
    Field("allocations", "Allocations looked at", max_length=500, hint="e.g. CEN-2526-001, CEN-2526-004"),
    Field("seen", "What was seen", FieldType.MULTILINE, max_length=2000),
    Field("judgement", "Judgement", FieldType.CHOICE, choices=tuple((j.value, t) for j, t in JUDGEMENT_TITLES.items())),
    Field(
        "actions",
        "Actions, one per line: what; owner; YYYY-MM-DD",
        FieldType.MULTILINE,
        required=False,
        max_length=3000,
        hint="Review the group's timetable; Sam Senco; 2026-03-01",
    ),
    Field("follow_up_on", "Follow-up date", FieldType.DATE, required=False),
)


def _day(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day is not None else "Not yet"


def _action_set(*actions: Element) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


def _open(view: VisitView, title: str = "Open the report") -> Element:
    return button(title, verbs.QA_OPEN, data_for(OneVisit, visit_id=view.id))


def _judgement(view: VisitView) -> str:
    return JUDGEMENT_TITLES[view.judgement] if view.judgement else "Not yet recorded"


def _summary(view: VisitView) -> Element:
    when = view.visited_on or view.planned_on
    return facts(
        [
            ("Setting", f"{view.setting} ({view.cluster})"),
            ("Visit" if view.visited_on else "Planned for", _day(when)),
            ("Who", view.visitors),
            ("Judgement", _judgement(view)),
            ("Where it stands", STATE_TITLES[view.state]),
        ]
    )


def visits_card(page: VisitsPage, values: Mapping[str, str] = NO_VALUES, errors: Mapping[str, str] = NO_VALUES) -> Card:
    """The visits the person may see, newest first; the team's card also plans a visit."""
    body: list[Element] = [heading("Quality-assurance visits")]
    if not page.visits:
        body.append(text("No visits yet.", subtle=True))
    for number, view in enumerate(page.visits, start=1):
        line = f"{number}. {view.setting}: {_day(view.visited_on or view.planned_on)} · {_judgement(view)} · "
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(line + STATE_TITLES[view.state]),
                    _action_set(_open(view, f"Open visit {number}: {view.setting}")),
                ],
            }
        )
    if page.more:
        body.append(text(f"And {page.more} earlier visits.", subtle=True))
    if page.settings:
        body.append(text("Plan a visit", weight="Bolder", separator=True))
        setting = Field(
            "setting_id",
            "Setting",
            FieldType.CHOICE,
            choices=tuple((str(s.id), s.name) for s in page.settings),
        )
        for f in (setting, *PLAN_FIELDS):
            body += input_for(f, values.get(f.name), errors.get(f.name))
        body.append(_action_set(button("Plan the visit", verbs.QA_PLAN, data_for(PlanVisit), inputs=True)))
    return card(body)


def _report(view: VisitView) -> list[Element]:
    body: list[Element] = []
    if view.state.value == "planned":
        return body
    body.append(text("Allocations looked at", weight="Bolder"))
    body.append(text(view.allocations))
    body.append(text("What was seen", weight="Bolder"))
    body.append(text(view.seen))
    if view.follow_up_on:
        body.append(facts([("Follow-up", _day(view.follow_up_on))]))
    if view.acknowledged_on:
        body.append(text(f"Acknowledged by the setting on {_day(view.acknowledged_on)}.", subtle=True))
    if view.actions:
        body.append(text("Actions", weight="Bolder"))
    for number, action in enumerate(view.actions, start=1):
        state = "Done" if action.done else f"By {_day(action.due_on)}"
        items: list[Element] = [text(f"{number}. {action.what} · {action.owner} · {state}")]
        if view.can_close_actions and not action.done:
            done = button(f"Mark action {number} done", verbs.QA_ACTION_DONE, data_for(OneAction, action_id=action.id))
            items.append(_action_set(done))
        body.append({"type": "Container", "items": items})
    return body


def _typed(view: VisitView, values: Mapping[str, str], today: date) -> Mapping[str, str]:
    """The report form's values: as typed when it comes back to fix, else as recorded, else a fresh start."""
    if values:
        return values
    if view.judgement is None:
        return {"visited_on": min(today, view.planned_on).isoformat(), "visitors": view.visitors}
    return {
        "visited_on": view.visited_on.isoformat() if view.visited_on else "",
        "visitors": view.visitors,
        "allocations": view.allocations,
        "seen": view.seen,
        "judgement": view.judgement.value,
        "actions": "\n".join(f"{a.what}; {a.owner}; {a.due_on.isoformat()}" for a in view.actions if not a.done),
        "follow_up_on": view.follow_up_on.isoformat() if view.follow_up_on else "",
    }


def visit_card(
    view: VisitView,
    today: date,
    values: Mapping[str, str] = NO_VALUES,
    errors: Mapping[str, str] = NO_VALUES,
    notice: str | None = None,
) -> Card:
    """A visit's report; the team's card records it, the setting's SENCO's acknowledges it."""
    body: list[Element] = [heading(f"Quality-assurance visit: {view.setting}")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    body.append(_summary(view))
    body += _report(view)
    if view.can_acknowledge:
        body.append(text("Please read the report and acknowledge it.", weight="Bolder"))
        body.append(
            _action_set(button("Acknowledge the report", verbs.QA_ACKNOWLEDGE, data_for(OneVisit, visit_id=view.id)))
        )
    if view.can_record:
        if errors:
            body.append(
                text(f"Please fix {len(errors)} thing{'s' if len(errors) != 1 else ''} below.", color="Attention")
            )
        title = "Correct the report" if view.judgement else "Record the report"
        body.append(text(title, weight="Bolder", separator=True))
        typed = _typed(view, values, today)
        for f in REPORT_FIELDS:
            body += input_for(f, typed.get(f.name), errors.get(f.name))
        record = button(title, verbs.QA_RECORD, data_for(RecordVisitReport, visit_id=view.id), inputs=True)
        body.append(_action_set(record))
    return card(body)


def report_notice_card(view: VisitView) -> Card:
    """To the setting's SENCOs and delegates: the team's report of its visit, to read and acknowledge."""
    body: list[Element] = [
        heading("A quality-assurance visit's report"),
        text(f"The team around the cluster has recorded its visit to {view.setting}. Please read and acknowledge it."),
        _summary(view),
    ]
    return card(body, [_open(view)])


def concern_notice_card(view: VisitView) -> Card:
    """To the cluster's chair: a visit judged a concern, to see before the next meeting."""
    body: list[Element] = [
        heading("A concern from a quality-assurance visit"),
        text(
            f"The team around the cluster judged its visit to {view.setting} a concern. "
            "Please read the report before the next cluster meeting."
        ),
        _summary(view),
    ]
    return card(body, [_open(view)])


def acknowledged_notice_card(view: VisitView) -> Card:
    """To the team: the setting acknowledged the report."""
    return card(
        [
            heading("Report acknowledged"),
            text(f"{view.setting} has acknowledged the report of your visit."),
            _summary(view),
        ],
        [_open(view)],
    )


def action_nudge_card(view: VisitView, what: str, owner: str, due_on: date, today: date) -> Card:
    """To the setting and the team: an action from a visit is due, or late."""
    days = (due_on - today).days
    when = "today" if days == 0 else f"in {days} days" if days > 0 else f"{-days} days ago"
    body: list[Element] = [
        heading("An action from a quality-assurance visit"),
        text(f"An action from the visit to {view.setting} is due {when} ({_day(due_on)})."),
        facts([("Action", what), ("Owner", owner)]),
    ]
    return card(body, [_open(view)])


def follow_up_card(view: VisitView) -> Card:
    """To the team: a visit's follow-up date has come."""
    body: list[Element] = [
        heading("A visit to follow up"),
        text(f"Today is the follow-up date of your visit to {view.setting}. Plan the next visit to follow it up."),
        _summary(view),
    ]
    return card(body, [_open(view), button("Plan a visit", verbs.QA_VISITS)])
