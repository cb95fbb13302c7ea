"""Use cases for reviews: listing them, the review form, snoozing, and working out which nudges are owed.

Owed nudges are written to the outbox in the same transaction that decides they are owed, keyed by review,
nudge and recipient, so a second run (another replica, or after a restart) owes nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON
from cluster.decisions import Schedule, instalments
from cluster.errors import InvalidInput, Refusal
from cluster.forms import kept_input
from cluster.permissions import DO_REVIEW, REVIEWS_DUE, SNOOZE_REVIEW, Forbidden, Permission, authorize
from cluster.review_form import REVIEW_FIELDS, check_review
from cluster.reviews import DEFAULT_PLAN, NudgePlan, ReviewState, ReviewView, state_on
from store import audit
from store.db import transaction
from store.models import AgendaItem, Decision, Meeting, Outbox, Referral, Release, Review
from store.referrals import referrer_settings, view_of
from store.repo import get_or_refuse
from store.usecases import Actor, require_registered


def _view(session: Session, review: Review, today: date) -> ReviewView:
    referral = session.get(Referral, review.referral_id)
    decision = session.get(Decision, review.decision_id)
    assert referral is not None and decision is not None and review.id is not None
    view = view_of(session, referral)
    return ReviewView(
        id=review.id,
        reference=view.reference or "",
        setting=view.setting,
        kind_title=view.title,
        pupil_label=view.pupil_label,
        amount_pence=decision.amount_pence,
        due=review.due,
        state=state_on(review.due, today, review.state),
        outcomes_set=str(view.details.get("outcomes", view.details.get("impact_measures", ""))),
        answers=dict(review.answers),
    )


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def my_reviews(engine: Engine, actor: Actor, now: datetime) -> list[ReviewView]:
    """The reviews of the settings the actor is SENCO or delegate of, soonest first."""
    require_registered(actor)
    with transaction(engine) as session:
        settings = [s.id for s in referrer_settings(session, actor)]
        if not settings:
            raise Refusal("Only a setting's SENCO or delegate has reviews to do.")
        reviews = session.exec(select(Review).where(col(Review.setting_id).in_(settings)).order_by(col(Review.due)))
        return [_view(session, r, _today(now)) for r in reviews]


def reviews_due(engine: Engine, actor: Actor, now: datetime) -> list[ReviewView]:
    """The cluster's reviews that are due or overdue, for its chair and admins."""
    with transaction(engine) as session:
        leads = REVIEWS_DUE.roles or frozenset()
        clusters = {g.cluster_id for g in actor.grants if g.role in leads and g.cluster_id is not None}
        if not clusters:
            raise Forbidden(REVIEWS_DUE.refusal)
        reviews = session.exec(select(Review).where(col(Review.cluster_id).in_(clusters)).order_by(col(Review.due)))
        views = [_view(session, r, _today(now)) for r in reviews]
        return [v for v in views if v.state in (ReviewState.DUE, ReviewState.OVERDUE, ReviewState.SUBMITTED)]


def _for_referrer(session: Session, actor: Actor, review_id: Any, permission: Permission = DO_REVIEW) -> Review:
    review = get_or_refuse(session, Review, review_id, "I can't find that review, or it isn't one you can see.")
    authorize(actor.grants, permission, review.cluster_id, review.setting_id)
    return review


def open_review(engine: Engine, actor: Actor, review_id: Any, now: datetime) -> ReviewView:
    """The review form's content, for the setting's SENCO or delegate (the read is audited)."""
    with transaction(engine) as session:
        review = _for_referrer(session, actor, review_id)
        audit.record(session, now, actor.tag, "review.read", f"review:{review.id}")
        return _view(session, review, _today(now))


def submit_review(engine: Engine, actor: Actor, review_id: Any, raw: Mapping[str, Any], now: datetime) -> ReviewView:
    """Submit the review; mistakes come back with the input kept and nothing stored."""
    checked = check_review(raw, _today(now))
    if checked.errors:
        raise InvalidInput(checked.errors, kept_input(REVIEW_FIELDS, raw))
    with transaction(engine) as session:
        review = _for_referrer(session, actor, review_id)
        if review.state != "open":
            return _view(session, review, _today(now))  # submitted already: the same click delivered twice
        review.answers = checked.values
        review.state = ReviewState.SUBMITTED.value
        review.submitted_at = now
        review.submitted_by = actor.person_id
        # Nudges still owed for this review (waiting for a retry, say) are no longer wanted.
        for owed in session.exec(
            select(Outbox).where(col(Outbox.key).startswith(f"review:{review.id}:"), Outbox.state == "owed")
        ):
            owed.state = "cancelled"
            owed.last_error = "the review was submitted"
            session.add(owed)
        if checked.values["recommendation"] == "stop":
            _release_unpaid(session, review, now)
            review.state = ReviewState.DECIDED.value
        session.add(review)
        audit.record(
            session,
            now,
            actor.tag,
            "review.submit",
            f"review:{review.id}",
            recommendation=checked.values["recommendation"],
        )
        return _view(session, review, _today(now))


def unpaid_pence(session: Session, decision: Decision, today: date) -> int:
    """What of a decision is not yet paid: the instalments falling after today."""
    if decision.review_date is None or decision.schedule is None:
        return 0
    item = session.get(AgendaItem, decision.item_id)
    meeting = session.get(Meeting, item.meeting_id) if item else None
    if meeting is None:
        return 0
    plan = instalments(decision.amount_pence, Schedule(decision.schedule), meeting.day, decision.review_date)
    return sum(amount for day, amount in plan if day > today)


def _release_unpaid(session: Session, review: Review, now: datetime) -> None:
    """Stopping funding gives the unpaid remainder back to the cluster's budget, once."""
    decision = session.get(Decision, review.decision_id)
    if decision is None or session.exec(select(Release).where(Release.decision_id == decision.id)).first():
        return
    amount = unpaid_pence(session, decision, _today(now))
    session.add(Release(decision_id=decision.id or 0, review_id=review.id, amount_pence=amount, released_at=now))
    audit.record(session, now, "review", "budget.release", f"decision:{decision.id}", amount=amount)


def snooze(engine: Engine, actor: Actor, review_id: Any, now: datetime, plan: NudgePlan = DEFAULT_PLAN) -> ReviewView:
    """Pause the review's nudges for a week."""
    with transaction(engine) as session:
        review = _for_referrer(session, actor, review_id, SNOOZE_REVIEW)
        review.snoozed_until = _today(now) + timedelta(days=plan.snooze)
        session.add(review)
        audit.record(session, now, actor.tag, "review.snooze", f"review:{review.id}", until=str(review.snoozed_until))
        return _view(session, review, _today(now))
