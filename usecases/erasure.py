"""Removing pupil details: on a lawful request (``erase_pupil``) and when a cluster's retention period passes.

What goes and what stays is ``cluster.privacy``'s: a referral about a pupil loses the pupil's answers, its
supporting documents (the stored file bytes with them), its cost rows' descriptions, its reviews' free text and
the outcome texts its ratings were given against, and the decision letter names the pupil no more; the
reference, kind, setting, state, dates, amounts, decisions, instalments and ratings stay, so the minutes, the
budget and the city's figures are the same afterwards. Each referral changed writes one audit line,
``pupil.erase``, in the unit that changes it.

Messages the bot sent about the referral are kept in its outbox until delivered; their stored copies (which
named the pupil by initials) are blanked, and any still owed are cancelled. Cards already shown in Teams are
Teams' own and are not redrawn.

The retention job (``erase_expired``) walks the referrals by primary key in batches, each batch its own short
transaction, looking only at referrals about a pupil, not yet erased, and untouched since the earliest moment
any period could have passed.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

import docx
from sqlalchemy import Engine, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cluster import keys
from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.privacy import (
    ABOUT_A_PUPIL,
    REMOVED_PROVISION,
    Activity,
    check_months,
    earliest_last_activity,
    funding_active,
    kept_answers,
    kept_review_answers,
    period_months,
    removal_due,
)
from cluster.referrals import Kind, State, pupil_label
from cluster.review_form import GOES_TO_MEETING
from reports.workbook import fixed_times
from store import audit
from store.db import take_turn, transaction
from store.models import (
    CapitalApplication,
    Cluster,
    Decision,
    DecisionLetter,
    Instalment,
    Outbox,
    ProvisionLine,
    Referral,
    ReferralDocument,
    Release,
    Review,
    ReviewOutcome,
    Setting,
)
from usecases.pupils import referrals_naming, setting_named

RETENTION = "retention"  # the erased_reason of the retention job's removals
ERASE = "pupil.erase"
BATCH = 200
_PUPIL_KINDS = sorted(k.value for k in ABOUT_A_PUPIL)


# --- what a referral's activity is ------------------------------------------------------------------------


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def activities(session: Session, referrals: Sequence[Referral]) -> dict[int, Activity]:
    """Each referral's activity (``cluster.privacy.Activity``), in five queries whatever their number."""
    ids = [r.id for r in referrals if r.id is not None]
    if not ids:
        return {}
    last: dict[int, datetime] = {r.id: r.updated_at for r in referrals if r.id is not None}
    outcome: dict[int, str] = {}
    decision_of: dict[int, int] = {}
    for d_id, r_id, chosen, at in session.execute(
        sa_select(col(Decision.id), col(Decision.referral_id), col(Decision.outcome), col(Decision.decided_at))
        .where(col(Decision.referral_id).in_(ids))
        .order_by(col(Decision.decided_at), col(Decision.id))
    ).all():
        outcome[r_id] = chosen  # ordered by time: the last one stays
        decision_of[d_id] = r_id
        last[r_id] = max(last[r_id], at)
    open_reviews: dict[int, int] = defaultdict(int)
    for r_id, state, answers, submitted in session.execute(
        sa_select(col(Review.referral_id), col(Review.state), col(Review.answers), col(Review.submitted_at)).where(
            col(Review.referral_id).in_(ids)
        )
    ).all():
        waiting = state == "submitted" and (answers or {}).get("recommendation") in GOES_TO_MEETING
        if state == "open" or waiting:
            open_reviews[r_id] += 1
        last[r_id] = _latest(last[r_id], submitted) or last[r_id]
    unpaid: dict[int, int] = defaultdict(int)
    if decision_of:
        for d_id, state, paid_on in session.execute(
            sa_select(col(Instalment.decision_id), col(Instalment.state), col(Instalment.paid_on)).where(
                col(Instalment.decision_id).in_(list(decision_of))
            )
        ).all():
            r_id = decision_of[d_id]
            if state == "due":
                unpaid[r_id] += 1
            elif paid_on is not None:
                last[r_id] = max(last[r_id], datetime.combine(paid_on, time(), tzinfo=LONDON))
        for d_id, released in session.execute(
            sa_select(col(Release.decision_id), col(Release.released_at)).where(
                col(Release.decision_id).in_(list(decision_of))
            )
        ).all():
            last[decision_of[d_id]] = max(last[decision_of[d_id]], released)
    capital_open: set[int] = set()
    capital = [r.id for r in referrals if r.kind == Kind.CAPITAL.value and r.id is not None]
    if capital:
        for app in session.exec(select(CapitalApplication).where(col(CapitalApplication.referral_id).in_(capital))):
            if app.board_approved and app.released_at is None:
                capital_open.add(app.referral_id)
            moment = _latest(app.board_recorded_at, app.released_at, app.evaluated_at)
            if moment is not None:
                last[app.referral_id] = max(last[app.referral_id], moment)
    return {
        r.id: Activity(
            kind=Kind(r.kind),
            state=State(r.state),
            last_at=last[r.id],
            outcome=outcome.get(r.id),
            open_reviews=open_reviews[r.id],
            unpaid_instalments=unpaid[r.id],
            capital_open=r.id in capital_open,
        )
        for r in referrals
        if r.id is not None
    }


# --- removing one referral's pupil details ----------------------------------------------------------------


def _redacted_letter(content: bytes, label: str, made_at: datetime) -> bytes:
    """The stored decision letter without the pupil's initials and year group (dated as it was made)."""
    document = docx.Document(io.BytesIO(content))
    changed = False
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if f" for {label}" in run.text:
                run.text = run.text.replace(f" for {label}", "")
                changed = True
    if not changed:
        return content
    out = io.BytesIO()
    document.save(out)
    return fixed_times(out.getvalue(), made_at)


def _blank_messages(session: Session, referral_id: int, decisions: Iterable[int], reviews: Iterable[int]) -> int:
    """Blank the outbox's copies of the messages about this referral; cancel those still owed. Returns how many."""
    prefixes = [keys.referral_messages(referral_id)]
    prefixes += [keys.decision_messages(d) for d in decisions]  # every key ends :person:<id>
    prefixes += [keys.review_messages(r) for r in reviews]
    rows = session.exec(select(Outbox).where(or_(*(col(Outbox.key).startswith(p) for p in prefixes)))).all()
    for row in rows:
        row.card = None
        row.activity = {}
        if row.state == "owed":
            row.state = "cancelled"
        session.add(row)
    return len(rows)


def _erase(session: Session, referral: Referral, actor: str, reason: str, now: datetime) -> None:
    """Remove one referral's pupil details and write its audit line (the caller holds its turn)."""
    assert referral.id is not None
    kind = Kind(referral.kind)
    label = pupil_label(referral.details)
    referral.details = kept_answers(kind, referral.details)
    referral.returned_reason = None
    referral.erased_at = now
    referral.erased_reason = reason
    session.add(referral)
    for line in session.exec(select(ProvisionLine).where(ProvisionLine.referral_id == referral.id)):
        line.provision = REMOVED_PROVISION
        session.add(line)
    documents = session.exec(select(ReferralDocument).where(ReferralDocument.referral_id == referral.id)).all()
    for document in documents:
        session.delete(document)  # the row holds the file's bytes: they go with it
    reviews = session.exec(select(Review).where(Review.referral_id == referral.id)).all()
    for review in reviews:
        review.answers = kept_review_answers(review.answers)
        session.add(review)
    for outcome in session.exec(select(ReviewOutcome).where(ReviewOutcome.referral_id == referral.id)):
        outcome.outcome = ""  # the rating stays: the city's impact counts do not change
        session.add(outcome)
    decisions = session.exec(select(Decision.id).where(Decision.referral_id == referral.id)).all()
    decision_ids = [d for d in decisions if d is not None]
    if label and decision_ids:
        for letter in session.exec(select(DecisionLetter).where(col(DecisionLetter.decision_id).in_(decision_ids))):
            letter.content = _redacted_letter(letter.content, label, letter.made_at)
            session.add(letter)
    messages = _blank_messages(session, referral.id, decision_ids, [r.id for r in reviews if r.id is not None])
    audit.record(
        session,
        now,
        actor,
        ERASE,
        f"referral:{referral.id}",
        reason=reason,
        documents=len(documents),
        reviews=len(reviews),
        messages=messages,
    )


# --- a lawful request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A referral naming the pupil: what an erasure would change, or why it cannot yet."""

    referral_id: int
    reference: str
    kind: Kind
    state: State
    documents: int
    reviews: int
    active: str | None  # why its funding is still active (then nothing is erased)

    @property
    def line(self) -> str:
        """The referral as the command line lists it (no pupil data: the reference and what goes)."""
        what = f"{self.documents} document(s), {self.reviews} review(s)"
        return f"{self.reference} ({self.kind.value}, {self.state.value}): answers, {what}"


@dataclass(frozen=True)
class Plan:
    """What an erasure request finds in one setting."""

    setting: str
    found: tuple[Found, ...]

    @property
    def blocked(self) -> tuple[Found, ...]:
        """The referrals whose funding is still active."""
        return tuple(f for f in self.found if f.active is not None)


def _plan(session: Session, setting: Setting, referrals: Sequence[Referral]) -> Plan:
    ids = [r.id for r in referrals]
    documents = dict(
        session.execute(
            sa_select(col(ReferralDocument.referral_id), func.count())
            .where(col(ReferralDocument.referral_id).in_(ids))
            .group_by(col(ReferralDocument.referral_id))
        ).all()
    )
    reviews = dict(
        session.execute(
            sa_select(col(Review.referral_id), func.count())
            .where(col(Review.referral_id).in_(ids))
            .group_by(col(Review.referral_id))
        ).all()
    )
    acts = activities(session, referrals)
    found = tuple(
        Found(
            referral_id=r.id or 0,
            reference=r.reference or f"draft {r.id}",
            kind=Kind(r.kind),
            state=State(r.state),
            documents=int(documents.get(r.id, 0)),
            reviews=int(reviews.get(r.id, 0)),
            active=funding_active(acts[r.id or 0]),
        )
        for r in referrals
    )
    return Plan(setting.name, found)


def find_pupil(engine: Engine, setting: str, pupil_ref: str, cluster: str | None = None) -> Plan:
    """What erasing this pupil's details would change in this setting (by name or URN), without changing it."""
    with transaction(engine, read_only=True) as session:
        found, _ = setting_named(session, setting, cluster)
        assert found.id is not None
        return _plan(session, found, referrals_naming(session, found.id or 0, pupil_ref))


def refusal_of(plan: Plan) -> str:
    """Why a request cannot be carried out yet: each referral whose funding is active, and why."""
    lines = "; ".join(f"{f.reference} ({f.active})" for f in plan.blocked)
    return (
        f"Nothing was erased: funding is still active for this pupil at {plan.setting}: {lines}. "
        "Erase after the review is done and the money is paid or released."
    )


def erase_pupil(
    engine: Engine, actor: str, setting: str, pupil_ref: str, reason: str, now: datetime, cluster: str | None = None
) -> Plan:
    """Remove one pupil's details from every referral of the setting naming them, on a lawful request.

    Refused (and nothing changed) while any of those referrals' funding is active: approved and not yet
    reviewed or ended, instalments unpaid, a capital project not completed and released. ``reason`` is the
    request's own reference (never the pupil's name): it is the referrals' ``erased_reason`` and their audit
    lines' detail. Returns what was erased; one unit of work, taking the cluster's turn.
    """
    reason = reason.strip()
    if not reason:
        raise Refusal("Give the request's reason or reference (not the pupil's name).")
    if reason == RETENTION:
        raise Refusal(f"{RETENTION!r} is kept for the retention job: give the request's own reference.")
    with transaction(engine, serial=False) as session:
        found, _ = setting_named(session, setting, cluster)
        assert found.id is not None
        take_turn(session, "cluster", found.cluster_id)
        referrals = referrals_naming(session, found.id or 0, pupil_ref)
        plan = _plan(session, found, referrals)
        if not plan.found:
            raise Refusal(f"No referral from {found.name} names that pupil reference (or it was erased already).")
        if plan.blocked:
            raise Refusal(refusal_of(plan))
        for referral in referrals:
            take_turn(session, "referral", referral.id)
            _erase(session, referral, actor, reason[:200], now)
        return plan


# --- the retention period ---------------------------------------------------------------------------------


def set_retention(engine: Engine, actor: str, cluster: str, months: int | None, now: datetime) -> int | None:
    """Set a cluster's retention period in months (None: back to the default); audited. Returns the old one."""
    if months is not None:
        check_months(months)
    with transaction(engine) as session:
        row = session.exec(
            select(Cluster).where(or_(col(Cluster.name) == cluster, func.upper(Cluster.code) == cluster.upper()))
        ).first()
        if row is None:
            raise Refusal(f"There is no cluster called {cluster}.")
        old = row.retention_months
        row.retention_months = months
        session.add(row)
        audit.record(session, now, actor, "cluster.retention", f"cluster:{row.id}", months=months, was=old)
        return old


@dataclass(frozen=True)
class RetentionRow:
    """One cluster's retention period and how many of its referrals are due for removal now."""

    cluster: str
    months: int
    default: bool
    due: int


def _candidates(session: Session, cluster: Cluster, now: datetime, after: int, batch: int) -> list[Referral]:
    """The next referrals (by id, after ``after``) that may be due: about a pupil, not erased, untouched lately."""
    return list(
        session.exec(
            select(Referral)
            .where(
                Referral.cluster_id == cluster.id,
                col(Referral.id) > after,
                col(Referral.kind).in_(_PUPIL_KINDS),
                col(Referral.erased_at).is_(None),
                col(Referral.updated_at) <= earliest_last_activity(cluster.retention_months, now),
            )
            .order_by(col(Referral.id))
            .limit(batch)
        )
    )


def _due(session: Session, cluster: Cluster, referrals: Sequence[Referral], now: datetime) -> list[Referral]:
    acts = activities(session, referrals)
    return [r for r in referrals if removal_due(acts[r.id or 0], cluster.retention_months, now)]


def retention_list(engine: Engine, now: datetime) -> list[RetentionRow]:
    """Each cluster's retention period and how many referrals the retention job would remove now."""
    rows = []
    with transaction(engine, read_only=True) as session:
        for cluster in session.exec(select(Cluster).order_by(col(Cluster.name))):
            due, after = 0, 0
            while batch := _candidates(session, cluster, now, after, BATCH):
                due += len(_due(session, cluster, batch, now))
                after = batch[-1].id or after
            months = period_months(cluster.retention_months)
            rows.append(RetentionRow(cluster.name, months, cluster.retention_months is None, due))
    return rows


def erase_expired(engine: Engine, now: datetime, batch: int = BATCH) -> list[int]:
    """The retention job's step: remove the pupil details of every referral past its cluster's period.

    Walks each cluster's referrals by id, ``batch`` at a time, each batch its own short transaction holding the
    cluster's turn (the bot's turns go on between batches). Idempotent: an erased referral is never looked at
    again. Returns the referrals erased, each with its audit line (actor ``scheduler``, reason ``retention``).
    """
    with transaction(engine, read_only=True) as session:
        clusters = [c.id for c in session.exec(select(Cluster).order_by(col(Cluster.id))) if c.id is not None]
    erased: list[int] = []
    for cluster_id in clusters:
        after = 0
        while True:
            with transaction(engine, serial=False) as session:
                take_turn(session, "cluster", cluster_id)
                cluster = session.get(Cluster, cluster_id)
                if cluster is None:
                    break
                candidates = _candidates(session, cluster, now, after, batch)
                if not candidates:
                    break
                for referral in _due(session, cluster, candidates, now):
                    take_turn(session, "referral", referral.id)
                    _erase(session, referral, "scheduler", RETENTION, now)
                    erased.append(referral.id or 0)
                after = candidates[-1].id or after
    return erased
