"""A costed referral's provision map: its rows, and what the setting itself contributes.

Each change takes the referral's turn, checks it may still change, and is counted and audited as one
change of its content (:func:`usecases.referrals.access.edited`). What was typed is checked by the
provision form's rules (:data:`cluster.referrals.PROVISION_FIELDS`); a mistake raises
:class:`~cluster.errors.InvalidInput` keyed by the field at fault, and nothing is stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from cluster import provision_map as pricing
from cluster import referrals as rules
from cluster.clock import LONDON
from cluster.commands.referrals import RemoveRow, SaveRow, SetContribution
from cluster.errors import InvalidInput, Refusal
from cluster.forms import check_form
from cluster.provision import ProvisionRow, format_pence
from cluster.referrals import Kind, ReferralView
from store import provision_lookup as lookup
from store.db import transaction
from store.models import ProvisionDocument, ProvisionLine, Referral
from store.referral_views import as_row, provision_lines, view_of
from usecases.people import Actor
from usecases.referrals.access import edited, take_for_edit

MAX_ROWS = 30
ROW_GONE = "That row has been removed. Add it again if you still need it."


def _typed_by_hand(command: SaveRow) -> ProvisionRow:
    """A row typed in full, as before the council's document: no reason asked, because there is no document."""
    checked = check_form(rules.PROVISION_FIELDS, command.typed)
    if checked.errors:
        raise InvalidInput(checked.errors, command.typed)
    return rules.provision_row(checked.values)


def _row_values(session: Session, referral: Referral, command: SaveRow, today: date) -> ProvisionRow:
    """The row the form describes: priced from the referral's version of the council's document, or by hand.

    A referral priced from the document keeps that version (set here, by its first document row); without one,
    today's version is searched. A provision the document lacks needs the reason it is asked for; with no
    document at all, rows are typed by hand as they always were.
    """
    document_id = referral.provision_document_id or lookup.current_document(session, today)
    if document_id is None and command.entry is None:
        return _typed_by_hand(command)
    typed = command.typed
    pricing.choose_or_describe(command.entry is not None, typed)
    if command.entry is None:
        return pricing.custom_row(typed)
    entry = lookup.entry(session, command.entry)
    if entry is None or entry.document_id != document_id:
        if referral.provision_document_id is not None and entry is not None:
            version = session.get(ProvisionDocument, referral.provision_document_id)
            wrong = pricing.WRONG_VERSION.format(version=version.version if version else "")
            raise InvalidInput({pricing.ENTRY: wrong}, typed)
        raise InvalidInput({pricing.ENTRY: pricing.GONE}, typed)
    row = pricing.priced_row(entry, typed)
    referral.provision_document_id = entry.document_id  # kept: a later version never reprices this referral
    return row


def _apply_row(line: ProvisionLine, row: ProvisionRow) -> None:
    line.provision, line.area_of_need, line.delivered_by = row.provision, row.area_of_need, row.delivered_by
    line.minutes_per_session, line.sessions_per_week = row.minutes_per_session, row.sessions_per_week
    line.group_size, line.weeks, line.hourly_rate_pence = row.group_size, row.weeks, row.hourly_rate_pence
    line.unit, line.entry_id, line.custom_reason = row.unit, row.entry_id, row.custom_reason


def add_row(engine: Engine, actor: Actor, command: SaveRow, now: datetime) -> ReferralView:
    """Add a provision row at the end of the map."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, referral_id, now)
        if Kind(referral.kind) not in rules.COSTED:
            raise Refusal(rules.NO_COST_ROWS)
        row = _row_values(session, referral, command, now.astimezone(LONDON).date())
        lines = provision_lines(session, referral_id)
        if len(lines) >= MAX_ROWS:
            raise Refusal(f"A provision map can have at most {MAX_ROWS} rows.")
        line = ProvisionLine(
            referral_id=referral_id,
            position=len(lines) + 1,
            provision="",
            area_of_need="",
            delivered_by="",
            minutes_per_session=0,
            sessions_per_week=0,
            group_size=1,
            weeks=0,
            hourly_rate_pence=0,
        )
        _apply_row(line, row)
        session.add(line)
        return edited(session, actor, referral, "row.add", now)


def _line(session: Session, referral: Referral, row_id: int | None) -> ProvisionLine | None:
    line = session.get(ProvisionLine, row_id) if row_id is not None else None
    return line if line is not None and line.referral_id == referral.id else None


def edit_row(engine: Engine, actor: Actor, command: SaveRow, now: datetime) -> ReferralView:
    """Replace the provision row the command names (one no longer there is refused: it was removed)."""
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, command.referral_id, now)
        row = _row_values(session, referral, command, now.astimezone(LONDON).date())
        line = _line(session, referral, command.row_id)
        if line is None:
            raise Refusal(ROW_GONE)
        _apply_row(line, row)
        session.add(line)
        return edited(session, actor, referral, "row.edit", now)


def remove_row(engine: Engine, actor: Actor, command: RemoveRow, now: datetime) -> ReferralView:
    """Remove one provision row; removing it twice is harmless."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, referral_id, now)
        line = _line(session, referral, command.row_id)
        if line is None:
            return view_of(session, referral)
        session.delete(line)
        session.flush()
        # The school's contribution cannot be more than what is left.
        total = sum(as_row(kept).cost_pence for kept in provision_lines(session, referral_id))
        referral.contribution_pence = min(referral.contribution_pence, total)
        return edited(session, actor, referral, "row.remove", now)


def set_contribution(engine: Engine, actor: Actor, command: SetContribution, now: datetime) -> ReferralView:
    """Record what the setting itself pays; it cannot exceed the provision's total."""
    field = rules.CONTRIBUTION_FIELD
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, command.referral_id, now)
        typed = {field.name: command.contribution}
        checked = check_form((field,), typed)
        if checked.errors:
            raise InvalidInput(checked.errors, typed)
        amount = int(checked.values.get(field.name, 0))
        total = sum(as_row(line).cost_pence for line in provision_lines(session, command.referral_id))
        if amount > total:
            too_much = f"The contribution cannot be more than the total, {format_pence(total)}."
            raise InvalidInput({field.name: too_much}, typed)
        if amount == referral.contribution_pence:
            return view_of(session, referral)
        referral.contribution_pence = amount
        return edited(session, actor, referral, "contribution", now)
