"""Examples of the what worked cards: results with advice, nothing found with a note, and the sharing card."""

from __future__ import annotations

from typing import Any

from cards.what_worked import sharing_card, what_worked_card
from cluster.what_worked import Advice, Found, Outcomes, ProvisionResult, Query, Scope, Sharing
from usecases.what_worked_search import NOT_SHARING

_GROUPS = (
    ProvisionResult("Speech and language group", "CI", 42, 1_234_56, Outcomes(84, 42, 0)),
    ProvisionResult("Lego therapy", "CI", 17, 2_480_00, Outcomes(17, 17, 17)),
)
_ADVICE = Advice(
    (
        "Try a visual timetable and a calm corner before every transition; [removed] settled within weeks.",
        "Agree one key adult for the first half-term.",
    ),
    12,
)


def what_worked_gallery() -> dict[str, dict[str, Any]]:
    found = Found(Query(area_of_need="CI", text="speech"), "the Central cluster", _GROUPS, _ADVICE, "", True)
    asked = Query(provision="equine therapy", scope=Scope.CITY)
    nothing = Found(asked, "the Central cluster", (), None, NOT_SHARING)
    clusters = [Sharing(1, "Central", True), Sharing(2, "North", False)]
    return {
        "what_worked": what_worked_card(found, officer=True),
        "what_worked_nothing": what_worked_card(nothing),
        "what_worked_sharing": sharing_card(clusters, notice="Central now shares its record of what worked."),
    }
