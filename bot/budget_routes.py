"""The ``budget`` command and card: admins and council officers set a cluster's budget from Teams."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Engine

from bot.routes import Reply, Request, Routes, text_input
from cards import verbs
from cards.budget import PART_FIELDS, budget_card
from cluster.clock import LONDON, Clock
from cluster.errors import Refusal
from cluster.provision import parse_money
from store import meeting_day as md


class BudgetRoutes:
    """Show and set the budget."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["budget"] = self.show
        routes.verbs.update({verbs.BUDGET: self.show, verbs.BUDGET_SET: self.set})

    def _card(
        self,
        request: Request,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notice: str | None = None,
    ) -> Reply:
        cluster, can_set = md.budget_cluster(self.engine, request.actor)
        view = md.budget_for(self.engine, cluster, self.clock.now().astimezone(LONDON).date())
        if view is None:
            return Reply(card=budget_card(cluster, None, None, None, None, None, can_set, values, errors, notice))
        return Reply(
            card=budget_card(
                cluster, view.label, view.starts, view.ends, view.rule, view.position, can_set, values, errors, notice
            )
        )

    async def show(self, request: Request) -> Reply:
        """The budget covering today."""
        return self._card(request)

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
            return self._card(request, values, errors)
        cluster, _ = md.budget_cluster(self.engine, request.actor)
        try:
            view = md.set_budget_as(
                self.engine,
                request.actor,
                cluster,
                values["label"],
                dates["starts"],
                dates["ends"],
                parts,
                self.clock.now(),
            )
        except Refusal as refusal:
            if refusal.message.startswith("Only"):
                raise
            return self._card(request, values, {"form": refusal.message})
        return self._card(request, notice=f"Saved the {view.label} budget.")
