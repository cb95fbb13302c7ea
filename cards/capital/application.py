"""One Capital Fund application as the person looking at it sees it, with the forms their role fills in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cards import verbs
from cards.capital.board import board_section
from cards.capital.common import Element, attention, open_button, statements, summary
from cards.capital.panel import panel_section
from cards.capital.project import impact_section, project_section
from cards.common import Card, button, card, heading, text
from cluster.capital_fund import ApplicationView, Stage, Viewer


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
    body += summary(view)
    if view.late and (viewer.officer or viewer.chairs):
        body += attention([f"Late: {late}" for late in view.late])
    body += statements(view)
    if view.stage is not Stage.WITHDRAWN:
        body += panel_section(view, viewer, values, errors)
        body += board_section(view, viewer, values, errors)
        body += project_section(view, viewer, values, errors, today)
        body += impact_section(view, viewer, values, errors)
    return card(body, [open_button(view, "Refresh"), button("Capital Fund", verbs.CAPITAL)])
