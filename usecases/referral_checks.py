"""Use cases for the admin's completeness check: the referrals waiting for it, accepting and returning them.

Accepting or returning answers with the list still to check, from the same unit of work, and with what the
click did (``Checked.done``): a click on a stale list (the same click twice, or another admin first) changes
nothing and says so. Both take the cluster's turn and then the referral's (store.db.take_turn): what the
agenda will hold is the cluster's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.commands.referrals import OneReferral, ReturnReferral
from cluster.errors import Refusal
from cluster.forms import Field, FieldType, check_form
from cluster.permissions import CHECK_REFERRALS, Forbidden, authorize
from cluster.referrals import Kind, ReferralView, State
from store import audit
from store.db import transaction
from store.models import Cluster, Referral
from store.referral_views import view_of, views_of
from usecases.capital import on_accepted
from usecases.lists import Page, first_page
from usecases.meeting_day.carry_over import carry_over
from usecases.people import Actor
from usecases.referrals import ReferralChanged, take_referral, told, touch

REASON_FIELD = Field("reason", "Reason for returning it", FieldType.MULTILINE, max_length=1000)
# Each entry carries facts, a reason box and three buttons (about 1.4 KB): 15 make a card of about 22 KB,
# inside the 28 KB Teams takes.
TO_CHECK_SHOWN = 15
# The list has a reason box per referral and no room for a mistake beside it, so a missing reason is refused.
NO_REASON = "Write the reason for returning it in the box next to that referral, then press Return."


Done = Literal["accepted", "returned", "already accepted", "already returned"]
"""What an Accept or Return click did: the change, or (``already ...``) nothing, as the referral had moved on."""


@dataclass(frozen=True)
class Checked(ReferralChanged):
    """A referral accepted or returned, what the click did, and the referrals still waiting for the check."""

    waiting: Page[ReferralView] = field(default_factory=Page)
    done: Done = "accepted"


def _checked_clusters(actor: Actor) -> list[int]:
    """The clusters whose referrals the actor checks, from the grants identified at the start of the turn."""
    clusters = sorted(
        {g.cluster_id for g in actor.grants if g.cluster_id is not None and CHECK_REFERRALS.holds(g.role)}
    )
    if not clusters:
        raise Forbidden(CHECK_REFERRALS.refusal)
    return clusters


def _waiting(session: Session, actor: Actor, now: datetime) -> Page[ReferralView]:
    """The oldest submitted referrals in the actor's clusters (the listing audited), in a fixed number of queries.

    Only submitted referrals of those clusters are read, oldest first; an index on (cluster_id, state,
    submitted_at) would answer it without a sort at any size.
    """
    found = session.exec(
        select(Referral)
        .where(col(Referral.cluster_id).in_(_checked_clusters(actor)), Referral.state == State.SUBMITTED.value)
        .order_by(col(Referral.submitted_at), col(Referral.id))
        .limit(TO_CHECK_SHOWN + 1)
    ).all()
    page = first_page(views_of(session, found), TO_CHECK_SHOWN)
    audit.record(session, now, actor.tag, "referral.list", "referrals:to-check", count=len(page.items))
    return page


def to_check(engine: Engine, actor: Actor, now: datetime) -> Page[ReferralView]:
    """Submitted referrals waiting for the completeness check, in the clusters the actor administers.

    The unit writes only its audit line, so it takes no turn.
    """
    _checked_clusters(actor)
    with transaction(engine, serial=False) as session:
        return _waiting(session, actor, now)


def _take_for_check(session: Session, actor: Actor, referral_id: int) -> Referral:
    referral = take_referral(session, referral_id, cluster=True)
    authorize(actor.grants, CHECK_REFERRALS, referral.cluster_id)
    return referral


def accept(engine: Engine, actor: Actor, command: OneReferral, now: datetime) -> Checked:
    """Accept a submitted referral onto its meeting's agenda (a capital one: to its round's panel); twice is harmless.

    The referrer is owed their notice in the same transaction. A referral whose meeting has ended meanwhile
    goes to the next meeting, its referrer told of that too (``usecases.meeting_day.carry_over``).
    """
    with transaction(engine, serial=False) as session:
        referral = _take_for_check(session, actor, command.referral_id)
        if referral.state in (State.ACCEPTED, State.RETURNED):  # a stale list: nothing to change, and it says so
            done: Done = "already accepted" if referral.state == State.ACCEPTED else "already returned"
            return Checked(view_of(session, referral), (), _waiting(session, actor, now), done)
        if referral.state != State.SUBMITTED:
            raise Refusal(
                f"Only a submitted referral can be accepted; {referral.reference or 'this one'} is {referral.state}."
            )
        referral.state = State.ACCEPTED.value
        touch(referral, now)
        session.add(referral)
        if referral.kind == Kind.CAPITAL.value:
            on_accepted(session, referral, now)  # to its round's Cluster Panel, not a meeting's agenda
        else:
            cluster = session.get(Cluster, referral.cluster_id)
            assert cluster is not None
            carry_over(session, referral.cluster_id, cluster.name, now, actor.tag)
        audit.record(session, now, actor.tag, "referral.accept", f"referral:{referral.id}")
        outcome = told(session, referral, "accepted", (referral.created_by,), now)
        return Checked(outcome.view, outcome.notify, _waiting(session, actor, now), "accepted")


def return_to_referrer(
    engine: Engine,
    actor: Actor,
    command: ReturnReferral,
    now: datetime,
) -> Checked:
    """Return a submitted referral as incomplete, with the reason the SENCO will read (and their notice)."""
    checked = check_form((REASON_FIELD,), {REASON_FIELD.name: command.typed})
    if checked.errors:
        raise Refusal(NO_REASON)
    with transaction(engine, serial=False) as session:
        referral = _take_for_check(session, actor, command.referral_id)
        if referral.state == State.RETURNED:  # the same click twice, or another admin first: the first reason stands
            return Checked(view_of(session, referral), (), _waiting(session, actor, now), "already returned")
        if referral.state not in (State.SUBMITTED, State.ACCEPTED):
            raise Refusal(
                f"Only a submitted referral can be returned; {referral.reference or 'this one'} is {referral.state}."
            )
        referral.state = State.RETURNED.value
        referral.returned_reason = checked.values["reason"]
        touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.return", f"referral:{referral.id}")
        outcome = told(session, referral, "returned", (referral.created_by,), now)
        return Checked(outcome.view, outcome.notify, _waiting(session, actor, now), "returned")
