"""The Cluster Panel on an application's card (scores, averages, the recommendation) and the admin's panel card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cards import verbs
from cards.capital.common import Element, action_set, application_data, errors_at, form_inputs, on_day, section
from cards.common import Card, button, card, facts, heading, text
from cards.referrals import input_for
from cluster.capital_fund import (
    CRITERION_TITLES,
    RECOMMENDATION_TITLES,
    ApplicationView,
    Criterion,
    Stage,
    Viewer,
    one_decimal,
)
from cluster.commands.capital import (
    NamePanelMember,
    OnApplication,
    Recommend,
    RemovePanelMember,
    ScoreApplication,
    comment_input,
    score_input,
)
from cluster.commands.inputs import data_for
from cluster.forms import Field, FieldType

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
        Field(score_input(c), title, FieldType.CHOICE, required=False, choices=SCORE_CHOICES),
        Field(comment_input(c), f"Comment on {title.lower()}", FieldType.MULTILINE, required=False, max_length=1000),
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


def score_form(
    view: ApplicationView, viewer: Viewer | None, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    """The scoring form: the member's own scores (or what they typed), each mistake beside its input."""
    own = viewer.own_score if viewer is not None else None
    typed: dict[str, str] = {}
    if own is not None:
        typed |= {f"score_{c.value}": str(n) for c, n in own.scores.items()}
        typed |= {f"comment_{c.value}": t for c, t in own.comments.items()}
    typed |= dict(values)
    body: list[Element] = [text("Score each criterion from 1 (poor) to 5 (excellent), with a comment.", subtle=True)]
    if errors:
        body.append(text(f"Please fix {len(errors)} thing(s) below.", color="Attention", weight="Bolder"))
    for _, choice, comment in SCORE_FIELDS:
        body += input_for(choice, typed.get(choice.name), errors.get(choice.name))
        body += input_for(comment, typed.get(comment.name), errors.get(comment.name))
    title = "Save my scores" if own is None else "Change my scores"
    body.append(action_set(button(title, verbs.CAPITAL_SCORE, application_data(ScoreApplication, view), inputs=True)))
    return body


def panel_section(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    """The panel's part of an application's card: the scoring, the averages and the recommendation."""
    body: list[Element] = [section("The Cluster Panel")]
    if view.stage in (Stage.CHECKING, Stage.WAITING):
        body.append(text(f"The panel scores it once the window closes on {on_day(view.window_closes)}."))
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
        body += score_form(view, viewer, values, errors)
    else:
        body += _own_score(viewer)
    if viewer.chairs and view.stage is Stage.SCORING:
        body.append(
            action_set(button("Close the panel", verbs.CAPITAL_PANEL_CLOSE, application_data(OnApplication, view)))
        )
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
        body += form_inputs(RECOMMENDATION_FIELDS, typed, errors)
        body.append(
            action_set(
                button(
                    "Record the recommendation", verbs.CAPITAL_RECOMMEND, application_data(Recommend, view), inputs=True
                )
            )
        )
    return body


# --- the admin's panel members ------------------------------------------------------------------------


def panel_card(
    cluster: str,
    members: Sequence[tuple[int, str, str, bool]],
    candidates: Sequence[tuple[int, str]],
    notice: str | None = None,
    errors: Mapping[str, str] | None = None,
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
            remove = button("Remove", verbs.CAPITAL_PANEL_REMOVE, data_for(RemovePanelMember, person_id=person_id))
            columns.append({"type": "Column", "width": "auto", "items": [action_set(remove)]})
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
            *errors_at(errors or {}, "person_id"),
            action_set(button("Name to the panel", verbs.CAPITAL_PANEL_ADD, data_for(NamePanelMember), inputs=True)),
        ]
    return card(body, actions)
