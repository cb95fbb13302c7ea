"""``clusterbot erase`` and ``clusterbot retention`` as a council's data protection officer uses them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli.main import run
from cluster.clock import LONDON, FixedClock
from cluster.commands.referrals import SaveDetails, StartReferral
from cluster.commands.reviews import SubmitReview
from store.db import make_engine, upgrade
from store.models import AuditEvent, Decision, Instalment, Referral
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, SENCO, TEST_NOW
from tests.support.referral_flow import GOOD_INDIVIDUAL
from tests.support.review_flow import fund
from usecases import referrals as uc
from usecases.people import identify
from usecases.reviews import submit_review
from usecases.roster import import_entries

LATER = FixedClock(datetime(2026, 9, 1, 10, 0, tzinfo=LONDON))
ERASE = ["erase", "--setting", "Etruscan Primary School", "--pupil-ref", "etr-0042", "--reason", "SAR-2026-07"]
STOP = {
    "outcome_rating_1": "partly",
    "outcomes_achieved": "Some progress.",
    "attendance": "94%",
    "progress": "Steady",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "380.00",
    "recommendation": "stop",
}


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Central with Sam's funded referral for ETR-0042 (review open) and a draft for another pupil, ETR-0077."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    upgrade(url)
    engine = make_engine(url)
    seed_file(engine, CENTRAL, TEST_NOW)
    import_entries(engine, ROSTER, TEST_NOW, "test")
    fund(engine, TEST_NOW)
    with Session(engine) as session:
        sam = identify(session, *SENCO)
    other = uc.start(
        engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="individual", once="other"), TEST_NOW
    )
    uc.save_details(
        engine,
        sam,
        SaveDetails(referral_id=other.id, answers=GOOD_INDIVIDUAL | {"pupil_ref": "ETR-0077", "pupil_initials": "KT"}),
        TEST_NOW,
    )
    yield engine
    engine.dispose()


def reviewed(engine: Engine) -> None:
    with Session(engine) as session:
        sam = identify(session, *SENCO)
    submit_review(engine, sam, SubmitReview(review_id=1, answers=STOP), datetime(2026, 6, 1, 9, 0, tzinfo=LONDON))


def referrals(engine: Engine) -> dict[str, Referral]:
    with Session(engine) as session:
        return {str(r.details.get("pupil_ref", r.id)): r for r in session.exec(select(Referral))}


def erased(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return [r.id or 0 for r in session.exec(select(Referral).where(Referral.erased_at.is_not(None)))]  # type: ignore[union-attr]


def test_erase_refuses_while_funding_is_active_and_names_the_referral(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*ERASE, "--yes"], clock=LATER) == 2
    err = capsys.readouterr().err
    assert "Nothing was erased" in err and "CEN-2526-001" in err and "review is not yet done" in err
    assert erased(engine) == [] and referrals(engine)["ETR-0042"].details["summary"]


def test_after_the_review_erase_removes_that_pupil_only_and_keeps_the_money(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    reviewed(engine)
    with Session(engine) as session:
        money = [
            (d.amount_pence, [(i.amount_pence, i.state) for i in session.exec(select(Instalment))])
            for d in session.exec(select(Decision))
        ]

    assert run([*ERASE, "--yes"], clock=LATER) == 0

    out = capsys.readouterr().out
    assert "CEN-2526-001" in out and "ETR-0042" not in out.upper()
    held = referrals(engine)
    assert "ETR-0042" not in held, "the pupil reference itself is erased"
    assert held["ETR-0077"].details["pupil_initials"] == "KT" and held["ETR-0077"].erased_at is None
    [gone] = [r for r in held.values() if r.erased_at is not None]
    assert gone.reference == "CEN-2526-001" and gone.erased_reason == "SAR-2026-07"
    with Session(engine) as session:
        assert money == [
            (d.amount_pence, [(i.amount_pence, i.state) for i in session.exec(select(Instalment))])
            for d in session.exec(select(Decision))
        ]
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "pupil.erase")).all()
    assert (line.actor, line.subject, line.detail["reason"]) == ("cli", f"referral:{gone.id}", "SAR-2026-07")
    assert run([*ERASE, "--yes"], clock=LATER) == 2, "a second request finds nothing left to erase"


def test_erase_asks_first_and_an_answer_other_than_yes_erases_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewed(engine)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert run(ERASE, clock=LATER) == 1
    out = capsys.readouterr().out
    assert "will be removed from" in out and "CEN-2526-001" in out and "Nothing was erased." in out
    assert erased(engine) == []

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert run(ERASE, clock=LATER) == 0
    assert erased(engine) == [1]


def test_retention_set_is_bounded_and_audited_and_list_shows_each_cluster_s_period(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["retention", "set", "--cluster", "Central", "--months", "0"], clock=LATER) == 2
    assert "1 to 600 months" in capsys.readouterr().err
    assert run(["retention", "list"], clock=LATER) == 0
    assert "Central\t72 (default)\t0" in capsys.readouterr().out

    assert run(["retention", "set", "--cluster", "CEN", "--months", "3"], clock=LATER) == 0
    assert "kept 3 months" in capsys.readouterr().out
    assert run(["retention", "list"], clock=LATER) == 0
    # ETR-0077's draft was last touched ten months ago: past a three-month period.
    assert "Central\t3\t1" in capsys.readouterr().out
    with Session(engine) as session:
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "cluster.retention")).all()
    assert line.detail == {"months": 3, "was": None}
