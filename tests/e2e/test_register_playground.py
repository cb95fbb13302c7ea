"""Issue 20, done when: a Playground end-to-end test: the roll call, then an item opened with its quorum shown,
with a screenshot kept.

The bot runs as ``clusterbot playground`` runs it (demo mode, on the demo's database as
:func:`bot.dev.playground.prepare_demo` leaves it, quorum 2), with Megan Bowen's EHCP referral for Waterside
accepted onto today's demo meeting through the store's use cases. Everything else is typed and clicked in the
page: Alex Wilber, the page's user, acts as the admin to link the channel and then as Adele Vance, the chair,
who posts the agenda, starts the meeting, takes the roll call on its card (``@Clusterbot roll call``),
marking four settings present, and opens the item. The quorum check ("4 settings present, 1 recused: 3 may
vote, 2 needed": Waterside is the referring setting) is read on the agenda before opening and on the vote card
after. The screenshot is kept in the test's tmp dir and copied to ``docs/screenshots/roll_call_quorum.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.dev.playground import (
    DEMO_ADMIN,
    DEMO_CHAIR,
    DEMO_CLUSTER,
    DEMO_SENCO,
    DEMO_SENCO_2,
    DEMO_SENCO_3,
    DEMO_SENCO_4,
    REPO_ROOT,
    prepare_demo,
)
from cluster.clock import Clock
from tests.e2e.botprocess import BotAndPage, bot_env, bot_with_page
from tests.e2e.forms import act_as, last_card, own_view, press, words
from tests.e2e.playground import PlaygroundPage
from tests.e2e.test_meeting_playground import accepted_referral

pytestmark = pytest.mark.e2e

WAIT = 15.0  # seconds for anything the page should show
SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "roll_call_quorum.png"
# Waterside refers (Megan Bowen): present, but recused for its own referral.
PRESENT = tuple(u.setting for u in (DEMO_SENCO, DEMO_SENCO_2, DEMO_SENCO_3, DEMO_SENCO_4))
QUORUM = "4 settings present, 1 recused: 3 may vote, 2 needed"


@dataclass
class Demo:
    """What the test drives, and where to leave evidence."""

    run: BotAndPage
    tmp: Path
    reference: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("register-e2e")
    database_url = f"sqlite:///{tmp / 'playground.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    reference = accepted_referral(database_url)
    with bot_with_page(tmp, bot_env(database_url, demo=True), WAIT) as run:
        yield Demo(run, tmp, reference)


@pytest.fixture
def ui(demo: Demo, request: pytest.FixtureRequest) -> Iterator[PlaygroundPage]:
    """The page; when the test fails, a screenshot and the bot's log's end are left in the module's tmp dir."""
    failed_before = request.session.testsfailed
    yield demo.run.ui
    if request.session.testsfailed > failed_before:
        print(demo.run.evidence(demo.tmp / f"{request.node.name}.png"))


def test_the_chair_takes_the_roll_call_then_opens_an_item_with_its_quorum_shown(ui: PlaygroundPage, demo: Demo) -> None:
    reference = demo.reference
    agenda_title = f"Agenda: {DEMO_CLUSTER} cluster"

    # The admin links the channel; the chair posts the agenda and starts the meeting. Nobody is on the
    # register yet: the item would not open.
    ui.open_channel("General")
    ui.wait_for_card("not linked to a cluster yet")
    act_as(ui, DEMO_ADMIN.name, in_channel=True)
    ui.mention(f"link cluster {DEMO_CLUSTER}")
    ui.wait_for_card(f"Linked to the {DEMO_CLUSTER} cluster")
    act_as(ui, DEMO_CHAIR.name, in_channel=True)
    ui.mention("agenda")
    last_card(ui, agenda_title, reference)
    press(ui, own_view(ui, "Start the meeting", agenda_title, reference), "Start the meeting")
    last_card(ui, agenda_title, "The meeting is under way")
    started = words(own_view(ui, "End the meeting", agenda_title, reference))
    assert "Quorum: 0 settings present" in started and "(not quorate yet)" in started, started

    # The roll call: every setting of the cluster, each with its button; the chair marks four present.
    ui.mention("roll call")
    roll_call = last_card(ui, f"Roll call: {DEMO_CLUSTER} cluster")
    for setting in PRESENT:
        assert setting is not None
        press(ui, roll_call, f"Mark {setting} present")
        roll_call = last_card(ui, f"Roll call: {DEMO_CLUSTER} cluster", f"Mark {setting} absent")
    shown = words(roll_call)
    assert all(f"Mark {setting} absent" in shown for setting in PRESENT if setting), shown

    # The agenda, as the chair sees it, now says the item's quorum from the register; she opens it.
    agenda = own_view(ui, f"Quorum: {QUORUM} (quorate)", agenda_title, reference)
    press(ui, agenda, "Open")
    vote = last_card(ui, f"Vote: {reference}", "Open for voting", f"Register: {QUORUM}")
    vote.scroll_into_view_if_needed()
    shot = demo.tmp / "roll_call_quorum.png"
    ui.screenshot(shot)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)
    assert shot.stat().st_size > 0
    assert demo.run.page_errors == [], demo.run.page_errors
