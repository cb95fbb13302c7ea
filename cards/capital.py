"""Capital Fund cards, for personal chat: rounds, applications, the panel, and the notices the fund sends.

The cards: the rounds and applications, one application as each person acts on it (scoring, the
recommendation, the Board's decision, the project's journey, its impact), the panel's members, and the
notices and nudges the fund sends.

An application's card is drawn for the person looking at it: a panel member sees their own scores and no
one else's until the chair closes the panel; each form appears only to the role that fills it in. Several
forms can share one card, so no input is marked required (the use case checks each form and the card comes
back with a message next to each field to fix). Capital applications hold no pupil's details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.referrals import input_for
from cluster.capital_fund import (
    CRITERION_TITLES,
    MAX_GRANT_PENCE,
    PROJECT_STAGES,
    RECOMMENDATION_TITLES,
    ROUND_DATES,
    STAGE_TITLES,
    ApplicationView,
    Audience,
    Criterion,
    NudgeDue,
    RoundView,
    Stage,
    Viewer,
    missing_for_release,
    one_decimal,
)
from cluster.forms import Field, FieldType
from cluster.provision import format_pence

Element = dict[str, Any]

SCORE_CHOICES: tuple[tuple[str, str], ...] = (
    ("5", "5 - excellent"),
    ("4", "4 - good"),
    ("3", "3 - adequate"),
    ("2", "2 - weak"),
    ("1", "1 - poor"),
)
SCORE_FIELDS: tuple[tuple[Criterion, Field, Field], ...] = tuple(
    (
        c,
        Field(f"score_{c.value}", title, FieldType.CHOICE, required=False, choices=SCORE_CHOICES),
        Field(
            f"comment_{c.value}", f"Comment on {title.lower()}", FieldType.MULTILINE, required=False, max_length=1000
        ),
    )
    for c, title in CRITERION_TITLES.items()
)
RECOMMENDATION_FIELDS: tuple[Field, ...] = (
    Field(
        "recommendation",
        "The panel's recommendation",
        FieldType.CHOICE,
        required=False,
        choices=tuple((r.value, t) for r, t in RECOMMENDATION_TITLES.items()),
    ),
    Field("reasons", "Reasons", FieldType.MULTILINE, required=False, max_length=2000),
    Field(
        "conditions",
        "Conditions (when recommending with conditions)",
        FieldType.MULTILINE,
        required=False,
        max_length=2000,
    ),
)
BOARD_FIELDS: tuple[Field, ...] = (
    Field(
        "board",
        "The Board's decision",
        FieldType.CHOICE,
        required=False,
        choices=(("approve", "Approved"), ("decline", "Declined")),
    ),
    Field(
        "amount", "Amount approved (£)", FieldType.MONEY, required=False, hint="Up to what was asked, at most £15,000"
    ),
    Field("conditions", "Conditions", FieldType.MULTILINE, required=False, max_length=2000),
    Field("reasons", "Reasons (needed when declining)", FieldType.MULTILINE, required=False, max_length=2000),
)
VISIT_FIELDS: tuple[Field, ...] = (
    Field("visitor", "Visited by", required=False),
    Field("visited_on", "Date of the visit", FieldType.DATE, required=False),
    Field("passed", "Passed", FieldType.CHOICE, required=False, choices=(("true", "Passed"), ("false", "Not passed"))),
    Field("notes", "Visit notes", FieldType.MULTILINE, required=False, max_length=2000),
)
EVALUATION_FIELDS: tuple[Field, ...] = (
    Field("ehcp_pupils", "Pupils with EHCPs now able to use the space", required=False, max_length=6),
    Field("pupils_weekly", "Pupils using the space each week", required=False, max_length=6),
    Field(
        "attendance_change",
        "Change in their attendance (percentage points)",
        required=False,
        max_length=12,
        hint="e.g. +2.5",
    ),
    Field("what_changed", "What changed, in words", FieldType.MULTILINE, required=False, max_length=2000),
)
ROUND_FIELDS: tuple[Field, ...] = (
    Field("label", "Round", required=False, max_length=40, hint="e.g. 2025/26"),
    Field("total", "Total (£)", FieldType.MONEY, required=False, hint="e.g. 500000"),
    *(Field(name, title, FieldType.DATE, required=False) for name, title in ROUND_DATES),
)
ROUND_EXPLAINER = (
    "The Inclusive Environments Capital Fund is the council's own pot, not a cluster's budget: the Cluster "
    "Panel scores each application once the window closes, the Place, Planning and Sufficiency Board decides, "
    "and money is released after completion, a quality-assurance visit and paid invoices."
)


def _day(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day is not None else "Not yet"


def _open(view: ApplicationView, title: str | None = None) -> Element:
    return button(title or f"Open {view.reference}", verbs.CAPITAL_OPEN, {"referral_id": view.referral_id})


def _form(fields: Sequence[Field], values: Mapping[str, str], errors: Mapping[str, str]) -> list[Element]:
    return [e for f in fields for e in input_for(f, values.get(f.name), errors.get(f.name))]


def _actions(*actions: Element) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


def _section(title: str) -> Element:
    return text(title, weight="Bolder", size="Medium", separator=True, spacing="Large")


def _attention(lines: Sequence[str]) -> list[Element]:
    return [text(line, color="Attention", spacing="None") for line in lines]


def _errors_at(errors: Mapping[str, str], *keys: str) -> list[Element]:
    return [text(errors[k], color="Attention") for k in keys if k in errors]


# --- the overview -------------------------------------------------------------------------------------


def _round_facts(view: RoundView) -> list[tuple[str, str]]:
    pairs = [("Window", f"{_day(view.opens)} to {_day(view.closes)}")]
    round_ = view.round
    if round_ is None:
        return [*pairs, ("Timeline", "Not set yet: a council officer sets the round")]
    pairs += [
        ("Total", format_pence(round_.total_pence)),
        ("Approved", format_pence(view.approved_pence)),
        ("Released", format_pence(view.released_pence)),
        ("Left to approve", format_pence(view.left_pence or 0)),
        ("Panel by", _day(round_.panel_by)),
        ("Decisions by", _day(round_.decisions_by)),
        ("Complete and visited by", _day(round_.complete_by)),
        ("Evaluated by", _day(round_.evaluate_by)),
    ]
    return pairs


def _round_values(rounds: Sequence[RoundView]) -> dict[str, str]:
    """The newest round, as its form would be typed (for correcting it)."""
    latest = next((r for r in rounds if r.round is not None), None)
    if latest is None or latest.round is None:
        return {}
    shown = {"label": latest.round.label, "total": f"{latest.round.total_pence / 100:.2f}"}
    return shown | {name: getattr(latest.round, name).isoformat() for name, _ in ROUND_DATES}


def capital_card(
    rounds: Sequence[RoundView],
    applications: Sequence[ApplicationView],
    *,
    officer: bool = False,
    admin: bool = False,
    to_score: frozenset[int] = frozenset(),
    more: bool = False,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """The rounds, and the applications the person takes part in by stage (late ones say so).

    A council officer's card has every cluster's applications, the round form and the capital report.
    """
    errors = errors or {}
    body: list[Element] = [heading("Inclusive Environments Capital Fund"), text(ROUND_EXPLAINER, subtle=True)]
    if notice:
        body.append(text(notice, weight="Bolder"))
    for shown in rounds[:3]:
        body += [text(f"Round {shown.label}", weight="Bolder", separator=True), facts(_round_facts(shown))]
    body.append(_section("Applications"))
    if not applications:
        body.append(text("No applications to show yet."))
    stage: Stage | None = None
    for view in applications:
        if view.stage is not stage:
            stage = view.stage
            body.append(text(STAGE_TITLES[stage], weight="Bolder", spacing="Medium"))
        line = f"{view.title} · {format_pence(view.asked_pence)} asked"
        if view.referral_id in to_score:
            line += " · waiting for your scores"
        body.append(
            {
                "type": "ColumnSet",
                "spacing": "Small",
                "columns": [
                    {"type": "Column", "width": "stretch", "items": [text(line)]},
                    {"type": "Column", "width": "auto", "items": [_actions(_open(view))]},
                ],
            }
        )
        if officer:
            body += _attention([f"Late: {late}" for late in view.late])
    if more:
        body.append(text(f"These are the {len(applications)} newest; the capital report lists them all.", subtle=True))
    actions: list[Element] = [button("Refresh", verbs.CAPITAL)]
    if admin:
        actions.append(button("Panel members", verbs.CAPITAL_PANEL))
    if officer:
        body.append(_section("Set a round"))
        body.append(text("Saving a round for the same school year corrects it.", subtle=True))
        body += _errors_at(errors, "form")
        body += _form(ROUND_FIELDS, values if values is not None else _round_values(rounds), errors)
        body.append(_actions(button("Save the round", verbs.CAPITAL_ROUND_SET, inputs=True)))
        actions.append(button("Capital report", verbs.CAPITAL_REPORT))
    return card(body, actions)


# --- one application ------------------------------------------------------------------------------------


def _summary(view: ApplicationView) -> list[Element]:
    pairs = [
        ("Stage", STAGE_TITLES[view.stage]),
        ("Round", view.round.label if view.round else f"{view.year_start}/{(view.year_start + 1) % 100:02d}"),
        ("Asked for", format_pence(view.asked_pence)),
    ]
    if view.category:
        pairs.append(("Kind of works", view.category))
    body: list[Element] = [facts(pairs)]
    if view.works:
        body += [text("The works", weight="Bolder"), text(view.works, spacing="None")]
    return body


def _statements(view: ApplicationView) -> list[Element]:
    if not view.statements:
        return []
    body: list[Element] = [text("What the setting says on each criterion", weight="Bolder")]
    body += [facts(list(view.statements))]
    return body


def _averages(view: ApplicationView) -> list[Element]:
    averages = view.averages
    if averages is None:
        return []
    pairs = [
        (CRITERION_TITLES[c], one_decimal(averages.per_criterion[c])) for c in Criterion if c in averages.per_criterion
    ]
    overall = one_decimal(averages.overall) if averages.overall is not None else "No scores"
    pairs.append(("Overall", overall))
    return [text(f"Averages of {averages.scored_by} member(s), out of 5", weight="Bolder"), facts(pairs)]


def _own_score(viewer: Viewer) -> list[Element]:
    score = viewer.own_score
    if score is None:
        return []
    pairs = []
    for c in Criterion:
        shown = str(score.scores.get(c, "-"))
        comment = score.comments.get(c, "")
        pairs.append((CRITERION_TITLES[c], f"{shown}: {comment}" if comment else shown))
    return [text("Your scores", weight="Bolder"), facts(pairs)]


def _score_form(
    view: ApplicationView, viewer: Viewer | None, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    own = viewer.own_score if viewer is not None else None
    typed: dict[str, str] = {}
    if own is not None:
        typed |= {f"score_{c.value}": str(n) for c, n in own.scores.items()}
        typed |= {f"comment_{c.value}": t for c, t in own.comments.items()}
    typed |= dict(values)
    body: list[Element] = [text("Score each criterion from 1 (poor) to 5 (excellent), with a comment.", subtle=True)]
    if errors:
        body.append(text(f"Please fix {len(errors)} thing(s) below.", color="Attention", weight="Bolder"))
    for criterion, choice, comment in SCORE_FIELDS:
        body += input_for(choice, typed.get(choice.name), errors.get(criterion.value))
        body += input_for(comment, typed.get(comment.name), errors.get(f"{criterion.value}_comment"))
    title = "Save my scores" if own is None else "Change my scores"
    body.append(_actions(button(title, verbs.CAPITAL_SCORE, {"referral_id": view.referral_id}, inputs=True)))
    return body


def _panel(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    body: list[Element] = [_section("The Cluster Panel")]
    if view.stage in (Stage.CHECKING, Stage.WAITING):
        body.append(text(f"The panel scores it once the window closes on {_day(view.window_closes)}."))
        return body
    if view.stage is Stage.SCORING:
        body.append(
            text(
                f"Scored by {view.scored_by} of {view.panel_size} member(s). Each member's scores stay hidden "
                "from the others until the chair closes the panel."
            )
        )
    body += _averages(view)
    if viewer.not_scoring:
        body.append(text(viewer.not_scoring, subtle=True))
    if viewer.may_score:
        body += _score_form(view, viewer, values, errors)
    else:
        body += _own_score(viewer)
    if viewer.chairs and view.stage is Stage.SCORING:
        body.append(_actions(button("Close the panel", verbs.CAPITAL_PANEL_CLOSE, {"referral_id": view.referral_id})))
    recommendation = view.progress.recommendation
    if recommendation is not None:
        body += [
            text(f"Recommendation: {RECOMMENDATION_TITLES[recommendation]}", weight="Bolder"),
            text(view.recommendation_reasons, spacing="None"),
        ]
        if view.recommendation_conditions:
            body.append(text(f"Conditions: {view.recommendation_conditions}", spacing="None"))
    if viewer.chairs and view.stage in (Stage.SCORED, Stage.WITH_BOARD):
        typed = dict(values) or (
            {
                "recommendation": recommendation.value,
                "reasons": view.recommendation_reasons,
                "conditions": view.recommendation_conditions,
            }
            if recommendation
            else {}
        )
        body.append(text("The panel's recommendation to the Board", weight="Bolder"))
        body += _form(RECOMMENDATION_FIELDS, typed, errors)
        body.append(
            _actions(
                button(
                    "Record the recommendation", verbs.CAPITAL_RECOMMEND, {"referral_id": view.referral_id}, inputs=True
                )
            )
        )
    return body


def _board(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    board = view.progress.board
    if board is None and not (viewer.officer and view.stage is Stage.WITH_BOARD):
        return []
    body: list[Element] = [_section("The Place, Planning and Sufficiency Board")]
    if board is not None:
        if board.approved:
            body.append(
                text(f"Approved: {format_pence(board.amount_pence)} on {_day(view.board_on)}.", weight="Bolder")
            )
            if board.conditions:
                body.append(text(f"Conditions: {board.conditions}"))
        else:
            body.append(text(f"Declined on {_day(view.board_on)}.", color="Attention"))
        if board.reasons:
            body.append(text(board.reasons))
        return body
    typed = dict(values) or {"board": "approve", "amount": f"{min(view.asked_pence, MAX_GRANT_PENCE) / 100:.2f}"}
    body += _errors_at(errors, "board_form")
    body += _form(BOARD_FIELDS, typed, errors)
    body.append(
        _actions(
            button("Record the Board's decision", verbs.CAPITAL_BOARD, {"referral_id": view.referral_id}, inputs=True)
        )
    )
    return body


def _journey_facts(view: ApplicationView) -> list[Element]:
    journey = view.progress.journey
    visit = journey.visit
    visit_line = "Not yet"
    if visit is not None:
        visit_line = f"{_day(visit.visited_on)} by {visit.visitor}: {'passed' if visit.passed else 'not passed'}"
    invoices = [i for i in view.invoices if i.name is not None]
    pairs = [
        ("Grant", format_pence(journey.grant_pence)),
        ("Started", _day(journey.started_on)),
        ("Completed", _day(journey.completed_on)),
        ("Quality-assurance visit", visit_line),
        ("Paid invoices", f"{len(invoices)}, {format_pence(view.invoiced_pence)}"),
        (
            "Released",
            f"{format_pence(journey.released_pence)} on {_day(view.released_on)}"
            if journey.released_pence is not None
            else "Not yet",
        ),
    ]
    body: list[Element] = [facts(pairs)]
    if visit is not None and visit.notes:
        body.append(text(f"Visit notes: {visit.notes}", subtle=True))
    for invoice in view.invoices:
        name = invoice.name or "waiting for its file: send it in this chat"
        body.append(text(f"Invoice {format_pence(invoice.amount_pence)} · {name}", spacing="None", size="Small"))
    return body


def _date_form(name: str, label: str, value: str | None, title: str, verb: str, view: ApplicationView) -> list[Element]:
    field = Field(name, label, FieldType.DATE, required=False)
    return [
        *input_for(field, value, None),
        _actions(button(title, verb, {"referral_id": view.referral_id}, inputs=True)),
    ]


def _project(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str], today: date
) -> list[Element]:
    if view.stage not in PROJECT_STAGES:
        return []
    journey = view.progress.journey
    body: list[Element] = [_section("The project"), *_journey_facts(view)]
    open_ = journey.released_pence is None
    if viewer.applicant and open_:
        if journey.completed_on is None:
            started = journey.started_on.isoformat() if journey.started_on else today.isoformat()
            body += _date_form("started_on", "Started on", started, "Mark started", verbs.CAPITAL_STARTED, view)
        if journey.started_on is not None and journey.completed_on is None:
            body += _date_form(
                "completed_on", "Completed on", today.isoformat(), "Mark completed", verbs.CAPITAL_COMPLETED, view
            )
        if journey.started_on is not None:
            amount = Field("invoice_amount", "Paid invoice amount (£)", FieldType.MONEY, required=False)
            body += [
                text("Add each paid invoice: give its amount, then send its file in this chat.", subtle=True),
                *input_for(amount, values.get("invoice_amount"), errors.get("invoice_amount")),
                _actions(
                    button("Add an invoice", verbs.CAPITAL_INVOICE, {"referral_id": view.referral_id}, inputs=True)
                ),
            ]
    if viewer.team and open_ and journey.started_on is not None:
        typed = dict(values) if any(k in values for k in ("visitor", "visited_on")) else {}
        if not typed:
            visit = journey.visit
            typed = (
                {
                    "visitor": visit.visitor,
                    "visited_on": visit.visited_on.isoformat(),
                    "passed": "true" if visit.passed else "false",
                    "notes": visit.notes,
                }
                if visit is not None
                else {"visitor": viewer.name, "visited_on": today.isoformat()}
            )
        body.append(text("The quality-assurance visit", weight="Bolder"))
        body += _form(VISIT_FIELDS, typed, errors)
        body.append(
            _actions(button("Record the visit", verbs.CAPITAL_VISIT, {"referral_id": view.referral_id}, inputs=True))
        )
    if viewer.officer and open_:
        missing = missing_for_release(journey)
        if missing:
            body.append(text("Before the money can be released: " + "; ".join(missing) + ".", subtle=True))
        body.append(_actions(button("Release the money", verbs.CAPITAL_RELEASE, {"referral_id": view.referral_id})))
    return body


def _impact(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    if view.stage not in PROJECT_STAGES:
        return []
    evaluation = view.progress.evaluation
    body: list[Element] = []
    if evaluation is not None:
        body += [
            _section("Impact"),
            facts(
                [
                    ("Pupils with EHCPs now able to use the space", str(evaluation.ehcp_pupils)),
                    ("Pupils using it each week", str(evaluation.pupils_weekly)),
                    ("Change in their attendance", evaluation.attendance_change or "Not given"),
                    ("Recorded", _day(view.evaluated_on)),
                ]
            ),
            text(evaluation.what_changed),
        ]
    if viewer.evaluates and view.progress.journey.completed_on is not None:
        if evaluation is None:
            body.append(_section("Impact"))
            if view.round is not None:
                body.append(text(f"Record the project's impact by {_day(view.round.evaluate_by)}.", subtle=True))
        typed = dict(values) if "what_changed" in values else {}
        if not typed and evaluation is not None:
            typed = {
                "ehcp_pupils": str(evaluation.ehcp_pupils),
                "pupils_weekly": str(evaluation.pupils_weekly),
                "attendance_change": evaluation.attendance_change,
                "what_changed": evaluation.what_changed,
            }
        body += _form(EVALUATION_FIELDS, typed, errors)
        body.append(
            _actions(
                button("Record the impact", verbs.CAPITAL_EVALUATE, {"referral_id": view.referral_id}, inputs=True)
            )
        )
    return body


def application_card(
    view: ApplicationView,
    viewer: Viewer,
    today: date,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """One application as this person sees it, with the forms their role fills in."""
    values, errors = values or {}, errors or {}
    body: list[Element] = [
        heading(f"Capital Fund: {view.reference}"),
        text(f"{view.setting} · {view.cluster} cluster", subtle=True, spacing="None"),
    ]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if errors and not viewer.may_score:
        body.append(text(f"Please fix {len(errors)} thing(s) below.", color="Attention", weight="Bolder"))
    body += _summary(view)
    if view.late and (viewer.officer or viewer.chairs):
        body += _attention([f"Late: {late}" for late in view.late])
    body += _statements(view)
    if view.stage is not Stage.WITHDRAWN:
        body += _panel(view, viewer, values, errors)
        body += _board(view, viewer, values, errors)
        body += _project(view, viewer, values, errors, today)
        body += _impact(view, viewer, values, errors)
    return card(body, [_open(view, "Refresh"), button("Capital Fund", verbs.CAPITAL)])


# --- what the fund sends ----------------------------------------------------------------------------------


def score_request_card(view: ApplicationView) -> Card:
    """To each panel member once the window closes: the application, with the scoring form."""
    due = f" by {_day(view.round.panel_by)}" if view.round else ""
    body: list[Element] = [
        heading(f"Please score {view.reference}"),
        text(f"{view.setting} · {view.cluster} cluster · {format_pence(view.asked_pence)} asked", subtle=True),
        text(
            f"The Capital Fund's window has closed: as a member of the Cluster Panel, please score this "
            f"application{due}. Your scores stay hidden from the other members until the chair closes the panel."
        ),
        *_summary(view),
        *_statements(view),
        *_score_form(view, None, {}, {}),
    ]
    return card(body, [_open(view, "Open the application")])


NUDGE_LINES = {
    Audience.UNSCORED: "The panel meets by {by}, and your scores for {reference} are not in yet.",
    Audience.SETTING: "Your Capital Fund project {reference} is to be complete, visited and invoiced by {by}.",
    Audience.TEAM: "The Capital Fund project {reference} needs its quality-assurance visit by {by}.",
}
EVALUATE_LINE = "The impact of the Capital Fund project {reference} is to be recorded by {by}."


def capital_nudge_card(view: ApplicationView, due: NudgeDue) -> Card:
    """A reminder as a date nears: scores not in, a project step missing, or the impact not recorded."""
    template = EVALUATE_LINE if due.point.startswith("evaluate") else NUDGE_LINES.get(due.audience, EVALUATE_LINE)
    body: list[Element] = [
        heading("Capital Fund reminder"),
        text(template.format(by=_day(due.by), reference=view.reference)),
        text(f"{view.setting} · {view.cluster} cluster", subtle=True),
    ]
    if due.point.startswith("complete"):
        missing = missing_for_release(view.progress.journey)
        if missing:
            body.append(text("Still to do: " + "; ".join(missing) + "."))
    return card(body, [_open(view)])


def board_notice_card(view: ApplicationView) -> Card:
    """To the setting: the Board's decision on its application, and what happens next."""
    board = view.progress.board
    assert board is not None
    body: list[Element] = [heading(f"The Board's decision on {view.reference}")]
    if board.approved:
        body.append(text(f"Approved: {format_pence(board.amount_pence)}.", weight="Bolder"))
        if board.conditions:
            body.append(text(f"Conditions: {board.conditions}"))
        body.append(
            text(
                "Mark the project started when work begins, and completed when it is done; send the paid "
                "invoices here. The money is released after a quality-assurance visit."
            )
        )
    else:
        body.append(text("Declined by the Board.", weight="Bolder"))
    if board.reasons:
        body.append(text(board.reasons))
    return card(body, [_open(view)])


def released_notice_card(view: ApplicationView) -> Card:
    """To the setting: the money is released."""
    journey = view.progress.journey
    amount = format_pence(journey.released_pence or 0)
    body: list[Element] = [
        heading(f"Capital Fund money released: {view.reference}"),
        text(f"{amount} has been released for your project."),
    ]
    if view.round is not None:
        body.append(text(f"Please record the project's impact by {_day(view.round.evaluate_by)}."))
    return card(body, [_open(view)])


# --- the admin's panel members ------------------------------------------------------------------------


def panel_card(
    cluster: str,
    members: Sequence[tuple[int, str, str, bool]],
    candidates: Sequence[tuple[int, str]],
    notice: str | None = None,
) -> Card:
    """The cluster's Cluster Panel: members by role and by name, with who could be named next.

    ``members`` are (person id, name, how they sit on it, whether the admin named them).
    """
    body: list[Element] = [
        heading(f"Cluster Panel: {cluster}"),
        text(
            "The chair and the team around the cluster sit on the panel by their roles; name the SENCOs who "
            "also score the cluster's Capital Fund applications. Nobody scores their own setting's.",
            subtle=True,
        ),
    ]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if not members:
        body.append(text("Nobody sits on the panel yet."))
    for person_id, name, how, named in members:
        columns: list[Element] = [{"type": "Column", "width": "stretch", "items": [text(f"{name} · {how}")]}]
        if named:
            remove = button("Remove", verbs.CAPITAL_PANEL_REMOVE, {"person_id": person_id})
            columns.append({"type": "Column", "width": "auto", "items": [_actions(remove)]})
        body.append({"type": "ColumnSet", "spacing": "Small", "columns": columns})
    actions: list[Element] = [button("Refresh", verbs.CAPITAL_PANEL)]
    if candidates:
        body += [
            text("Name a SENCO or delegate", weight="Bolder", separator=True),
            {
                "type": "Input.ChoiceSet",
                "id": "person_id",
                "label": "Who",
                "style": "compact",
                "placeholder": "Choose…",
                "choices": [{"title": label, "value": str(person_id)} for person_id, label in candidates],
            },
            _actions(button("Name to the panel", verbs.CAPITAL_PANEL_ADD, inputs=True)),
        ]
    return card(body, actions)
