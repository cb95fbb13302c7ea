"""A council officer records the Place, Planning and Sufficiency Board's decision; the setting is told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import col, select

from cards.capital.board import board_notice_card
from cluster import capital_fund as fund
from cluster import keys
from cluster.commands.capital import RecordBoardDecision
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import BOARD_DECISION, authorize
from cluster.referrals import State
from store import audit
from store.db import take_turn, transaction
from store.models import CapitalApplication, CapitalWindow
from store.outbox import owe_notice
from usecases.capital.access import (
    OpenedApplication,
    application_of,
    as_opened,
    load,
    refuse_unless_live,
    setting_people,
)
from usecases.capital.views import round_of
from usecases.people import Actor


def board_decision(
    engine: Engine,
    actor: Actor,
    command: RecordBoardDecision,
    now: datetime,
) -> OpenedApplication:
    """A council officer records the Board's decision; the setting is told (owed its notice in the unit).

    An approval is for up to what was asked, up to £15,000, and within what the round has left; a decline
    gives its reasons. Recorded once: a second, different decision is refused.
    """
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        year = session.exec(
            select(CapitalApplication.year_start).where(CapitalApplication.referral_id == referral_id)
        ).first()
        if year is not None:
            take_turn(session, "capital-round", year)  # the round's total is shared by every cluster
        referral, app = load(session, referral_id, turn=True)
        authorize(actor.grants, BOARD_DECISION, referral.cluster_id)
        refuse_unless_live(referral)
        app = application_of(app)
        if app.board_approved is not None:
            outcome = "approved" if app.board_approved else "declined"
            return as_opened(session, actor, referral_id, now, f"The Board's decision is recorded: {outcome}.")
        if app.recommendation is None:
            raise Refusal("The Board decides on the panel's recommendation: the chair has not recorded it yet.")
        approved = command.board == "approve"
        amount = command.amount if command.amount is not None else app.asked_pence  # none given: what was asked
        try:
            decided = fund.check_board_decision(approved, amount, app.asked_pence, command.conditions, command.reasons)
            round_ = round_of(session.get(CapitalWindow, app.year_start))
            if decided.approved and round_ is not None:
                elsewhere = session.exec(
                    select(func.coalesce(func.sum(CapitalApplication.board_amount_pence), 0)).where(
                        CapitalApplication.year_start == app.year_start,
                        col(CapitalApplication.board_approved).is_(True),
                        CapitalApplication.referral_id != referral_id,
                    )
                ).one()
                fund.check_within_round(round_.total_pence, int(elsewhere), decided.amount_pence)
        except Refusal as refused:
            raise InvalidInput({"board_form": refused.message}, {}) from None
        app.board_approved, app.board_amount_pence = decided.approved, decided.amount_pence
        app.board_conditions, app.board_reasons = decided.conditions, decided.reasons
        app.board_recorded_by, app.board_recorded_at = actor.person_id, now
        session.add(app)
        referral.state = State.DECIDED.value
        referral.version += 1
        referral.updated_at = now
        session.add(referral)
        audit.record(
            session,
            now,
            actor.tag,
            "capital.board",
            f"referral:{referral_id}",
            approved=decided.approved,
            amount_pence=decided.amount_pence,
        )
        opened = as_opened(session, actor, referral_id, now, "The Board's decision is recorded; the setting is told.")
        key = keys.capital_notice(referral_id, "board")
        owe_notice(session, key, now, board_notice_card(opened.view), setting_people(session, referral))
        return opened
