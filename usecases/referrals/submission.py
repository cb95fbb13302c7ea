"""Submitting a referral to the cluster and withdrawing it; the Capital Fund's application window.

Submitting and withdrawing take the cluster's turn first (references are numbered per cluster, and the
agenda is the cluster's) and then the referral's (:func:`store.db.take_turn`). The cluster's admins are
owed their notice in the same transaction (:func:`usecases.referrals.access.told`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from cluster import referrals as rules
from cluster.commands.referrals import SubmitReferral, WithdrawReferral
from cluster.errors import Refusal
from cluster.permissions import EDIT_REFERRAL, Forbidden
from cluster.referrals import Kind, State
from cluster.roles import Role
from store import audit
from store.db import transaction
from store.models import Cluster, ReferenceCounter, Setting
from store.referral_views import view_of
from store.repo import meeting_slots, role_holders
from usecases.people import Actor
from usecases.referrals.access import (
    NOT_FOUND,
    ReferralChanged,
    can_edit,
    check_edit,
    take_referral,
    told,
    touch,
    windows,
)
from usecases.settings import capital_refusal


def cluster_admins(session: Session, cluster_id: int) -> tuple[int, ...]:
    """The people who check the cluster's referrals (they hear of submissions and withdrawals)."""
    return tuple(role_holders(session, [Role.ADMIN], in_clusters=[cluster_id]).get(cluster_id, ()))


def _next_reference(session: Session, cluster: Cluster, now: datetime) -> str:
    year_start, _ = rules.academic_year(now.date())
    # Make sure the row exists without racing another submission to create it, then lock it.
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ReferenceCounter)
        .values(cluster_id=cluster.id, year_start=year_start, last_number=0)
        .on_conflict_do_nothing()
    )
    counter = session.exec(
        select(ReferenceCounter)
        .where(ReferenceCounter.cluster_id == cluster.id, ReferenceCounter.year_start == year_start)
        .with_for_update()
    ).first()
    assert counter is not None
    counter.last_number += 1
    session.add(counter)
    session.flush()
    return rules.reference(cluster.code, now.date(), counter.last_number)


def submit(engine: Engine, actor: Actor, command: SubmitReferral, now: datetime) -> ReferralChanged:
    """Submit to the next meeting whose deadline has not passed; the same click twice submits once.

    A Capital Fund application is submitted within its window and goes to the Cluster Panel, not a meeting.

    The command's ``version`` is the one the card showed (None when it showed none). The cluster's admins are
    owed their notice (a new referral to check) in the same transaction.
    """
    version = command.version
    with transaction(engine, serial=False) as session:
        referral = take_referral(session, command.referral_id, cluster=True)
        if not can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.SUBMITTED and version == referral.version:
            return ReferralChanged(view_of(session, referral))  # the same submit delivered again
        if version != referral.version:
            raise Refusal("This referral has changed since that card was shown. Open it again to check it first.")
        check_edit(session, actor, referral, now)
        view = view_of(session, referral)
        problems = view.missing
        if problems:
            raise Refusal("Before you submit, please complete: " + "; ".join(problems))
        if view.kind is Kind.CAPITAL:
            setting = session.get(Setting, referral.setting_id)
            assert setting is not None
            refusal = capital_refusal(session, setting, applying=referral.id)
            if refusal is not None:
                kept = " This application is kept as a draft." if referral.state == State.DRAFT else ""
                raise Refusal(refusal + kept)
            rules.check_capital_window(now, windows(session))
        # A capital application goes to its round's Cluster Panel, never onto a meeting's agenda.
        meeting = (
            None
            if view.kind is Kind.CAPITAL
            else rules.place_on_meeting(meeting_slots(session, referral.cluster_id), now)
        )
        cluster = session.get(Cluster, referral.cluster_id)
        assert cluster is not None
        if referral.reference is None:
            referral.reference = _next_reference(session, cluster, now)
        referral.state = State.SUBMITTED.value
        referral.meeting_id = meeting.id if meeting else None
        referral.returned_reason = None
        referral.submitted_at = now
        referral.updated_at = now  # the version counts changes of content, so a repeated submit still matches
        session.add(referral)
        audit.record(
            session,
            now,
            actor.tag,
            "referral.submit",
            f"referral:{referral.id}",
            reference=referral.reference,
            meeting_id=meeting.id if meeting else None,
        )
        return told(session, referral, "submitted", cluster_admins(session, referral.cluster_id), now)


def withdraw(engine: Engine, actor: Actor, command: WithdrawReferral, now: datetime) -> ReferralChanged:
    """Withdraw a referral; withdrawing it twice is harmless. The admins are told if it was submitted.

    The command's ``referral_id`` None: the list it was to be chosen from was sent with none chosen.
    """
    if command.referral_id is None:
        raise Refusal(NOT_FOUND)
    with transaction(engine, serial=False) as session:
        referral = take_referral(session, command.referral_id, cluster=True)
        if not can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.WITHDRAWN:
            return ReferralChanged(view_of(session, referral))
        rules.check_withdrawable(State(referral.state))
        was_submitted = referral.state != State.DRAFT
        referral.state = State.WITHDRAWN.value
        touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.withdraw", f"referral:{referral.id}")
        notify = cluster_admins(session, referral.cluster_id) if was_submitted else ()
        return told(session, referral, "withdrawn", notify, now)
