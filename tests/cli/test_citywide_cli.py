"""``clusterbot citywide``: council officers' Citywide Meetings from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from bot.cli.main import run
from cluster.clock import FixedClock
from store.db import make_engine
from store.models import CitywideMeeting
from tests.conftest import TEST_NOW

CLOCK = FixedClock(TEST_NOW)  # Thursday 20 November 2025


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def citywide(*args: str) -> int:
    return run(["citywide", *args], clock=CLOCK)


def meetings(url: str) -> int:
    with Session(make_engine(url)) as session:
        return session.exec(select(func.count()).select_from(CitywideMeeting)).one()


def test_an_officer_adds_lists_and_cancels_citywide_meetings(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    link = "https://teams.microsoft.com/l/meetup-join/abc"
    assert (
        citywide(
            "add", "--day", "2026-02-12", "--start", "10:00", "--end", "12:30", "--title", "Spring", "--link", link
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "added the Citywide Meeting on Thursday 12 February 2026 10:00-12:30" in out
    assert "its pack is posted on Thursday 5 February 2026" in out
    assert citywide("add", "--day", "2026-04-07") == 0
    assert "its pack is posted on Friday 27 March 2026" in capsys.readouterr().out, "Easter is not working days"
    assert citywide("cancel", "--day", "2026-04-07") == 0
    assert "its pack will not be posted" in capsys.readouterr().out
    assert citywide("list") == 0
    assert capsys.readouterr().out.splitlines() == [
        f"2026-02-12\t10:00-12:30\tSpring\t{link}",
        "2026-04-07\t09:30-13:00\t\t (cancelled)",
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "--day", "2025-11-13"], "Thursday 13 November 2025 has passed: add citywide meetings still to come."),
        (["add", "--day", "2026-02-12", "--start", "12:00", "--end", "11:00"], "must end after it starts (12:00)"),
        (["add", "--day", "2026-02-12", "--link", "teams.example/x"], "Give the meeting link as it starts: https://"),
        (["cancel", "--day", "2026-03-01"], "There is no citywide meeting on Sunday 1 March 2026."),
    ],
)
def test_a_citywide_meeting_that_cannot_be_is_refused_in_a_sentence_and_nothing_is_saved(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert citywide(*args) == 2
    assert said in capsys.readouterr().err
    assert meetings(db) == 0


def test_a_day_takes_one_citywide_meeting_and_a_cancelled_one_can_be_put_back(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert citywide("add", "--day", "2026-02-12") == 0
    assert citywide("add", "--day", "2026-02-12") == 2
    assert "There is already a citywide meeting on Thursday 12 February 2026." in capsys.readouterr().err
    assert citywide("cancel", "--day", "2026-02-12") == 0
    assert citywide("cancel", "--day", "2026-02-12") == 2
    assert "is already cancelled" in capsys.readouterr().err
    assert citywide("add", "--day", "2026-02-12", "--title", "Back on") == 0
    capsys.readouterr()
    assert citywide("list") == 0
    assert capsys.readouterr().out.splitlines() == ["2026-02-12\t09:30-13:00\tBack on\t"]
    assert meetings(db) == 1
