"""The project's journey to its money: started, completed, paid invoices, the quality-assurance visit, the release."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.capital.project import released_notice_card
from cluster import capital_fund as fund
from cluster import keys
from cluster.capital_fund import Stage
from cluster.clock import LONDON
from cluster.commands.capital import AddInvoice, MarkCompleted, MarkStarted, OnApplication, RecordVisit
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import QA_VISIT, RELEASE_CAPITAL, REPORT_PROJECT, Permission, authorize
from cluster.provision import format_pence
from store import audit
from store.db import transaction
from store.models import CapitalApplication, CapitalInvoice, Referral
from store.outbox import owe_notice
from usecases.capital.access import (
    OpenedApplication,
    application_of,
    as_opened,
    load,
    refuse_unless_live,
    setting_people,
)
from usecases.capital.views import today_of
from usecases.people import Actor, require_registered

MAX_INVOICES = 20
NO_AMOUNT = "An invoice's amount must be more than £0.00."

# --- the project's journey ------------------------------------------------------------------------------


def project_of(
    session: Session, actor: Actor, referral_id: int, permission: Permission, now: datetime
) -> tuple[Referral, CapitalApplication, OpenedApplication]:
    """The approved application whose project the actor reports on, in its turns (refused if none)."""
    referral, app = load(session, referral_id, turn=True)
    authorize(actor.grants, permission, referral.cluster_id, referral.setting_id)
    refuse_unless_live(referral)
    app = application_of(app)
    if not app.board_approved:
        raise Refusal("The Board has not approved this application, so it has no project to report on.")
    return referral, app, as_opened(session, actor, referral_id, now)


def _not_released(app: CapitalApplication) -> None:
    if app.released_pence is not None:
        raise Refusal("The money has been released, so the project's record is complete.")


def mark_stage(engine: Engine, actor: Actor, command: MarkStarted | MarkCompleted, now: datetime) -> OpenedApplication:
    """The SENCO marks the project started or completed, on the day the command gives.

    The start can be corrected until the project is completed; completion comes after the start, and not
    before its day.
    """
    stage, day = (
        (Stage.STARTED, command.started_on)
        if isinstance(command, MarkStarted)
        else (Stage.COMPLETED, command.completed_on)
    )
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        _, app, _ = project_of(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        if stage is Stage.STARTED:
            if app.completed_on is not None:
                raise Refusal("The project is marked completed, so its start can no longer change.")
            day = fund.check_journey_day(day, today_of(now), stage.value)
            changed, app.started_on = app.started_on != day, day
        else:
            if app.started_on is None:
                raise Refusal("Mark the project started first.")
            day = fund.check_journey_day(day, today_of(now), stage.value, app.started_on)
            changed, app.completed_on = app.completed_on != day, day
        if changed:
            session.add(app)
            audit.record(
                session, now, actor.tag, f"capital.{stage.value}", f"referral:{referral_id}", on=day.isoformat()
            )
        return as_opened(session, actor, referral_id, now, f"Marked {stage.value} on {day:%-d %B %Y}.")


def add_invoice(engine: Engine, actor: Actor, command: AddInvoice, now: datetime) -> OpenedApplication:
    """The SENCO gives a paid invoice's amount; the file they send next in this chat is kept with it.

    One invoice waits for its file at a time: giving another amount first corrects the waiting one's.
    """
    referral_id, amount = command.referral_id, command.invoice_amount
    with transaction(engine, serial=False) as session:
        _, app, _ = project_of(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        if app.started_on is None:
            raise Refusal("Mark the project started first: its invoices follow the work.")
        if amount < 1:
            raise InvalidInput({"invoice_amount": NO_AMOUNT}, {})
        assert actor.person_id is not None
        invoices = session.exec(select(CapitalInvoice).where(CapitalInvoice.referral_id == referral_id)).all()
        waiting = next((i for i in invoices if i.content is None and i.added_by == actor.person_id), None)
        if waiting is None and len(invoices) >= MAX_INVOICES:
            raise Refusal(f"A project can have at most {MAX_INVOICES} invoices.")
        invoice = waiting or CapitalInvoice(
            referral_id=referral_id, amount_pence=amount, added_by=actor.person_id, added_at=now
        )
        invoice.amount_pence = amount
        session.add(invoice)
        session.flush()
        audit.record(
            session,
            now,
            actor.tag,
            "capital.invoice",
            f"referral:{referral_id}",
            invoice=invoice.id,
            amount_pence=amount,
        )
        return as_opened(
            session,
            actor,
            referral_id,
            now,
            f"Now send the paid invoice for {format_pence(amount)} as a file in this chat (a PDF or a picture): "
            "I'll keep it with this amount.",
        )


def attach_invoice_file(
    engine: Engine, actor: Actor, name: str, content_type: str, data: bytes, now: datetime
) -> OpenedApplication | None:
    """Keep a file the SENCO sent with their invoice waiting for its file; None when none waits for one."""
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        waiting = session.exec(
            select(CapitalInvoice.id, CapitalInvoice.referral_id)
            .where(CapitalInvoice.added_by == actor.person_id, col(CapitalInvoice.content).is_(None))
            .order_by(col(CapitalInvoice.id).desc())
        ).first()
        if waiting is None:
            return None
        invoice_id, referral_id = waiting
        _, app, _ = project_of(session, actor, referral_id, REPORT_PROJECT, now)
        _not_released(app)
        invoice = session.get(CapitalInvoice, invoice_id)
        assert invoice is not None
        if invoice.content is not None:  # a file that arrived meanwhile: this one is for nothing waiting
            return None
        invoice.name, invoice.content_type, invoice.size_bytes = name[:200], content_type, len(data)
        invoice.content, invoice.file_at = data, now
        session.add(invoice)
        audit.record(
            session,
            now,
            actor.tag,
            "capital.invoice.file",
            f"referral:{referral_id}",
            invoice=invoice_id,
            size=len(data),
        )
        return as_opened(
            session,
            actor,
            referral_id,
            now,
            f"Kept {invoice.name} with the invoice for {format_pence(invoice.amount_pence)}.",
        )


def record_visit(engine: Engine, actor: Actor, command: RecordVisit, now: datetime) -> OpenedApplication:
    """A team-around-the-cluster member records the quality-assurance visit (a later visit replaces it)."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, app, _ = project_of(session, actor, referral_id, QA_VISIT, now)
        _not_released(app)
        if app.started_on is None:
            raise Refusal("The project has not started yet, so there is nothing to visit.")
        visit, errors = fund.check_visit(command, today_of(now))  # every mistake at once
        if visit is None:
            raise InvalidInput(errors, {})
        same = (app.visitor, app.visited_on, app.visit_passed, app.visit_notes) == (
            visit.visitor,
            visit.visited_on,
            visit.passed,
            visit.notes,
        )
        if not same:
            app.visitor, app.visited_on, app.visit_passed, app.visit_notes = (
                visit.visitor,
                visit.visited_on,
                visit.passed,
                visit.notes,
            )
            app.visit_recorded_by = actor.person_id
            session.add(app)
            audit.record(session, now, actor.tag, "capital.visit", f"referral:{referral.id}", passed=visit.passed)
        outcome = "passed" if visit.passed else "did not pass"
        return as_opened(
            session, actor, referral_id, now, f"Recorded the visit of {visit.visited_on:%-d %B %Y}: {outcome}."
        )


def release(engine: Engine, actor: Actor, command: OnApplication, now: datetime) -> OpenedApplication:
    """A council officer releases the money: the grant or the invoices' total, whichever is less.

    Refused, naming each missing step, until the project is completed, has passed its visit and has paid
    invoices in. The setting is owed its notice in the unit.
    """
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, app = load(session, referral_id, turn=True)
        authorize(actor.grants, RELEASE_CAPITAL, referral.cluster_id)
        refuse_unless_live(referral)
        app = application_of(app)
        if app.board_approved is None:
            raise Refusal("The money cannot be released yet: the Board has not decided this application.")
        if not app.board_approved:
            raise Refusal("The Board declined this application, so there is no money to release.")
        opened = as_opened(session, actor, referral_id, now)
        if app.released_pence is not None and app.released_at is not None:  # released before (or a doubled click)
            when = f"{app.released_at.astimezone(LONDON):%-d %B %Y}"
            return replace(opened, notice=f"Released {format_pence(app.released_pence)} on {when}.")
        amount = fund.release_amount(opened.view.progress.journey)
        app.released_pence, app.released_at, app.released_by = amount, now, actor.person_id
        session.add(app)
        audit.record(session, now, actor.tag, "capital.release", f"referral:{referral_id}", amount_pence=amount)
        opened = as_opened(session, actor, referral_id, now, f"Released {format_pence(amount)}; the setting is told.")
        key = keys.capital_notice(referral_id, "released")
        owe_notice(session, key, now, released_notice_card(opened.view), setting_people(session, referral))
        return opened
