"""The retention job: pupil details go once a referral's period has passed; decisions and money stay to the penny."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

import docx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cards.meeting_day.minutes import minutes_card
from cards.referrals import referral_card
from cluster.clock import LONDON
from cluster.commands.referrals import OpenReferral, SaveDetails, StartReferral
from cluster.commands.reviews import SubmitReview
from cluster.errors import Refusal
from reports.minutes import minutes_markdown, minutes_xlsx
from reports.referral_pack import referral_pack_docx
from scheduler.jobs import remove_expired_pupil_details
from store.db import transaction
from store.models import (
    AuditEvent,
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
)
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, SENCO, TEST_NOW
from tests.support.referral_flow import GOOD_INDIVIDUAL
from tests.support.review_flow import fund
from usecases import referrals as uc
from usecases.citywide import city_figures
from usecases.erasure import erase_expired, retention_list, set_retention
from usecases.impact import impact_counts
from usecases.meeting_day.minutes import minutes_of_meeting
from usecases.people import Actor, identify
from usecases.reviews import submit_review
from usecases.roster import import_entries

REVIEWED = datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)  # the review stops the funding: its last activity
STOP = {
    "outcome_rating_1": "achieved",
    "outcomes_achieved": "JS now asks for help in class.",
    "attendance": "96%",
    "progress": "Reads at age-related expectations",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "380.00",
    "recommendation": "stop",
}
SIX_YEARS_ON = datetime(2032, 6, 1, 9, 0, tzinfo=LONDON)


def sam(engine: Engine) -> Actor:
    with Session(engine) as session:
        return identify(session, *SENCO)


def money(engine: Engine) -> dict[str, Any]:
    """Everything the council accounts for: the decision, the instalments, the release, budget and city figures."""
    with transaction(engine, read_only=True) as session:
        decisions = [(d.outcome, d.amount_pence, d.review_date, d.schedule) for d in session.exec(select(Decision))]
        instalments = [
            (i.position, i.due_on, i.amount_pence, i.state)
            for i in session.exec(select(Instalment).order_by(col(Instalment.position)))
        ]
        releases = [r.amount_pence for r in session.exec(select(Release))]
        provision = [
            (p.minutes_per_session, p.sessions_per_week, p.weeks, p.hourly_rate_pence)
            for p in session.exec(select(ProvisionLine))
        ]
        impact = impact_counts(session, None)
        city = city_figures(session, date(2026, 6, 2))
    return {
        "decisions": decisions,
        "instalments": instalments,
        "releases": releases,
        "provision": provision,
        "impact": impact,
        "city": city,
    }


@pytest.fixture
def central(engine: Engine) -> Engine:
    """Central and the test roster on both backends: erasure takes PostgreSQL's row locks as well as SQLite's."""
    seed_file(engine, CENTRAL, TEST_NOW)
    import_entries(engine, ROSTER, TEST_NOW, "test")
    return engine


@pytest.fixture
def reviewed(central: Engine) -> int:
    """Sam's individual referral, approved in December 2025 with a document, its funding stopped by its review."""
    review_id = fund(central, TEST_NOW)
    with transaction(central) as session:
        referral = session.exec(select(Referral)).one()
        session.add(
            ReferralDocument(
                referral_id=referral.id or 0,
                name="JS speech and language report.pdf",
                content_type="application/pdf",
                size_bytes=9,
                content=b"%PDF-1.4\n",
                added_by=referral.created_by,
                added_at=TEST_NOW,
            )
        )
        # What the bot sent Sam about it, as the outbox keeps it: the outcome notice (owed with the decision,
        # and delivered since) and an owed nudge.
        decision = session.exec(select(Decision)).one()
        notice = session.exec(select(Outbox).where(Outbox.key == f"notice:decision:{decision.id}:person:1")).one()
        notice.state = "delivered"
        session.add(notice)
        card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "CEN-2526-001 · JS Year 4"}]}
        nudge = "review:1:due-0:person:1"
        session.add(Outbox(key=nudge, person_id=1, card=card, state="owed", not_before=TEST_NOW, created_at=TEST_NOW))
    submit_review(central, sam(central), SubmitReview(review_id=review_id, answers=STOP), REVIEWED)
    assert referral.id is not None
    return referral.id


def outbox_copies(engine: Engine) -> str:
    with Session(engine) as session:
        return json.dumps([[row.card, row.activity] for row in session.exec(select(Outbox))])


def erase_lines(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "pupil.erase")))


def test_the_job_removes_pupil_details_past_the_period_and_keeps_the_decision_and_money_to_the_penny(
    central: Engine, reviewed: int
) -> None:
    before = money(central)
    assert "JS Year 4" in outbox_copies(central), "the notices sent named the pupil by initials"
    assert before["instalments"] and before["releases"] and before["impact"], "the fixture holds money and ratings"

    assert erase_expired(central, SIX_YEARS_ON) == [reviewed]

    with Session(central) as session:
        referral = session.get(Referral, reviewed)
        assert referral is not None
        assert referral.details == {"duration_terms": 3, "parental_consent": True}
        assert (referral.erased_at, referral.erased_reason) == (SIX_YEARS_ON, "retention")
        assert referral.reference == "CEN-2526-001" and referral.state == "decided"
        assert session.exec(select(ReferralDocument)).all() == [], "the file and its bytes are gone"
        [review] = session.exec(select(Review)).all()
        assert review.answers == {"outcome_rating_1": "achieved", "actual_spend": 38000, "recommendation": "stop"}
        assert [o.outcome for o in session.exec(select(ReviewOutcome))] == [""]
        assert [p.provision for p in session.exec(select(ProvisionLine))] == ["Details removed"]
        [letter] = session.exec(select(DecisionLetter)).all()
        words = "\n".join(p.text for p in docx.Document(io.BytesIO(letter.content)).paragraphs)
        assert "CEN-2526-001" in words and "JS" not in words and "Year 4" not in words
    assert "JS Year 4" not in outbox_copies(central)
    with Session(central) as session:
        states = {row.key: row.state for row in session.exec(select(Outbox))}
        decision = session.exec(select(Decision)).one()
        assert states.pop(f"notice:decision:{decision.id}:person:1") == "delivered", "sent: blanked, still delivered"
        assert states and set(states.values()) == {"cancelled"}, "what was still owed about it is never sent"
    assert money(central) == before
    [line] = erase_lines(central)
    assert (line.actor, line.subject, line.detail["reason"]) == ("scheduler", f"referral:{reviewed}", "retention")
    assert line.detail["documents"] == 1


def test_a_second_run_changes_nothing_and_writes_no_more_audit_lines(central: Engine, reviewed: int) -> None:
    assert erase_expired(central, SIX_YEARS_ON) == [reviewed]
    assert erase_expired(central, SIX_YEARS_ON) == []
    assert len(erase_lines(central)) == 1


def test_a_referral_inside_its_period_is_left_alone(central: Engine, reviewed: int) -> None:
    assert erase_expired(central, datetime(2032, 6, 1, 8, 59, tzinfo=LONDON)) == []
    with Session(central) as session:
        referral = session.get(Referral, reviewed)
        assert referral is not None and referral.details["pupil_ref"] == "ETR-0042" and referral.erased_at is None
    assert erase_lines(central) == []


def test_a_cluster_s_shorter_period_brings_the_removal_forward_and_the_list_counts_it(
    central: Engine, reviewed: int
) -> None:
    two_years_on = datetime(2028, 6, 2, 9, 0, tzinfo=LONDON)
    assert [(r.cluster, r.months, r.default, r.due) for r in retention_list(central, two_years_on)] == [
        ("Central", 72, True, 0)
    ]
    assert set_retention(central, "cli", "Central", 24, two_years_on) is None
    assert [(r.months, r.default, r.due) for r in retention_list(central, two_years_on)] == [(24, False, 1)]
    assert erase_expired(central, two_years_on, batch=1) == [reviewed]
    assert [r.due for r in retention_list(central, two_years_on)] == [0]


def test_a_period_outside_its_bounds_is_refused_and_nothing_is_changed(central: Engine) -> None:
    with pytest.raises(Refusal, match="1 to 600 months"):
        set_retention(central, "cli", "Central", 0, TEST_NOW)
    assert [r.default for r in retention_list(central, TEST_NOW)] == [True]


async def test_funding_still_under_review_is_never_removed_however_old(central: Engine) -> None:
    fund(central, TEST_NOW)
    assert await remove_expired_pupil_details(central, datetime(2045, 1, 1, tzinfo=LONDON)) == []


def test_an_erased_draft_cannot_be_edited_and_opens_showing_what_remains(central: Engine) -> None:
    senco = sam(central)
    draft = uc.start(
        central, senco, StartReferral(setting_id=uc.picker(senco)[0][0], kind="individual", once="k"), TEST_NOW
    )
    uc.save_details(central, senco, SaveDetails(referral_id=draft.id, answers=dict(GOOD_INDIVIDUAL)), TEST_NOW)
    year_on = datetime(2026, 11, 21, 10, 0, tzinfo=LONDON)
    assert erase_expired(central, datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)) == []
    assert erase_expired(central, year_on) == [draft.id]

    with pytest.raises(Refusal, match="pupil details were removed"):
        uc.save_details(central, senco, SaveDetails(referral_id=draft.id, answers=dict(GOOD_INDIVIDUAL)), year_on)
    opened = uc.open_referral(central, senco, OpenReferral(referral_id=draft.id), year_on)
    assert not opened.edit and not opened.editable
    shown = json.dumps(referral_card(opened.view, opened.editable))
    assert "Pupil details removed on 21 November 2026" in shown
    assert "ETR-0042" not in shown and "expressive language" not in shown
    pack = docx.Document(io.BytesIO(referral_pack_docx(opened.view, year_on, "Sam Senco")))
    assert "ETR-0042" not in "\n".join(cell.text for t in pack.tables for row in t.rows for cell in row.cells)


def test_an_erased_referral_still_shows_on_the_minutes_and_the_city_figures_are_unchanged(
    central: Engine, reviewed: int
) -> None:
    with Session(central) as session:
        meeting_id = session.exec(select(Referral.meeting_id)).one()
    assert meeting_id is not None
    before = minutes_of_meeting(central, meeting_id)
    city = money(central)["city"]

    erase_expired(central, SIX_YEARS_ON)

    after = minutes_of_meeting(central, meeting_id)
    [entry] = [e.entry for e in after.entries]
    [was] = [e.entry for e in before.entries]
    assert entry.reference == "CEN-2526-001" and entry.decision == was.decision and entry.decision is not None
    assert entry.requested_pence == was.requested_pence and (was.pupil_label, entry.pupil_label) == ("JS Year 4", "")
    assert "CEN-2526-001" in json.dumps(minutes_card(after))
    assert "CEN-2526-001" in minutes_markdown(after, SIX_YEARS_ON) and minutes_xlsx(after, SIX_YEARS_ON)
    assert money(central)["city"] == city
