"""Two pupils of one setting and the same pupil reference in another: what a subject access export is tested on.

Sam's referral for ETR-0042 at Etruscan is approved, paid in instalments and reviewed, with a kept file and
a read by the team; Sam's other referral is about ETR-0099; Wendy's at Waterside names "etr-0042" too (a
different child: references are the school's own); Sam's project names no pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.inputs import parse
from cluster.commands.referrals import SaveDetails, SaveRow, StartReferral
from cluster.commands.reviews import SubmitReview
from store.models import Referral, ReferralDocument, Review
from tests.conftest import SENCO, SENCO_2, TAC
from tests.support.referral_flow import GOOD_INDIVIDUAL, GOOD_PROJECT, ROW_1
from tests.support.review_flow import fund
from usecases import referrals as uc
from usecases.people import identify
from usecases.reviews import submit_review

OUTCOMES = "1. Uses 3-word phrases to request help by July.\n2. Follows two-step instructions in class"
REVIEW_ANSWERS = {
    "outcomes_achieved": "Both met; asks for help in class now.",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "400",
    "recommendation": "continue",
    "next_review": "2027-01-15",
    "outcome_rating_1": "achieved",
    "outcome_rating_2": "partly",
}
OTHER_PUPIL = {**GOOD_INDIVIDUAL, "pupil_ref": "ETR-0099", "pupil_initials": "ZQ", "summary": "OTHER PUPIL SUMMARY"}
WATERSIDE_PUPIL = {**GOOD_INDIVIDUAL, "pupil_ref": " etr-0042", "summary": "WATERSIDE PUPIL SUMMARY"}
PROJECT = {**GOOD_PROJECT, "title": "NURTURE ROOM PROJECT"}
KEPT_FILE = b"%PDF-1.4 the speech and language report"
JULY = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)


@dataclass(frozen=True)
class Pupils:
    referral_id: int  # ETR-0042's at Etruscan
    reference: str
    review_id: int
    other_ids: tuple[int, ...]  # ETR-0099's, Waterside's etr-0042, the project


def build_pupils(engine: Engine, now: datetime) -> Pupils:
    """The fixture above, through the use cases (the kept file is stored as the file desk stores one)."""
    review_id = fund(engine, now, details={**GOOD_INDIVIDUAL, "outcomes": OUTCOMES})
    with Session(engine) as session:
        sam, wendy, team = (identify(session, *w) for w in (SENCO, SENCO_2, TAC))
        review = session.get(Review, review_id)
        assert review is not None
        referral = session.get(Referral, review.referral_id)
        assert referral is not None and referral.id is not None and referral.reference
        referral_id, reference = referral.id, referral.reference
        session.add(
            ReferralDocument(
                referral_id=referral_id,
                name="../SALT report: term 1.pdf",
                content_type="application/pdf",
                size_bytes=len(KEPT_FILE),
                content=KEPT_FILE,
                added_by=sam.person_id or 0,
                added_at=now,
            )
        )
        session.commit()
    uc.read(engine, team, referral_id, now)
    submit_review(engine, sam, SubmitReview(review_id=review_id, answers=REVIEW_ANSWERS), JULY)
    others = []
    for who, kind, details in (
        (sam, "individual", OTHER_PUPIL),
        (wendy, "individual", WATERSIDE_PUPIL),
        (sam, "project", PROJECT),
    ):
        draft = uc.start(
            engine, who, StartReferral(setting_id=uc.picker(who)[0][0], kind=kind, once=f"k-{len(others)}"), now
        )
        uc.save_details(engine, who, SaveDetails(referral_id=draft.id, answers=details), now)
        row = {**ROW_1, "provision": f"ROW OF {details.get('pupil_ref', 'PROJECT')}", "referral_id": draft.id}
        uc.add_row(engine, who, parse(SaveRow, row), now)
        others.append(draft.id)
    with Session(engine) as session:
        assert len(session.exec(select(Referral)).all()) == 4
    return Pupils(referral_id, reference, review_id, tuple(others))
