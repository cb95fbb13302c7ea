"""Issue 11, done when: a Playground end-to-end test: a panel member scores an application on its card.

The bot runs as a user starts it (``python -m bot serve``) on the demo roster of ``clusterbot playground``.
Before it starts, a council officer sets this school year's Capital Fund round with the CLI, its window
ending yesterday; through the store's use cases on the same database file, Megan Bowen (SENCO of Waterside)
applied within the window, the admin (Isaiah Langer) accepted the application and named Alex Wilber (SENCO of
Etruscan, the page's user) to the Cluster Panel.

The scoring card goes to Alex's personal chat only if the bot knows that chat when the scheduler's Capital
Fund job runs (at start, then every minute), so, as the review nudge's test does, the page is opened first
against the bot started with ``CLUSTERBOT_SCHEDULER=off`` (the page installs the bot in Alex's chat), then
that bot is stopped and started again on the same port with the scheduler on. Alex scores the application
on the card the job sent, choosing each criterion's score and writing a comment in the page as a person
would, and sees the card confirm it; the scores are stored as Alex's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.dev.playground import DEMO_ADMIN, DEMO_SENCO, DEMO_SENCO_2, playground_config, prepare_demo
from cluster.capital_fund import school_year_of
from cluster.clock import LONDON, Clock
from cluster.commands.capital import NamePanelMember
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral
from cluster.referrals import year_code
from store.db import make_engine
from store.models import CapitalScore
from tests.e2e.botprocess import cli, outbox_states, serve_with_scheduler, stop, wait_installed
from tests.e2e.playground import Playground, PlaygroundPage, free_port, open_browser
from tests.support.past import play_past
from tests.support.referral_flow import GOOD_CAPITAL
from tests.support.referral_steps import submit_shown
from usecases import capital as capital_uc
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.people import identify

pytestmark = pytest.mark.e2e

WAIT = 15.0  # seconds for anything the page should show
CARD_WAIT = 30.0  # the Capital Fund job runs when the bot starts; allow for a slow start
SCORES = {
    "Strategic fit": "5 - excellent",
    "Quality of design": "4 - good",
    "Deliverability": "4 - good",
    "Value for money": "3 - adequate",
    "Environmental impact": "4 - good",
    "Stakeholder engagement": "5 - excellent",
}
COMMENT = "A clear need: twelve pupils with EHCPs need a calm space."


@dataclass
class Demo:
    """What the test drives, and where to leave evidence when it fails."""

    ui: PlaygroundPage
    playground: Playground
    database_url: str
    logs: list[Path]
    tmp: Path
    reference: str
    referral_id: int
    alex: int
    past: frozenset[str]  # the keys of what the set-up's past owed, delivered on its day
    page_errors: list[str] = field(default_factory=list)


def _round_dates(today: date) -> dict[str, date]:
    """This school year's round: the window from 1 September to yesterday, the rest still to come."""
    year = school_year_of(today - timedelta(days=1))
    return {
        "opens": date(year, 9, 1),
        "closes": today - timedelta(days=1),
        "panel-by": today + timedelta(days=14),
        "decisions-by": today + timedelta(days=30),
        "complete-by": today + timedelta(days=120),
        "evaluate-by": today + timedelta(days=150),
    }


def _application(database_url: str, opens: date) -> tuple[str, int, int]:
    """Megan applies on the window's first day; the admin accepts it and names Alex to the panel."""
    engine = make_engine(database_url)
    try:
        applied = datetime(opens.year, opens.month, opens.day, 10, 0, tzinfo=LONDON)
        with Session(engine) as session:
            alex, megan, admin = (
                identify(session, u.aad_object_id, u.name) for u in (DEMO_SENCO, DEMO_SENCO_2, DEMO_ADMIN)
            )
        draft = uc.start(
            engine, megan, StartReferral(setting_id=uc.picker(megan)[0][0], kind="capital", once="e2e-capital"), applied
        )
        uc.save_details(engine, megan, SaveDetails(referral_id=draft.id, answers=GOOD_CAPITAL), applied)
        submit_shown(engine, megan, draft.id, applied)
        accepted = checks.accept(engine, admin, OneReferral(referral_id=draft.id), applied).view
        assert alex.person_id is not None
        capital_uc.add_panel_member(engine, admin, NamePanelMember(person_id=alex.person_id), applied)
        return str(accepted.reference), draft.id, alex.person_id
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("capital-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env.update(DATABASE_URL=database_url, CLUSTERBOT_ALLOW_NO_AUTH="1", CLUSTERBOT_LOG_LEVEL="INFO")

    days = _round_dates(Clock().now().astimezone(LONDON).date())
    dates = [arg for name, day in days.items() for arg in (f"--{name}", day.isoformat())]
    year = str(days["opens"].year)
    label = f"{year}/{(int(year) + 1) % 100:02d}"
    cli(tmp, env, "capital-round", "set", "--year", year, "--label", label, "--total", "500000", *dates)
    past = play_past(database_url, lambda: _application(database_url, days["opens"]))
    reference, referral_id, alex = past.result
    assert reference == f"CEN-{year_code(days['opens'])}-001"

    port = free_port()
    logs = [tmp / "bot-quiet.log", tmp / "bot.log"]
    proc = serve_with_scheduler(tmp, env, port, logs[0], scheduler="off")
    try:
        endpoint = f"http://127.0.0.1:{port}/api/messages"
        with Playground(endpoint, playground_config()) as pg, open_browser(pg.url, timeout=WAIT) as ui:
            demo = Demo(ui, pg, database_url, logs, tmp, reference, referral_id, alex, past.delivered)
            ui.page.on("pageerror", lambda error: demo.page_errors.append(str(error)))
            wait_installed(database_url, DEMO_SENCO.aad_object_id)
            assert outbox_states(database_url, past.delivered) == {}, "nothing is owed while the scheduler is off"
            stop(proc)
            proc = serve_with_scheduler(tmp, env, port, logs[1], scheduler="on")
            yield demo
    finally:
        stop(proc)


@pytest.fixture
def ui(demo: Demo, request: pytest.FixtureRequest) -> Iterator[PlaygroundPage]:
    """The page; when the test fails, a screenshot and the bot's logs are left in the module's tmp dir."""
    failed_before = request.session.testsfailed
    yield demo.ui
    if request.session.testsfailed > failed_before:
        shot = demo.tmp / f"{request.node.name}.png"
        demo.ui.screenshot(shot)
        logs = "\n".join(f"bot log {log}:\n{log.read_text()[-4000:]}" for log in demo.logs if log.exists())
        print(
            f"\nscreenshot: {shot}\n{logs}\noutbox: {outbox_states(demo.database_url)}"
            f"\npage errors: {demo.page_errors}\nplayground output:\n{demo.playground.output}"
        )


def input_for(card: Any, label: str) -> Any:
    """The input a card labels ``label`` exactly."""
    caption = card.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}( \*)?\s*$"))
    assert caption.count() == 1, f"expected one input labelled {label!r}, found {caption.count()}"
    input_id = caption.get_attribute("for")
    assert input_id, f"the label {label!r} names no input"
    return card.locator(f"[id='{input_id}']")


def choose(ui: PlaygroundPage, card: Any, label: str, title: str) -> None:
    """A compact Input.ChoiceSet: a Fluent Combobox; open it and click the option."""
    box = input_for(card, label)
    box.click()
    ui.page.get_by_role("option", name=title, exact=True).click()
    assert box.input_value() == title


def test_a_panel_member_scores_an_application_on_its_card(ui: PlaygroundPage, demo: Demo) -> None:
    # The job sent Alex the scoring card when the bot started: the page shows it.
    card = ui.wait_for_card(f"Please score {demo.reference}", timeout=CARD_WAIT)
    shown = card.inner_text()
    assert "Waterside Primary School" in shown and "£12,500.00 asked" in shown, shown
    key = f"notice:capital:{demo.referral_id}:score:person:{demo.alex}"
    assert outbox_states(demo.database_url).get(key) == "delivered"

    for label, title in SCORES.items():
        choose(ui, card, label, title)
    comment = input_for(card, "Comment on strategic fit")
    comment.fill(COMMENT)
    assert comment.input_value() == COMMENT
    ui.click_button("Save my scores", within=card)

    saved = ui.wait_for_card("Your scores are saved.")
    shown = saved.inner_text()
    assert f"Capital Fund: {demo.reference}" in shown, shown
    assert "Scored by 1 of" in shown, shown
    ui.screenshot(demo.tmp / "scored.png")
    engine = make_engine(demo.database_url)
    try:
        with Session(engine) as session:
            [stored] = session.exec(select(CapitalScore)).all()
    finally:
        engine.dispose()
    assert stored.person_id == demo.alex and stored.referral_id == demo.referral_id
    assert stored.scores == {
        "strategic_fit": 5,
        "quality_of_design": 4,
        "deliverability": 4,
        "value_for_money": 3,
        "environmental_impact": 4,
        "stakeholder_engagement": 5,
    }
    assert stored.comments == {"strategic_fit": COMMENT}
    assert demo.page_errors == [], demo.page_errors
