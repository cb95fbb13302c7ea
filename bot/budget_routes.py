"""The ``budget`` command and card: admins and council officers set a cluster's budget from Teams."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Engine

from bot.routes import Reply, Request, Routes, text_input
from cards import verbs
from cards.budget import PART_FIELDS, budget_card
from cluster.clock import LONDON, Clock
from cluster.provision import parse_money
from usecases import budget as uc


class BudgetRoutes:
    """Show and set the budget."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["budget"] = self.show
        routes.verbs.update({verbs.BUDGET: self.show, verbs.BUDGET_SET: self.set})

    @staticmethod
    def _card(
        shown: uc.BudgetCard,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notice: str | None = None,
    ) -> Reply:
        view = shown.view
        if view is None:
            return Reply(
                card=budget_card(shown.cluster, None, None, None, None, None, shown.can_set, values, errors, notice)
            )
        return Reply(
            card=budget_card(
                shown.cluster,
                view.label,
                view.starts,
                view.ends,
                view.rule,
                view.position,
                shown.can_set,
                values,
                errors,
                notice,
            )
        )

    def _today(self) -> date:
        return self.clock.now().astimezone(LONDON).date()

    async def show(self, request: Request) -> Reply:
        """The budget covering today."""
        return self._card(uc.budget_card(self.engine, request.actor, self._today()))

    async def set(self, request: Request) -> Reply:
        """Save the budget; mistakes come back next to their fields, nothing half-saved."""
        data = request.data
        names = ("label", "starts", "ends", *(key for key, _ in PART_FIELDS))
        values = {name: text_input(data, name) for name in names}
        errors: dict[str, str] = {}
        if not values["label"]:
            errors["label"] = "Name the funding period, such as 2025/26."
        dates: dict[str, date] = {}
        for name in ("starts", "ends"):
            try:
                dates[name] = date.fromisoformat(values[name])
            except ValueError:
                errors[name] = "Choose a date."
        parts: list[int] = []
        for key, title in PART_FIELDS:
            try:
                parts.append(parse_money(values[key] or ("0" if key != "baseline" else "")))
            except ValueError as exc:
                errors[key] = f"{title.removesuffix(' (£)')}: {exc}."
        if errors:
            return self._card(uc.budget_card(self.engine, request.actor, self._today()), values, errors)
        saved = uc.set_budget_as(
            self.engine, request.actor, values["label"], dates["starts"], dates["ends"], parts, self.clock.now()
        )
        if saved.refused is not None:
            return self._card(saved, values, {"form": saved.refused})
        return self._card(saved, notice=f"Saved the {values['label']} budget.")
