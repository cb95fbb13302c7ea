"""Reading referrals: opening one (its form, or read-only), the referrer's list, and one to export.

Every read is audited: referrals hold special category data. These units write only their audit line, so
they take no turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, case
from sqlmodel import Session, col, select

from cluster import referrals as rules
from cluster.commands.referrals import NamesReferral, OpenReferral
from cluster.errors import Refusal
from cluster.permissions import READ_REFERRAL, Forbidden
from cluster.referrals import ReferralView, State
from store import audit
from store.db import transaction
from store.models import Referral
from store.referral_views import view_of, views_of
from usecases.lists import Page, first_page
from usecases.people import Actor, require_registered
from usecases.referrals.access import (
    NOT_A_REFERRER,
    NOT_FOUND,
    can_edit,
    can_read,
    check_edit,
    deadline_refusal,
    load,
    referrer_setting_ids,
)

# "My referrals" shows a school's newest referrals: 30 make a card of about 23 KB, inside the 28 KB Teams takes.
MINE_SHOWN = 30


@dataclass(frozen=True)
class OpenedReferral:
    """A referral as its opener may see it.

    ``edit`` when they may change it now (show its form); else it is shown read-only, with ``editable``
    saying whether to offer Edit.
    """

    view: ReferralView
    edit: bool
    editable: bool


def open_referral(engine: Engine, actor: Actor, command: OpenReferral, now: datetime) -> OpenedReferral:
    """A referral opened from a card: its form if the actor may change it now, else its read-only view.

    Every opening is audited: referrals hold special category data. The unit writes only the audit line,
    so it takes no turn.
    """
    with transaction(engine, serial=False) as session:
        referral = load(session, command.referral_id)
        may_edit = can_edit(actor, referral)
        editable = may_edit and State(referral.state) in rules.EDITABLE and referral.erased_at is None
        edit = editable and deadline_refusal(session, referral, now) is None
        if not edit and not can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        return OpenedReferral(view_of(session, referral), edit, editable)


def open_for_edit(engine: Engine, actor: Actor, command: NamesReferral, now: datetime) -> ReferralView:
    """A referral the actor may change, to show one step of its form (the read audited, as every showing is).

    Any command naming the referral opens it (the costs, the documents, the review step's). The unit writes
    only the audit line, so it takes no turn.
    """
    with transaction(engine, serial=False) as session:
        referral = check_edit(session, actor, load(session, command.referral_id), now)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        return view_of(session, referral)


def read(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> tuple[ReferralView, bool]:
    """A referral the actor may see (referrers, and the cluster's admins and team), and whether they may edit it.

    Every read is audited: referrals hold special category data.
    """
    with transaction(engine, serial=False) as session:
        referral = load(session, referral_id)
        if not can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        editable = can_edit(actor, referral) and State(referral.state) in rules.EDITABLE
        editable = editable and referral.erased_at is None
        return view_of(session, referral), editable


def mine(engine: Engine, actor: Actor, now: datetime) -> Page[ReferralView]:
    """The newest referrals of the settings the actor acts for, withdrawn ones last, in a fixed number of queries."""
    require_registered(actor)
    settings = referrer_setting_ids(actor)
    if not settings:
        raise Refusal(NOT_A_REFERRER)
    with transaction(engine, serial=False) as session:
        withdrawn_last = case((col(Referral.state) == State.WITHDRAWN.value, 1), else_=0)
        found = session.exec(
            select(Referral)
            .where(col(Referral.setting_id).in_(settings))
            .order_by(withdrawn_last, col(Referral.id).desc())
            .limit(MINE_SHOWN + 1)
        ).all()
        page = first_page(views_of(session, found), MINE_SHOWN)
        audit.record(session, now, actor.tag, "referral.list", "referrals:mine", count=len(page.items))
    return page


def for_export(
    engine: Engine, actor: Actor, referral: int | str, now: datetime, *, offer_only: bool = False
) -> ReferralView:
    """A referral (by id, or by reference such as ``CEN-2526-014``) to export as a document, the export audited.

    ``offer_only``: the pack is only being offered (Teams asks the person first), so nothing is audited yet;
    the one ``referral.export`` line is written when they accept and the pack is made for them.
    """
    with transaction(engine, serial=False) as session:
        found = load(session, referral) if isinstance(referral, int) else _by_reference(session, referral)
        if not can_read(actor, found):
            raise Forbidden(READ_REFERRAL.refusal)
        if not offer_only:
            audit.record(session, now, actor.tag, "referral.export", f"referral:{found.id}")
        return view_of(session, found)


def _by_reference(session: Session, reference: str) -> Referral:
    found = session.exec(select(Referral).where(Referral.reference == reference.strip().upper())).first()
    if found is None:
        raise Refusal(NOT_FOUND)
    return found
