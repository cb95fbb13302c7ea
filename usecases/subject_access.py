"""A subject access request: everything the bot holds about one pupil, found by setting and pupil reference.

A pupil is known only by the setting that referred them and the school's own pupil reference
(:mod:`cluster.privacy`). The export gathers that setting's referrals whose answers name the reference, and
for each its answers, cost rows, documents (with the files' bytes), agenda items and the meetings they went
to, decisions, instalments and releases, reviews and their outcomes, and the audit lines about those records
(who read or changed them, when). Nothing about another pupil is read into it: another setting's referrals,
another pupil's, and referrals that name no pupil are left out before anything else is loaded.

The export is itself audited (``pupil.subject_access``, subject ``setting:<id>``) with the referral ids it
holds; the pupil reference stays out of the audit line, as the log is read by more people than the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.errors import Refusal
from cluster.subject_access import (
    Held,
    HeldDecision,
    HeldFile,
    HeldInstalment,
    HeldItem,
    HeldReferral,
    HeldReview,
)
from store import audit
from store.db import transaction
from store.models import (
    AgendaItem,
    Decision,
    Instalment,
    Meeting,
    Person,
    Referral,
    ReferralDocument,
    Release,
    Review,
    ReviewOutcome,
)
from store.referral_views import view_of
from usecases.audit_log import lines_about, referral_subjects
from usecases.pupils import referrals_naming, setting_named

ACTION = "pupil.subject_access"


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {p.id or 0: p.name for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}


def _decisions(session: Session, referral_id: int) -> list[Decision]:
    return list(session.exec(select(Decision).where(Decision.referral_id == referral_id).order_by(col(Decision.id))))


def _held(session: Session, referral: Referral) -> HeldReferral:
    referral_id = referral.id or 0
    files = tuple(
        HeldFile(d.id or 0, d.name, d.content_type, d.content)
        for d in session.exec(
            select(ReferralDocument)
            .where(ReferralDocument.referral_id == referral_id)
            .order_by(col(ReferralDocument.id))
        )
        if d.content is not None
    )
    items = tuple(
        HeldItem(m.title, m.day, i.state, i.deferred_from is not None)
        for i, m in session.exec(
            select(AgendaItem, Meeting)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .where(AgendaItem.referral_id == referral_id)
            .order_by(col(Meeting.day))
        )
    )
    decided = _decisions(session, referral_id)
    reviews = list(session.exec(select(Review).where(Review.referral_id == referral_id).order_by(col(Review.id))))
    names = _names(session, {d.decided_by for d in decided} | {r.submitted_by for r in reviews if r.submitted_by})
    decisions = []
    for d in decided:
        instalments = session.exec(
            select(Instalment).where(Instalment.decision_id == d.id).order_by(col(Instalment.position))
        ).all()
        release = session.exec(select(Release).where(Release.decision_id == d.id)).first()
        decisions.append(
            HeldDecision(
                d.id or 0,
                d.outcome,
                d.amount_pence,
                d.conditions,
                d.feedback,
                d.information_needed,
                d.review_date,
                d.schedule,
                names.get(d.decided_by, f"person {d.decided_by}"),
                d.decided_at,
                tuple(
                    HeldInstalment(i.position, i.due_on, i.amount_pence, i.state, i.paid_on, i.paid_reference)
                    for i in instalments
                ),
                release.amount_pence if release else None,
            )
        )
    held_reviews = []
    for r in reviews:
        ratings = session.exec(
            select(ReviewOutcome.outcome, ReviewOutcome.rating)
            .where(ReviewOutcome.review_id == r.id)
            .order_by(col(ReviewOutcome.position))
        ).all()
        held_reviews.append(
            HeldReview(
                r.id or 0,
                r.due,
                r.state,
                dict(r.answers or {}),
                r.submitted_at,
                names.get(r.submitted_by) if r.submitted_by else None,
                tuple((str(o), str(g)) for o, g in ratings),
            )
        )
    return HeldReferral(
        view_of(session, referral),
        referral.created_at,
        referral.erased_at,
        referral.erased_reason,
        files,
        items,
        tuple(decisions),
        tuple(held_reviews),
        tuple(lines_about(session, referral_subjects(session, referral_id))),
    )


def subject_access(
    engine: Engine, setting: str, pupil_ref: str, now: datetime, actor: str = "cli", cluster: str | None = None
) -> Held:
    """Everything held about the pupil ``pupil_ref`` of the setting called ``setting``, the export audited.

    Refuses a setting no cluster has, or one whose name more than one cluster has unless ``cluster`` says
    which. Nothing held is an answer too (and audited): the export then holds no referral.
    """
    if not pupil_ref.strip():
        raise Refusal("Give the pupil reference the school uses (from its MIS), such as ETR-0042.")
    with transaction(engine, serial=False) as session:
        found_setting, found_cluster = setting_named(session, setting, cluster)
        setting_id = found_setting.id or 0
        held = tuple(_held(session, r) for r in referrals_naming(session, setting_id, pupil_ref))
        # The ids, not the pupil reference: the audit log is read by more people than the export.
        audit.record(session, now, actor, ACTION, f"setting:{setting_id}", referrals=[h.view.id for h in held])
    return Held(found_setting.name, setting_id, found_cluster.name, pupil_ref.strip(), now, held)


def files_of(held: Held) -> Sequence[tuple[HeldReferral, HeldFile]]:
    """Every kept file of the export, with its referral."""
    return [(r, f) for r in held.referrals for f in r.files]
