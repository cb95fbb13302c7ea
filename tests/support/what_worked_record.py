"""A made-up record for ``what worked``: funded referrals with reviewed outcomes, and discussions with advice.

Written straight into the tables (ORM, batched), as the meeting and review use cases would leave them, then
indexed with ``usecases.what_worked.rebuild``: the full chain (meeting, agenda item, decision, review,
ratings) so every foreign key holds. Everything is invented: provisions, pupils (``PUPIL-n``, initials
``QX``), references (``WWR-n``) and advice, which names a pupil, a person, a setting and a reference so a
test can check that none of them is ever shown.

Each provision has a fixed share of its outcomes achieved (``PROVISIONS``), so a test knows the counts. One
provision, ``Equine therapy``, rests on four referrals only: it must never be shown.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from store.models import (
    AgendaItem,
    Decision,
    Meeting,
    Person,
    ProvisionLine,
    Referral,
    Review,
    ReviewOutcome,
    Setting,
)

# name, area of need, need code, year group, hourly rate (pence), ratings each referral's review gives
PROVISIONS: tuple[tuple[str, str, str, str, int, tuple[str, ...]], ...] = (
    ("Speech and language group", "CI", "SLCN", "Y3", 32_00, ("achieved", "achieved", "partly")),
    ("Lego therapy", "CI", "ASD", "Y4", 28_00, ("achieved", "partly", "not_achieved")),
    ("Precision teaching", "CL", "SPLD", "Y5", 25_00, ("achieved", "achieved", "achieved")),
    ("Nurture group", "SEMH", "SEMH", "Y1", 30_00, ("partly", "partly", "achieved")),
    ("Sensory circuits", "SP", "PD", "R", 22_00, ("not_achieved", "partly", "not_achieved")),
    ("Emotional literacy support", "SEMH", "SEMH", "Y8", 35_00, ("achieved", "partly", "partly")),
)
RARE = ("Equine therapy", "SEMH", "SEMH", "Y6", 90_00, ("achieved", "achieved", "achieved"))
RARE_REFERRALS = 4
PUPIL_INITIALS = "QX"
ADVICE = (
    "Try a visual timetable and a calm corner before every transition; Mrs Jones at {setting} found {initials} "
    "settled within weeks. {person} can share the plan. See {reference}."
)


@dataclass
class Record:
    """What was made: per cluster, how many referrals each provision rests on, and every identifying string."""

    referrals: dict[tuple[int, str], int] = field(default_factory=dict)  # (cluster, provision) -> referrals
    references: list[str] = field(default_factory=list)
    pupil_refs: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # settings and people named in the advice
    discussions: int = 0


def _chain(
    session: Session, cluster_id: int, setting_id: int, person_id: int, kinds: list[str], day: date
) -> list[tuple[Referral, Decision]]:
    """Referrals decided at one held meeting: referral, agenda item and decision each, in three batches."""
    meeting = Meeting(
        cluster_id=cluster_id,
        title="Made-up held meeting",
        day=day,
        start=time(9, 30),
        end=time(12, 0),
        deadline=datetime.combine(day - timedelta(days=7), time(23, 59)).astimezone(),
    )
    session.add(meeting)
    session.flush()
    stamp = datetime.combine(day, time(10)).astimezone()
    referrals = [
        Referral(
            cluster_id=cluster_id,
            setting_id=setting_id,
            created_by=person_id,
            kind=kind,
            state="decided",
            meeting_id=meeting.id,
            details={},
            creation_key=f"what-worked-{uuid.uuid4()}",
            created_at=stamp,
            updated_at=stamp,
            submitted_at=stamp,
        )
        for kind in kinds
    ]
    session.add_all(referrals)
    session.flush()
    items = [AgendaItem(meeting_id=meeting.id or 0, referral_id=r.id or 0, state="decided") for r in referrals]
    session.add_all(items)
    session.flush()
    decisions = [
        Decision(
            item_id=item.id or 0,
            referral_id=r.id or 0,
            cluster_id=cluster_id,
            outcome="approved" if r.kind == "individual" else "advice",
            amount_pence=1000_00 if r.kind == "individual" else 0,
            review_date=day + timedelta(days=200) if r.kind == "individual" else None,
            schedule="one_sum" if r.kind == "individual" else None,
            decided_by=person_id,
            decided_at=stamp,
        )
        for item, r in zip(items, referrals, strict=True)
    ]
    session.add_all(decisions)
    session.flush()
    return list(zip(referrals, decisions, strict=True))


def make_record(
    engine: Engine,
    clusters: list[tuple[int, str, str]],  # (cluster id, a setting's name, a person's name in it)
    reviews: int,
    discussions: int,
    now: datetime,
) -> Record:
    """``reviews`` reviewed referrals and ``discussions`` advised discussions, spread over ``clusters``."""
    record = Record()
    with Session(engine) as session:
        numbers = itertools.count(len(session.exec(select(Referral.id)).all()) + 1)  # a second record follows on
        held_before = len(session.exec(select(Meeting.id)).all())  # so its meetings fall on other days
        for index, (cluster_id, setting_name, person_name) in enumerate(clusters):
            setting = session.exec(
                select(Setting).where(Setting.cluster_id == cluster_id, Setting.name == setting_name)
            ).one()
            person_id = session.exec(select(Person.id)).first() or 1
            share = reviews // len(clusters) + (1 if index < reviews % len(clusters) else 0)
            talks = discussions // len(clusters) + (1 if index < discussions % len(clusters) else 0)
            plan = [PROVISIONS[n % len(PROVISIONS)] for n in range(share)]
            if index == 0:  # the rare provision: four referrals, in the first cluster only
                plan[:RARE_REFERRALS] = [RARE] * RARE_REFERRALS
            chain = _chain(
                session,
                cluster_id,
                setting.id or 0,
                person_id,
                ["individual"] * share + ["discussion"] * talks,
                now.date() - timedelta(days=300 + held_before + index),
            )
            rated: list[tuple[Review, Referral, tuple[str, ...]]] = []
            for (referral, decision), provision in itertools.zip_longest(chain, plan):
                n = next(numbers)
                referral.reference = f"WWR-{n:05d}"
                record.references.append(referral.reference)
                if provision is None:  # a discussion, with its advice
                    referral.details = {
                        "question": "How do we settle a pupil at transitions?",
                        "year_group": "Y4",
                        "pupil_initials": PUPIL_INITIALS,
                    }
                    decision.feedback = ADVICE.format(
                        setting=setting_name, initials=PUPIL_INITIALS, person=person_name, reference=referral.reference
                    )
                    record.discussions += 1
                    continue
                name, area, need, year, rate, ratings = provision
                pupil = f"PUPIL-{n}"
                record.pupil_refs.append(pupil)
                referral.details = {
                    "primary_need": area,
                    "need_code": need,
                    "year_group": year,
                    "pupil_ref": pupil,
                    "pupil_initials": PUPIL_INITIALS,
                    "outcomes": "\n".join(ratings),
                }
                key = (cluster_id, name)
                record.referrals[key] = record.referrals.get(key, 0) + 1
                session.add(
                    ProvisionLine(
                        referral_id=referral.id or 0,
                        position=1,
                        provision=name,
                        area_of_need=area,
                        delivered_by="Teaching assistant",
                        minutes_per_session=30,
                        sessions_per_week=2,
                        group_size=1,
                        weeks=12 + n % 20,
                        hourly_rate_pence=rate,
                    )
                )
                review = Review(
                    decision_id=decision.id or 0,
                    referral_id=referral.id or 0,
                    setting_id=setting.id or 0,
                    cluster_id=cluster_id,
                    due=now.date(),
                    state="submitted",
                    submitted_at=now,
                )
                session.add(review)
                rated.append((review, referral, ratings))
            session.flush()
            for review, referral, ratings in rated:
                for position, rating in enumerate(ratings, start=1):
                    session.add(
                        ReviewOutcome(
                            review_id=review.id or 0,
                            referral_id=referral.id or 0,
                            cluster_id=cluster_id,
                            setting_id=setting.id or 0,
                            kind="individual",
                            position=position,
                            outcome=f"Outcome {position}",
                            rating=rating,
                            rated_at=now,
                        )
                    )
            record.names += [setting_name, person_name]
        session.commit()
    return record
