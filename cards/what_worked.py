"""The ``what worked`` cards: the search form with its results, and the council officer's consent to share.

Results are groups of five or more referrals: a provision with its cost band, how its reviews rated the
outcomes (counts and in words) and how many referrals it rests on; then the advice peers gave in the
discussions that matched. Never a pupil, a referral, a setting or a person: the card has nothing else to
show (``cluster.what_worked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, facts, heading, text
from cluster.commands.inputs import data_for
from cluster.commands.what_worked import SetSharing
from cluster.referrals.forms import AREAS_OF_NEED, NEED_CODES
from cluster.what_worked import MIN_REFERRALS, YEAR_BANDS, Found, ProvisionResult, Scope, Sharing

EXPLAINER = (
    f"Funded provisions with how their reviews rated the outcomes, and the advice peers gave in "
    f"solution-focused discussions. Only groups of {MIN_REFERRALS} or more referrals are shown, and no pupil, "
    f"school, referral or person is named."
)
SHARING_EXPLAINER = (
    "With the council's consent, a cluster's record of what worked is searched by every cluster that shares "
    "its own, and its people can search theirs. What is shared is only groups of five or more referrals: "
    "provisions, cost bands, outcome counts and advice, never a pupil, school, referral or person."
)


def _choice_input(input_id: str, label: str, choices: Sequence[tuple[str, str]], value: str) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "placeholder": "Any",
        "value": value,
        "choices": [{"title": title, "value": code} for code, title in choices],
    }


def _text_input(input_id: str, label: str, value: str, placeholder: str, max_length: int) -> dict[str, Any]:
    return {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "value": value,
        "placeholder": placeholder,
        "maxLength": max_length,
    }


def _form(found: Found) -> list[dict[str, Any]]:
    query = found.query
    form = [
        _choice_input("area_of_need", "Area of need", AREAS_OF_NEED, query.area_of_need),
        _choice_input("need_code", "Need code", NEED_CODES, query.need_code),
        _choice_input("year_band", "Year group band", YEAR_BANDS, query.year_band),
        _text_input("provision", "Provision", query.provision, "e.g. speech and language group", 200),
        _text_input("text", "Words to find", query.text, "e.g. transition, anxiety, reading", 300),
    ]
    if found.can_search_city:
        form.append(
            {
                "type": "Input.ChoiceSet",
                "id": "scope",
                "label": "Whose record",
                "style": "expanded",
                "value": query.scope.value,
                "choices": [
                    {"title": "My cluster's", "value": Scope.CLUSTER.value},
                    {"title": "Every cluster that shares its record", "value": Scope.CITY.value},
                ],
            }
        )
    return form


def _group(group: ProvisionResult) -> dict[str, Any]:
    outcomes = group.outcomes
    return {
        "type": "Container",
        "separator": True,
        "items": [
            text(group.provision, weight="Bolder"),
            facts(
                [
                    ("Area of need", group.area_label),
                    ("Cost", f"{group.cost_band} a provision"),
                    ("Outcomes", f"{outcomes.in_words}: {outcomes.counts}"),
                    ("Rests on", f"{group.referrals} referrals"),
                ]
            ),
        ],
    }


def what_worked_card(found: Found, officer: bool = False) -> Card:
    """The search form, filled in as asked, and what it found in the record ``found`` read."""
    body: list[dict[str, Any]] = [
        heading("What worked"),
        text(EXPLAINER, subtle=True),
    ]
    if found.note:
        body.append(text(found.note, color="Attention"))
    body += _form(found)
    searched = f"Searched {found.scope_label}."
    if not found.groups:
        body.append(
            text(
                f"{searched} No provision matches that rests on {MIN_REFERRALS} or more referrals: "
                "try fewer words, or another area of need.",
                separator=True,
            )
        )
    else:
        title = "Most often achieved" if found.query.is_empty else "Provisions that match, best first"
        body += [text(title, weight="Bolder", size="Medium", separator=True), text(searched, subtle=True)]
        body += [_group(g) for g in found.groups]
    if found.advice is not None:
        body += [
            text("What peers advised", weight="Bolder", size="Medium", separator=True),
            text(f"From {found.advice.discussions} discussions that match; the closest first.", subtle=True),
        ]
        body += [{"type": "Container", "style": "emphasis", "items": [text(said)]} for said in found.advice.texts]
    actions = [execute("Search", verbs.WHAT_WORKED)]
    if officer:
        actions.append(button("Who shares", verbs.WHAT_WORKED_SHARING))
    return card(body, actions)


def sharing_card(clusters: Sequence[Sharing], notice: str | None = None) -> Card:
    """The council officer's card: which clusters share their record, and a cluster to change."""
    sharing = [c.name for c in clusters if c.shares]
    body: list[dict[str, Any]] = [heading("What worked: sharing"), text(SHARING_EXPLAINER, subtle=True)]
    if notice:
        body.append(text(notice, weight="Bolder"))
    said = ", ".join(sharing) if sharing else "none yet"
    body.append(text(f"Sharing now ({len(sharing)} of {len(clusters)}): {said}."))
    actions: list[dict[str, Any]] = []
    if clusters:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "cluster_id",
                "label": "Cluster",
                "style": "compact",
                "isRequired": True,
                "errorMessage": "Choose a cluster.",
                "choices": [
                    {"title": f"{c.name} ({'shares' if c.shares else 'does not share'})", "value": str(c.cluster_id)}
                    for c in clusters
                ],
            }
        )
        actions = [
            execute("Share its record", verbs.WHAT_WORKED_SHARE, data_for(SetSharing, share="on")),
            execute("Stop sharing", verbs.WHAT_WORKED_SHARE, data_for(SetSharing, share="off")),
        ]
    return card(body, [*actions, button("Search what worked", verbs.WHAT_WORKED)])
