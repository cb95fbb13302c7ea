"""Use cases for reviews: listing them, the review form, snoozing, and working out which nudges are owed.

Each list loads in one query whatever its length: a review's view needs only its referral's reference,
kind, pupil and outcomes, its setting's name and its decision's amount, read in one join. Submitting
takes the review's cluster's turn and then the review's (store.db.take_turn): stopping funding cancels the
instalments not yet paid and gives their total back to the cluster's budget. Submitting also writes the
rating of each outcome the referral set as a ``review_outcome`` row (what ``usecases.impact`` counts),
replacing any rows an earlier submission of the same review wrote. Snoozing takes the review's own.

Owed nudges are written to the outbox in the same transaction that decides they are owed, keyed by review,
nudge and recipient, so a second run (another replica, or after a restart) owes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, func, or_
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cluster import keys
from cluster.clock import LONDON
from cluster.commands.reviews import REVIEW_GONE, OneReview, SubmitReview
from cluster.errors import InvalidInput, Refusal
from cluster.impact import outcomes_to_rate, rated_outcomes
from cluster.permissions import DO_REVIEW, REVIEWS_DUE, SNOOZE_REVIEW, Forbidden, Permission, authorize
from cluster.referrals import Kind, ReferralView, State
from cluster.review_form import check_review
from cluster.review_plan import Paid, PlannedRow
from cluster.reviews import DEFAULT_PLAN, NudgePlan, ReviewState, ReviewView, state_on
from store import audit
from store.db import take_turn, transaction
from store.models import (
    Decision,
    Instalment,
    Outbox,
    Referral,
    Release,
    Review,
    ReviewOutcome,
    Setting,
)
from store.referral_views import as_row, provision_lines
from store.repo import get_or_refuse
from usecases.ledger import cancel_unpaid
from usecases.lists import Page, first_page
from usecases.people import Actor, require_registered
from usecases.referrals import referrer_setting_ids
from usecases.what_worked import index_review

NOT_FOUND = REVIEW_GONE
# "Reviews due" lists a cluster's due and overdue reviews, most overdue first: 30 make a card of about 20 KB.
DUE_SHOWN = 30


def views_by_id(session: Session, review_ids: Iterable[int], today: date) -> dict[int, ReviewView]:
    """The reviews as cards show them, by id, in one query whatever their number (the lists and the nudges)."""
    ids = list(review_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa_select(
            col(Review.id),
            col(Review.due),
            col(Review.state),
            col(Review.answers),
            col(Referral.id),
            col(Referral.reference),
            col(Referral.kind),
            col(Referral.state),
            col(Referral.details),
            col(Setting.name),
            col(Decision.amount_pence),
        )
        .join(Referral, col(Referral.id) == Review.referral_id)
        .join(Setting, col(Setting.id) == Referral.setting_id)
        .join(Decision, col(Decision.id) == Review.decision_id)
        .where(col(Review.id).in_(ids))
    )
    views: dict[int, ReviewView] = {}
    for review_id, due, stored, answers, referral_id, reference, kind, state, details, setting, amount in rows:
        # The referral's title and pupil as its own view words them (a view of only what a review shows).
        referral = ReferralView(
            id=referral_id or 0,
            reference=reference,
            kind=Kind(kind),
            state=State(state),
            cluster="",
            setting=setting,
            created_by="",
            details=dict(details),
        )
        views[review_id or 0] = ReviewView(
            id=review_id or 0,
            reference=reference or "",
            setting=setting,
            kind_title=referral.title,
            pupil_label=referral.pupil_label,
            amount_pence=amount,
            due=due,
            state=state_on(due, today, stored),
            outcomes_set=str(details.get("outcomes", details.get("impact_measures", ""))),
            answers=dict(answers),
            outcomes=outcomes_to_rate(details),
            kind=str(kind),
        )
    return views


def review_views(session: Session, reviews: Sequence[Review], today: date) -> list[ReviewView]:
    """Each review's view, in the order given, in one query whatever their number.

    Read from the database, so a review changed in this unit of work is flushed first (the session's
    autoflush) and shows as changed.
    """
    found = views_by_id(session, (r.id for r in reviews if r.id is not None), today)
    return [found[review.id or 0] for review in reviews]


def _view(session: Session, review: Review, today: date) -> ReviewView:
    [view] = review_views(session, [review], today)
    return view


def _with_plan(session: Session, review: Review, view: ReviewView) -> ReviewView:
    """The view with the referral's provision map and the decision's ledger, for the review form (three queries).

    Each row's cost is worked out as the map works it out (``store.referral_views.as_row``).
    """
    planned = tuple(
        PlannedRow(
            position=position,
            provision=line.provision,
            delivered_by=line.delivered_by,
            minutes_per_session=line.minutes_per_session,
            sessions_per_week=line.sessions_per_week,
            group_size=line.group_size,
            weeks=line.weeks,
            cost_pence=as_row(line).cost_pence,
            unit=line.unit,
            from_document=line.entry_id is not None,
        )
        for position, line in enumerate(provision_lines(session, review.referral_id), 1)
    )
    by_state = {
        str(state): (int(pence or 0), int(count))
        for state, pence, count in session.execute(
            sa_select(col(Instalment.state), func.sum(col(Instalment.amount_pence)), func.count())
            .where(col(Instalment.decision_id) == review.decision_id)
            .group_by(col(Instalment.state))
        )
    }
    released = session.execute(
        sa_select(func.sum(col(Release.amount_pence))).where(col(Release.decision_id) == review.decision_id)
    ).scalar()
    paid, due, cancelled = (by_state.get(state, (0, 0)) for state in ("paid", "due", "cancelled"))
    ledger = Paid(
        approved_pence=view.amount_pence,
        paid_pence=paid[0],
        due_pence=due[0],
        cancelled_pence=cancelled[0],
        released_pence=int(released or 0),
        instalments=paid[1] + due[1] + cancelled[1],
        instalments_paid=paid[1],
    )
    return replace(view, planned=planned, paid=ledger)


def _form_view(session: Session, review: Review, today: date) -> ReviewView:
    return _with_plan(session, review, _view(session, review, today))


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def my_reviews(engine: Engine, actor: Actor, now: datetime) -> list[ReviewView]:
    """The reviews of the settings the actor is SENCO or delegate of, soonest first (a setting has a few)."""
    require_registered(actor)
    settings = referrer_setting_ids(actor)
    if not settings:
        raise Refusal("Only a setting's SENCO or delegate has reviews to do.")
    with transaction(engine, read_only=True) as session:
        reviews = session.exec(
            select(Review).where(col(Review.setting_id).in_(settings)).order_by(col(Review.due), col(Review.id))
        ).all()
        return review_views(session, reviews, _today(now))


def reviews_due(engine: Engine, actor: Actor, now: datetime) -> Page[ReviewView]:
    """The cluster's reviews that are due, overdue or waiting for a decision, for its chair and admins.

    Only those are read, most overdue first: an open review counts as due from ``due_window`` days before its
    due date (as :func:`cluster.reviews.state_on` says). An index on (cluster_id, state, due) would answer it
    without reading the cluster's other reviews.
    """
    leads = REVIEWS_DUE.roles or frozenset()
    clusters = {g.cluster_id for g in actor.grants if g.role in leads and g.cluster_id is not None}
    if not clusters:
        raise Forbidden(REVIEWS_DUE.refusal)
    today = _today(now)
    due_from = today + timedelta(days=DEFAULT_PLAN.due_window)
    with transaction(engine, read_only=True) as session:
        reviews = session.exec(
            select(Review)
            .where(
                col(Review.cluster_id).in_(clusters),
                or_(
                    col(Review.state) == ReviewState.SUBMITTED.value,
                    and_(col(Review.state) == "open", col(Review.due) <= due_from),
                ),
            )
            .order_by(col(Review.due), col(Review.id))
            .limit(DUE_SHOWN + 1)
        ).all()
        return first_page(review_views(session, reviews, today), DUE_SHOWN)


def _take_for_referrer(
    session: Session, actor: Actor, review_id: int, permission: Permission = DO_REVIEW, *, cluster: bool = False
) -> Review:
    """Wait for the review's turn (after its cluster's, with ``cluster``), then read it and check the actor's reach."""
    if cluster:
        cluster_id = session.exec(select(Review.cluster_id).where(Review.id == review_id)).first()
        if cluster_id is None:
            raise Refusal(NOT_FOUND)
        take_turn(session, "cluster", cluster_id)
    take_turn(session, "review", review_id)
    return _for_referrer(session, actor, review_id, permission)


def _for_referrer(session: Session, actor: Actor, review_id: int, permission: Permission = DO_REVIEW) -> Review:
    review = get_or_refuse(session, Review, review_id, NOT_FOUND)
    authorize(actor.grants, permission, review.cluster_id, review.setting_id)
    return review


def open_review(engine: Engine, actor: Actor, command: OneReview, now: datetime) -> ReviewView:
    """The review form's content, for the setting's SENCO or delegate (the read is audited; no turn taken)."""
    with transaction(engine, serial=False) as session:
        review = _for_referrer(session, actor, command.review_id)
        audit.record(session, now, actor.tag, "review.read", f"review:{review.id}")
        return _form_view(session, review, _today(now))


def submit_review(engine: Engine, actor: Actor, command: SubmitReview, now: datetime) -> ReviewView:
    """Submit the review; mistakes raise :class:`~cluster.errors.InvalidInput` by field, and nothing is stored."""
    with transaction(engine, serial=False) as session:
        review = _take_for_referrer(session, actor, command.review_id, cluster=True)
        if review.state != "open":
            return _form_view(session, review, _today(now))  # submitted already: the same click delivered twice
        before = _form_view(session, review, _today(now))
        checked = check_review(command.answers, _today(now), before.outcomes, before.planned)
        if checked.errors:
            raise InvalidInput(checked.errors, dict(command.answers))
        review.answers = checked.values
        _record_ratings(session, review, before, now)
        index_review(session, review.referral_id, now)  # what worked finds the ratings at once (same transaction)
        review.state = ReviewState.SUBMITTED.value
        review.submitted_at = now
        review.submitted_by = actor.person_id
        # Nudges still owed for this review (waiting for a retry, say) are no longer wanted.
        nudged = keys.review_messages(review.id or 0)
        for owed in session.exec(select(Outbox).where(col(Outbox.key).startswith(nudged), Outbox.state == "owed")):
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
        return _form_view(session, review, _today(now))


def _record_ratings(session: Session, review: Review, view: ReviewView, now: datetime) -> None:
    """The review's rating of each outcome, as rows to count; a second submission replaces the first's rows.

    The rows are deleted before they are written so the (review, position) pairs never collide, however often
    a review comes back to be submitted again.
    """
    session.execute(sa_delete(ReviewOutcome).where(col(ReviewOutcome.review_id) == review.id))
    for rated in rated_outcomes(view.outcomes, review.answers):
        assert rated.rating is not None  # checked: every outcome set has a rating
        session.add(
            ReviewOutcome(
                review_id=review.id or 0,
                referral_id=review.referral_id,
                cluster_id=review.cluster_id,
                setting_id=review.setting_id,
                kind=view.kind,
                position=rated.position,
                outcome=rated.text,
                rating=rated.rating.value,
                rated_at=now,
            )
        )


def _release_unpaid(session: Session, review: Review, now: datetime) -> None:
    """Stopping funding cancels every instalment not yet paid; their total goes back to the budget, once.

    The release's amount is the cancelled instalments' total, so the budget's committed figure stays the
    sum of the instalments that were not cancelled (in the unit that holds the cluster's turn).
    """
    decision = session.get(Decision, review.decision_id)
    if decision is None or session.exec(select(Release).where(Release.decision_id == decision.id)).first():
        return
    amount = cancel_unpaid(session, decision.id or 0, now)
    session.add(Release(decision_id=decision.id or 0, review_id=review.id, amount_pence=amount, released_at=now))
    audit.record(session, now, "review", "budget.release", f"decision:{decision.id}", amount=amount)


def snooze(
    engine: Engine, actor: Actor, command: OneReview, now: datetime, plan: NudgePlan = DEFAULT_PLAN
) -> ReviewView:
    """Pause the review's nudges for a week."""
    with transaction(engine, serial=False) as session:
        review = _take_for_referrer(session, actor, command.review_id, SNOOZE_REVIEW)
        review.snoozed_until = _today(now) + timedelta(days=plan.snooze)
        session.add(review)
        audit.record(session, now, actor.tag, "review.snooze", f"review:{review.id}", until=str(review.snoozed_until))
        return _view(session, review, _today(now))
