"""Starting a referral and filling in its details: the picker, a new draft, the kind's form.

A new draft takes the person's turn (their picker key is what it checks); saving the details takes the
referral's own (:func:`store.db.take_turn`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from cluster import referrals as rules
from cluster.commands.referrals import CHOOSE_SETTING, SaveDetails, StartReferral
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import START_REFERRAL, authorize
from cluster.referrals import Kind, ReferralView, State
from store import audit
from store.db import take_turn, transaction
from store.models import Referral, Setting
from store.referral_views import view_of
from store.repo import get_or_refuse
from usecases.people import Actor, require_registered
from usecases.referrals.access import NOT_A_REFERRER, take_for_edit, touch
from usecases.settings import capital_refusal

OUT_OF_DATE_PICKER = "This card is out of date. Type “new referral” to start again."


def picker(actor: Actor) -> list[tuple[int, str]]:
    """The settings the actor can refer for, as (id, name) by name; refuses people who can't refer."""
    require_registered(actor)
    names = {
        g.setting_id: g.setting or "" for g in actor.grants if g.setting_id is not None and START_REFERRAL.holds(g.role)
    }
    if not names:
        raise Refusal(NOT_A_REFERRER)
    return sorted(names.items(), key=lambda pair: (pair[1], pair[0]))


def start(engine: Engine, actor: Actor, command: StartReferral, now: datetime) -> ReferralView:
    """Create a draft; the same picker key (a double click, a repeated delivery) finds the same draft."""
    require_registered(actor)
    setting_id, kind, key = command.setting_id, command.kind, command.once
    assert actor.person_id is not None
    if setting_id is None:
        raise Refusal(CHOOSE_SETTING)
    try:
        chosen_kind = Kind(kind)
    except ValueError:
        raise Refusal("Choose one of the kinds of referral.") from None
    if not key or len(key) > 64:
        raise Refusal(OUT_OF_DATE_PICKER)
    with transaction(engine, serial=False) as session:
        # The key is the person's own (their picker card's): their turn keeps a doubled click to one draft.
        take_turn(session, "person", actor.person_id)
        existing = session.exec(select(Referral).where(Referral.creation_key == key)).first()
        if existing is not None:
            if existing.created_by != actor.person_id:
                raise Refusal(OUT_OF_DATE_PICKER)
            return view_of(session, existing)
        setting = get_or_refuse(session, Setting, setting_id, CHOOSE_SETTING)
        authorize(actor.grants, START_REFERRAL, setting.cluster_id, setting.id)
        if chosen_kind is Kind.CAPITAL:
            refusal = capital_refusal(session, setting)
            if refusal is not None:
                raise Refusal(refusal)
        referral = Referral(
            cluster_id=setting.cluster_id,
            setting_id=setting.id or 0,
            created_by=actor.person_id,
            kind=chosen_kind.value,
            state=State.DRAFT.value,
            creation_key=key,
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        session.flush()
        audit.record(session, now, actor.tag, "referral.create", f"referral:{referral.id}", kind=chosen_kind.value)
        return view_of(session, referral)


def save_details(engine: Engine, actor: Actor, command: SaveDetails, now: datetime) -> ReferralView:
    """Save the kind's form; any mistake raises :class:`~cluster.errors.InvalidInput` and stores nothing."""
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, command.referral_id, now)
        view = view_of(session, referral)
        checked = rules.check_details(view.kind, command.answers, view.partner_choices)
        if checked.errors:
            raise InvalidInput(checked.errors, dict(command.answers))
        if checked.values == referral.details:
            return view
        referral.details = checked.values
        touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="details")
        session.flush()
        return view_of(session, referral)
