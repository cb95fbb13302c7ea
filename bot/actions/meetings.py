"""Handlers for the admin's meetings card: add, move, cancel, and the online meeting link."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

from sqlalchemy import Engine

from bot.actions.legacy import Routes, text_input
from bot.actions.turn import DeliverSoon, Reply, Request
from cards import verbs
from cards.meeting import moved_notice_card
from cards.meetings import meetings_admin_card
from cluster.card_ids import meeting_id_of
from cluster.clock import Clock
from usecases import meetings as uc


class MeetingAdminRoutes:
    """The ``meetings`` command and its card's verbs."""

    def __init__(self, engine: Engine, clock: Clock, deliver_soon: DeliverSoon) -> None:
        self.engine = engine
        self.clock = clock
        # A meeting added may take what was left on an ended one: its referrers' notices are delivered soon.
        self.deliver_soon = deliver_soon

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["meetings"] = self.show
        routes.verbs.update(
            {
                verbs.MEETINGS: self.show,
                verbs.MEETING_ADD: self.add,
                verbs.MEETING_MOVE: self.move,
                verbs.MEETING_CANCEL: self.cancel,
                verbs.MEETING_LINK: self.link,
            }
        )

    @staticmethod
    def _card(
        card: uc.MeetingsCard,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        notice: str | None = None,
    ) -> Reply:
        return Reply(card=meetings_admin_card(card.cluster, card.slots, values, errors, notice))

    async def show(self, request: Request) -> Reply:
        """The cluster's meetings still to come."""
        return self._card(uc.admin_meetings(self.engine, request.actor, self.clock.now()))

    async def add(self, request: Request) -> Reply:
        """Add a meeting; a bad date or time comes back next to its field."""
        data = request.data
        values = {k: text_input(data, k) for k in ("new_day", "new_start", "new_end", "new_title", "new_link")}
        errors: dict[str, str] = {}
        try:
            day = date.fromisoformat(values["new_day"])
        except ValueError:
            errors["new_day"] = "Choose the meeting's date."
        try:
            start = time.fromisoformat(values["new_start"] or "09:30")
            end = time.fromisoformat(values["new_end"] or "13:00")
        except ValueError:
            errors["new_start"] = "Give the start and end times, such as 09:30 and 13:00."
        if errors:
            return self._card(uc.admin_meetings(self.engine, request.actor, self.clock.now()), values, errors)
        added = uc.add_meeting_as(
            self.engine,
            request.actor,
            day,
            self.clock.now(),
            start=start,
            end=end,
            title=values["new_title"],
            link=values["new_link"] or None,
            moved_notice=moved_notice_card,
        )
        self.deliver_soon()
        if added.refused is not None or added.slot is None:
            field = "new_link" if "link" in (added.refused or "") else "new_day"
            return self._card(added.card, values, {field: added.refused or ""})
        return self._card(added.card, notice=f"Added {added.slot.day:%A %-d %B %Y}.")

    async def move(self, request: Request) -> Reply:
        """Move a meeting; its referrals follow and its deadline moves with it."""
        data = request.data
        meeting_id = meeting_id_of(data)
        field = f"day_{meeting_id}"
        typed = {field: text_input(data, field)}
        try:
            day = date.fromisoformat(text_input(data, field))
        except ValueError:
            shown = uc.admin_meetings(self.engine, request.actor, self.clock.now())
            return self._card(shown, typed, {field: "Choose the new date."})
        moved = uc.move_meeting(self.engine, request.actor, meeting_id, day, self.clock.now())
        if moved.refused is not None or moved.slot is None:
            return self._card(moved.card, typed, {field: moved.refused or ""})
        return self._card(moved.card, notice=f"Moved to {moved.slot.day:%A %-d %B %Y}; its referrals moved with it.")

    async def cancel(self, request: Request) -> Reply:
        """Cancel a meeting; its referrals go to the next one."""
        cancelled = uc.cancel_meeting(self.engine, request.actor, meeting_id_of(request.data), self.clock.now())
        assert cancelled.slot is not None
        target = cancelled.slot
        return self._card(
            cancelled.card, notice=f"Cancelled. {cancelled.moved} referral(s) moved to {target.day:%A %-d %B %Y}."
        )

    async def link(self, request: Request) -> Reply:
        """Save the online meeting link."""
        data = request.data
        meeting_id = meeting_id_of(data)
        field = f"link_{meeting_id}"
        saved = uc.set_link(self.engine, request.actor, meeting_id, text_input(data, field), self.clock.now())
        if saved.refused is not None:
            return self._card(saved.card, {field: text_input(data, field)}, {field: saved.refused})
        return self._card(saved.card, notice="Link saved.")
