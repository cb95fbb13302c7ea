"""The ``budget`` command and card: admins and council officers set a cluster's budget from Teams."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Engine

from bot.actions.router import Reply, Request, Routes, text_input
from cards import verbs
from cards.budget import PART_FIELDS, budget_card
from cluster.card_ids import card_id, is_missing
from cluster.clock import LONDON, Clock
from cluster.provision import NotAnAmount, parse_money
from usecases import budget as uc


class BudgetRoutes:
    """Show and set the budget."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["budget"] = self.show
        routes.prefixed["budget"] = self.show  # "budget North": one cluster's, for those who reach several
        routes.verbs.update({verbs.BUDGET: self.show, verbs.BUDGET_SET: self.set})

    @staticmethod
    def _card(
        shown: uc.BudgetCard,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notice: str | None = None,
    ) -> Reply:
        view = shown.view
        return Reply(
            card=budget_card(
                shown.cluster,
                view.label if view else None,
                view.starts if view else None,
                view.ends if view else None,
                view.rule if view else None,
                view.position if view else None,
                shown.can_set,
                values,
                errors,
                notice,
                shown.cluster_id,
                shown.choices,
            )
        )

    def _today(self) -> date:
        return self.clock.now().astimezone(LONDON).date()

    @staticmethod
    def _cluster_id(request: Request) -> int | None:
        """The cluster a card names (None: the person's first); a forged one is refused by the use case."""
        value = request.data.get("cluster_id") if request.action is not None else None
        return None if is_missing(value) else card_id(value)

    async def show(self, request: Request) -> Reply:
        """The budget covering today: of the cluster the card or the typed name says, else the person's first."""
        named = request.text.removeprefix("budget").strip() if request.action is None else ""
        shown = uc.budget_card(self.engine, request.actor, self._today(), self._cluster_id(request), named or None)
        return self._card(shown)

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
        for key, _ in PART_FIELDS:
            try:
                parts.append(parse_money(values[key] or ("0" if key != "baseline" else "")))
            except NotAnAmount as wrong:
                errors[key] = wrong.message
        cluster_id = self._cluster_id(request)
        if errors:
            shown = uc.budget_card(self.engine, request.actor, self._today(), cluster_id)
            return self._card(shown, values, errors)
        saved = uc.set_budget_as(
            self.engine,
            request.actor,
            values["label"],
            dates["starts"],
            dates["ends"],
            parts,
            self.clock.now(),
            cluster_id,
        )
        if saved.refused is not None:
            return self._card(saved, values, {"form": saved.refused})
        return self._card(saved, notice=f"Saved the {values['label']} budget.")
