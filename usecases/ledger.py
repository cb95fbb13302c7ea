"""The revenue ledger's use cases: instalments written, cancelled and marked paid.

Instalments are written with a decision and cancelled by a review that stops the funding; a council officer
marks them paid on the payments card or by importing the finance system's CSV.

Writing and cancelling happen inside the unit of work that records the decision or submits the review
(which hold the cluster's turn); marking paid takes the cluster's turn itself, so a payment and a review
stopping the same allocation never cross. The import is one serial unit: every line is checked first, and
if any does not match, nothing is marked paid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from cluster.clock import LONDON
from cluster.commands.ledger import INSTALMENT_GONE, MarkPaid
from cluster.decisions import Schedule
from cluster.errors import InvalidInput, Refusal
from cluster.ledger import (
    InstalmentState,
    InstalmentView,
    Payment,
    PaymentLine,
    PaymentsView,
    check_paid,
    check_reference,
    parse_payment_rows,
    plan_payments,
)
from cluster.permissions import RECORD_PAYMENTS, Forbidden, authorize, clusters_reached
from cluster.provision import format_pence
from cluster.terms import Term, term_of, terms_warning
from cluster.text import clean_all
from store import audit
from store.db import take_turn, transaction
from store.models import Instalment
from store.terms import loaded_terms
from usecases.csv_files import FileProblems, read_text
from usecases.csv_files import rows as csv_rows
from usecases.people import Actor

# The payments card lists what is due now and in the next fortnight (so an officer can pay at the start of
# term), oldest first; 20 instalments make a card of about 25 KB, well inside Teams' limit.
DUE_AHEAD_DAYS = 14
SHOWN = 20

_T = SQLModel.metadata.tables
_INST, _DECISION, _REFERRAL = _T["instalment"], _T["decision"], _T["referral"]
_SETTING, _CLUSTER, _ITEM, _MEETING = _T["setting"], _T["cluster"], _T["agenda_item"], _T["meeting"]

# An instalment with what its views name: cluster, referral reference, setting, and the meeting's day.
_VIEW_COLUMNS = (
    _INST.c.id,
    _INST.c.decision_id,
    _CLUSTER.c.name,
    _REFERRAL.c.reference,
    _SETTING.c.name,
    _INST.c.due_on,
    _INST.c.amount_pence,
    _INST.c.state,
    _INST.c.paid_on,
    _INST.c.paid_reference,
    _MEETING.c.day,
    _INST.c.paid_by,
)
_VIEW_FROM = (
    _INST.join(_DECISION, _DECISION.c.id == _INST.c.decision_id)
    .join(_REFERRAL, _REFERRAL.c.id == _DECISION.c.referral_id)
    .join(_SETTING, _SETTING.c.id == _REFERRAL.c.setting_id)
    .join(_CLUSTER, _CLUSTER.c.id == _INST.c.cluster_id)
    .join(_ITEM, _ITEM.c.id == _DECISION.c.item_id)
    .join(_MEETING, _MEETING.c.id == _ITEM.c.meeting_id)
)
_DUE_BY = (
    sa_select(*_VIEW_COLUMNS)
    .select_from(_VIEW_FROM)
    .where(_INST.c.state == InstalmentState.DUE.value, _INST.c.due_on <= bindparam("horizon"))
)
_LATER = sa_select(func.count(_INST.c.id)).where(
    _INST.c.state == InstalmentState.DUE.value, _INST.c.due_on > bindparam("horizon")
)


# --- written with the decision, cancelled by a review --------------------------------------------------------


def plan_for(
    session: Session, amount_pence: int, schedule: Schedule, decided_on: date, review: date
) -> tuple[Payment, ...]:
    """A funded decision's payments on the loaded term dates; refuses, asking for term dates, past them."""
    return plan_payments(loaded_terms(session), amount_pence, schedule is Schedule.TERMLY, decided_on, review)


def write_instalments(session: Session, decision_id: int, cluster_id: int, payments: Sequence[Payment]) -> None:
    """Write a decision's instalments, all due, in the caller's unit (the decision's own)."""
    for position, payment in enumerate(payments, start=1):
        session.add(
            Instalment(
                decision_id=decision_id,
                cluster_id=cluster_id,
                position=position,
                due_on=payment.due_on,
                amount_pence=payment.amount_pence,
                state=InstalmentState.DUE.value,
            )
        )


def payments_of(session: Session, decision_id: int) -> tuple[Payment, ...]:
    """A decision's instalments as planned, in order (for its outcome notice and letter)."""
    terms = loaded_terms(session)
    rows = session.exec(
        select(Instalment).where(Instalment.decision_id == decision_id).order_by(col(Instalment.position))
    ).all()
    return tuple(Payment(r.due_on, r.amount_pence, _label(terms, r.due_on)) for r in rows)


def cancel_unpaid(session: Session, decision_id: int, now: datetime) -> int:
    """Cancel every instalment of the decision not yet paid, in the caller's unit; returns what was cancelled."""
    cancelled = 0
    for row in session.exec(
        select(Instalment).where(Instalment.decision_id == decision_id, Instalment.state == InstalmentState.DUE.value)
    ):
        row.state = InstalmentState.CANCELLED.value
        row.cancelled_at = now
        session.add(row)
        cancelled += row.amount_pence
    return cancelled


# --- the payments card ---------------------------------------------------------------------------------------


def _label(terms: Sequence[Term], day: date) -> str:
    term = term_of(terms, day)
    return term.label if term is not None else ""


INSTALMENTS = sa_select(*_VIEW_COLUMNS).select_from(_VIEW_FROM)
"""Instalments with their cluster, reference, setting and meeting day; read each row with :func:`instalment_view`."""
INSTALMENT_CLUSTER = _INST.c.cluster_id


def instalment_view(row: Sequence[Any], terms: Sequence[Term]) -> InstalmentView:
    """An instalment row of :data:`INSTALMENTS` as the views show it, named by its term."""
    return _view(row, terms)


def _view(row: Sequence[Any], terms: Sequence[Term]) -> InstalmentView:
    due_on = row[5]
    paid_on = row[8]
    assert isinstance(due_on, date)
    return InstalmentView(
        id=int(row[0]),
        decision_id=int(row[1]),
        cluster=str(row[2]),
        reference=str(row[3] or ""),
        setting=str(row[4]),
        due_on=due_on,
        amount_pence=int(row[6]),
        state=InstalmentState(str(row[7])),
        term=_label(terms, due_on),
        paid_on=paid_on if isinstance(paid_on, date) else None,
        paid_reference=str(row[9]) if row[9] is not None else None,
    )


def _reached(actor: Actor) -> frozenset[int] | None:
    reached = clusters_reached(actor.grants, RECORD_PAYMENTS)
    if reached is not None and not reached:
        raise Forbidden(RECORD_PAYMENTS.refusal)
    return reached


def _payments(
    session: Session,
    actor: Actor,
    today: date,
    *,
    notice: str | None = None,
) -> PaymentsView:
    """The card's content in three queries: term dates, what is due by the horizon, how many later (four: more)."""
    reached = _reached(actor)
    horizon = today + timedelta(days=DUE_AHEAD_DAYS)
    terms = loaded_terms(session)
    query = _DUE_BY
    later_query = _LATER
    if reached is not None:
        query = query.where(_INST.c.cluster_id.in_(sorted(reached)))
        later_query = later_query.where(_INST.c.cluster_id.in_(sorted(reached)))
    rows = (
        session.connection()
        .execute(query.order_by(_INST.c.due_on, _CLUSTER.c.name, _INST.c.id).limit(SHOWN + 1), {"horizon": horizon})
        .all()
    )
    later = int(session.connection().execute(later_query, {"horizon": horizon}).scalar() or 0)
    due = tuple(_view(r, terms) for r in rows[:SHOWN])
    # Only the first page is read; "more" is exact up to one beyond it, so count the rest when there are.
    extra = 0
    if len(rows) > SHOWN:
        count = sa_select(func.count(_INST.c.id)).where(
            _INST.c.state == InstalmentState.DUE.value, _INST.c.due_on <= bindparam("horizon")
        )
        if reached is not None:
            count = count.where(_INST.c.cluster_id.in_(sorted(reached)))
        extra = int(session.connection().execute(count, {"horizon": horizon}).scalar() or 0) - SHOWN
    return PaymentsView(
        today=today,
        horizon=horizon,
        due=due,
        more=extra,
        later=later,
        warning=terms_warning(terms, today),
        notice=notice,
    )


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def payments(engine: Engine, actor: Actor, now: datetime) -> PaymentsView:
    """The officer's payments card: instalments due now and in the next fortnight, in every cluster they reach."""
    with transaction(engine, read_only=True) as session:
        return _payments(session, actor, _today(now))


def _check_paid(view: InstalmentView, row: Any, paid_on: date, today: date, reference: str) -> bool:
    """The rules' check of marking this instalment paid (``row`` is its query row: the decision's day is in it)."""
    decided_on = row[10]
    assert isinstance(decided_on, date)
    return check_paid(
        view.state, view.amount_pence, decided_on, paid_on, today, (view.paid_on, view.paid_reference), reference
    )


def mark_paid(engine: Engine, actor: Actor, command: MarkPaid, now: datetime) -> PaymentsView:
    """Mark one instalment paid (on the day and with the finance system's reference typed); the card follows.

    A day or reference the rules refuse is a mistake beside that instalment's input (:class:`InvalidInput`),
    and nothing is stored; a cancelled or already-paid instalment is refused. The same click twice records it
    once.
    """
    instalment_id, paid_on, reference = command.instalment_id, command.paid_on, command.reference
    today = _today(now)
    day_input, reference_input = f"paid_on_{instalment_id}", f"reference_{instalment_id}"
    with transaction(engine, serial=False) as session:
        cluster_id = session.exec(select(Instalment.cluster_id).where(Instalment.id == instalment_id)).first()
        if cluster_id is None:
            raise Refusal(INSTALMENT_GONE)
        authorize(actor.grants, RECORD_PAYMENTS, cluster_id)
        take_turn(session, "cluster", cluster_id)
        row = (
            session.connection()
            .execute(sa_select(*_VIEW_COLUMNS).select_from(_VIEW_FROM).where(_INST.c.id == instalment_id))
            .one()
        )
        errors: dict[str, str] = {}
        try:
            checked_reference = check_reference(reference)
        except Refusal as refusal:
            errors[reference_input] = refusal.message
            checked_reference = ""
        if paid_on is None:
            errors[day_input] = "Choose the day it was paid."
        if errors:
            raise InvalidInput(errors, {})
        assert paid_on is not None
        view = _view(row, ())
        try:
            changed = _check_paid(view, row, paid_on, today, checked_reference)
        except Refusal as refusal:
            if view.state is InstalmentState.DUE:  # a date the rules refuse: next to the date
                raise InvalidInput({day_input: refusal.message}, {}) from None
            raise
        what = f"{view.reference} ({view.setting}): {format_pence(view.amount_pence)} due {_long(view.due_on)}"
        if changed:
            instalment = session.get(Instalment, instalment_id)
            assert instalment is not None
            instalment.state = InstalmentState.PAID.value
            instalment.paid_on, instalment.paid_reference, instalment.paid_by = paid_on, checked_reference, actor.tag
            session.add(instalment)
            session.flush()
            audit.record(
                session,
                now,
                actor.tag,
                "instalment.paid",
                f"instalment:{instalment_id}",
                decision=view.decision_id,
                amount=view.amount_pence,
                paid_on=paid_on.isoformat(),
                reference=checked_reference,
            )
        return _payments(session, actor, today, notice=f"Marked paid: {what}, on {_long(paid_on)}.")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- the finance system's CSV ----------------------------------------------------------------------------


class PaymentsRefused(FileProblems):
    """A payments file in which some lines do not match: nothing was marked paid; ``problems`` says which."""


@dataclass(frozen=True)
class PaymentsImported:
    """What an import marked paid: how many instalments and pence, and how many lines were already so."""

    paid: int
    paid_pence: int
    already: int


# Ids or references asked for per query: a file may name tens of thousands, more than a statement may bind.
_CHUNK = 1000


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    return (values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK))


def _by_id(session: Session, ids: Iterable[int]) -> dict[int, Sequence[Any]]:
    found: dict[int, Sequence[Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = session.connection().execute(
            sa_select(*_VIEW_COLUMNS).select_from(_VIEW_FROM).where(_INST.c.id.in_(chunk))
        )
        found.update((int(r[0]), r) for r in rows)
    return found


def _by_reference(session: Session, references: Iterable[str]) -> dict[tuple[str, date], list[Sequence[Any]]]:
    rows: list[Sequence[Any]] = []
    for chunk in _chunks(sorted({r.upper() for r in references if r})):
        rows.extend(
            session.connection().execute(
                sa_select(*_VIEW_COLUMNS).select_from(_VIEW_FROM).where(func.upper(_REFERRAL.c.reference).in_(chunk))
            )
        )
    found: dict[tuple[str, date], list[Sequence[Any]]] = {}
    for r in rows:
        due_on = r[5]
        assert isinstance(due_on, date)
        found.setdefault((str(r[3]).upper(), due_on), []).append(r)
    return found


def read_payments(text: str) -> tuple[list[PaymentLine], list[str]]:
    """The lines of a finance system's CSV and what is wrong with them (see :func:`parse_payment_rows`).

    A line the csv module cannot read (a value longer than its limit) ends the file with its own problem.
    """
    sample = text.lstrip("\ufeff")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(sample), dialect=dialect)
    unreadable: list[str] = []
    try:
        header = list(reader.fieldnames or [])
    except csv.Error:
        return [], ["line 1: the header cannot be read as CSV"]
    lines, problems = parse_payment_rows(header, clean_all([row for _, row in csv_rows(reader, unreadable)]))
    return lines, problems + unreadable


def import_payments(engine: Engine, path: Path, now: datetime, actor: str = "cli") -> PaymentsImported:
    """Mark paid every instalment a finance system's CSV lists, all or nothing.

    Each line must name one instalment that is due (or already paid on that day with that reference:
    importing the same file twice is harmless), for exactly its amount, paid no later than today and no
    earlier than the decision. Any line that does not match is reported (:class:`PaymentsRefused`) and
    nothing is marked paid.
    """
    try:
        text = read_text(path)
    except FileProblems as unreadable:
        raise PaymentsRefused(unreadable.problems) from None
    lines, problems = read_payments(text)
    if not lines and not problems:
        problems = [f"{path.name} holds no payments"]
    today = _today(now)
    with transaction(engine) as session:
        by_id = _by_id(session, (ln.instalment_id for ln in lines if ln.instalment_id is not None))
        by_reference = _by_reference(session, (ln.reference for ln in lines if ln.instalment_id is None))
        chosen: dict[int, PaymentLine] = {}
        paying: list[tuple[PaymentLine, Sequence[Any]]] = []
        already = 0
        for line in lines:
            if line.instalment_id is not None:
                row = by_id.get(line.instalment_id)
                if row is None:
                    problems.append(f"line {line.row}: no instalment {line.instalment_id}")
                    continue
            else:
                assert line.due_on is not None
                matches = by_reference.get((line.reference.upper(), line.due_on), [])
                if len(matches) != 1:
                    what = "no instalment" if not matches else f"{len(matches)} instalments"
                    problems.append(f"line {line.row}: {what} of {line.reference} falls due on {line.due_on}")
                    continue
                row = matches[0]
            view = _view(row, ())
            if line.instalment_id is not None and line.reference and line.reference.upper() != view.reference.upper():
                problems.append(
                    f"line {line.row}: instalment {view.id} belongs to {view.reference}, not {line.reference}"
                )
                continue
            if line.amount_pence != view.amount_pence:
                problems.append(
                    f"line {line.row}: {line.names} is for {format_pence(view.amount_pence)}, "
                    f"not {format_pence(line.amount_pence)}"
                )
                continue
            if view.id in chosen:
                problems.append(f"line {line.row}: {line.names} is also on line {chosen[view.id].row}")
                continue
            chosen[view.id] = line
            try:
                changed = _check_paid(view, row, line.paid_on, today, line.payment_reference)
            except Refusal as refusal:
                problems.append(f"line {line.row}: {line.names}: {refusal.message}")
                continue
            if changed:
                paying.append((line, row))
            else:
                already += 1
        if problems:
            raise PaymentsRefused(problems)
        rows = {
            r.id: r
            for r in session.exec(select(Instalment).where(col(Instalment.id).in_([int(r[0]) for _, r in paying])))
        }
        total = 0
        for line, row in paying:
            instalment = rows[int(row[0])]
            instalment.state = InstalmentState.PAID.value
            instalment.paid_on, instalment.paid_reference, instalment.paid_by = (
                line.paid_on,
                line.payment_reference,
                actor,
            )
            session.add(instalment)
            total += instalment.amount_pence
        session.flush()
        audit.record(
            session,
            now,
            actor,
            "payments.import",
            f"file:{path.name}",
            paid=len(paying),
            amount=total,
            already=already,
            instalments=[int(r[0]) for _, r in paying],
        )
        return PaymentsImported(len(paying), total, already)
