"""A funded referral that owes a review, made through the use cases as the meeting's clicks would make it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.commands.inputs import parse
from cluster.commands.meetings import CastVote, CloseVote, OpenItem, RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral
from store.models import Review
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import GOOD_INDIVIDUAL, ROW_1
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.budget import set_budget
from usecases.meeting_day.agenda import start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.votes import cast_vote, close_item, open_item
from usecases.meetings import set_voting_rules
from usecases.people import identify

REVIEW_DUE = date(2026, 7, 17)
MEETING_DAY = datetime(2025, 12, 11, 10, 0, tzinfo=LONDON)


def fund(engine: Engine, now: datetime, kind: str = "individual", details: Mapping[str, str] = GOOD_INDIVIDUAL) -> int:
    """Sam's referral approved at the 11 December 2025 meeting with a review due 17 July 2026: the review's id.

    The engine holds the Central cluster and the test roster, with no referral yet; ``now`` is before the
    December meeting's deadline.
    """
    set_voting_rules(engine, "Central", now, quorum=1, same_trust_recusal=None)
    set_budget(engine, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [5000000, 0, 0, 0], now)
    with Session(engine) as session:
        sam, wendy, admin, chair = (identify(session, *w) for w in (SENCO, SENCO_2, ADMIN, CHAIR))
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind=kind, once="k"), now)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=dict(details)), now)
    uc.add_row(engine, sam, parse(SaveRow, {**ROW_1, "referral_id": draft.id}), now)
    submit_shown(engine, sam, draft.id, now)
    checks.accept(engine, admin, OneReferral(referral_id=draft.id), now)
    everyone_present(engine, 2, MEETING_DAY)
    item = start_meeting(engine, chair, StartMeeting(meeting_id=2), MEETING_DAY).entries[0].item_id
    open_item(engine, chair, OpenItem(item_id=item), MEETING_DAY)
    cast_vote(engine, wendy, CastVote(item_id=item, choice="approve"), MEETING_DAY)
    close_item(engine, chair, CloseVote(item_id=item), MEETING_DAY)
    record_decision(
        engine,
        chair,
        RecordDecision(item_id=item, outcome="approved", review_date=REVIEW_DUE, schedule="termly"),
        MEETING_DAY,
    )
    with Session(engine) as session:
        review = session.exec(select(Review)).one()
        assert review.id is not None
        return review.id
