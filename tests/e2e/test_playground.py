"""The bot as a user starts it (``python -m bot serve``), with the demo roster of ``clusterbot playground``,
driven through Microsoft's Agents Playground in headless Chromium. Every check reads what the page shows.

One bot, one playground and one browser serve the whole module; the tests run in file order (the first
checks the welcome card sent when the page first loaded).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.dev.playground import DEMO_ADMIN, DEMO_CLUSTER, DEMO_SENCO, TEAM_ID, prepare_demo
from cluster.clock import Clock
from tests.e2e.botprocess import bot_env, bot_with_page
from tests.e2e.playground import Playground, PlaygroundPage
from usecases.demo import TODAY_TITLE

pytestmark = pytest.mark.e2e

CARD = ".ac-adaptiveCard"
WAIT = 15.0  # seconds for anything the page should show


@dataclass
class Demo:
    """What the tests drive, and where to leave evidence when one fails."""

    ui: PlaygroundPage
    playground: Playground
    bot_log: Path
    tmp: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("playground-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    with bot_with_page(tmp, bot_env(database_url), WAIT) as (ui, pg, bot_log):
        yield Demo(ui, pg, bot_log, tmp)


@pytest.fixture
def ui(demo: Demo, request: pytest.FixtureRequest) -> Iterator[PlaygroundPage]:
    """The page; when the test fails, a screenshot and the bot's log are left in the module's tmp dir."""
    failed_before = request.session.testsfailed
    yield demo.ui
    if request.session.testsfailed > failed_before:  # the call phase's report is counted before teardown
        shot = demo.tmp / f"{request.node.name}.png"
        demo.ui.screenshot(shot)
        print(f"\nscreenshot: {shot}\nbot log: {demo.bot_log}\nplayground output:\n{demo.playground.output}")


def cards(ui: PlaygroundPage, contains: str) -> Any:
    """Every Adaptive Card on the page whose text contains ``contains``."""
    return ui.page.locator(CARD, has_text=contains)


def wait_for_count(locator: Any, at_least: int, timeout: float = WAIT) -> None:
    """Wait until ``locator`` matches at least ``at_least`` visible elements."""
    locator.nth(at_least - 1).wait_for(state="visible", timeout=timeout * 1000)


def test_opening_the_page_installs_the_bot_and_welcomes_the_senco_with_her_commands(ui: PlaygroundPage) -> None:
    welcome = ui.wait_for_card(f"Hello {DEMO_SENCO.name}")
    text = welcome.inner_text()
    assert "Cluster funding" in text
    for command in ("help", "whoami", "next meeting"):
        assert command in text
    for button in ("Who am I", "Next meeting"):
        assert welcome.get_by_role("button", name=button, exact=True).is_visible()


def test_help_shows_the_help_card_and_who_am_i_replaces_it_with_her_roles(ui: PlaygroundPage) -> None:
    ui.open_personal_chat()
    help_cards = cards(ui, f"Hello {DEMO_SENCO.name}")
    before = help_cards.count()
    ui.send("help")
    wait_for_count(help_cards, before + 1)
    total = ui.page.locator(CARD).count()

    ui.click_button("Who am I", within=help_cards.nth(before))

    whoami = ui.wait_for_card("SENCO of Etruscan Primary School (Central)")
    assert DEMO_SENCO.name in whoami.inner_text()
    assert f"Teams id: {DEMO_SENCO.aad_object_id}" in whoami.inner_text()
    # Replaced in place: the help card the button was on is gone, and no card was added.
    assert help_cards.count() == before
    assert ui.page.locator(CARD).count() == total


def test_next_meeting_shows_a_demo_meeting_on_any_date(ui: PlaygroundPage) -> None:
    # The shipped Central meetings are 2025/26; the demo adds one today (and more to come), so the tour works.
    ui.open_personal_chat()
    ui.send("next meeting")
    card = ui.wait_for_card(TODAY_TITLE)
    assert "Next meeting" in card.inner_text() and "deadline" in card.inner_text().lower()


def test_in_the_channel_help_says_unlinked_and_the_admin_links_it_to_central(ui: PlaygroundPage, demo: Demo) -> None:
    unlinked = cards(ui, "not linked to a cluster yet")
    ui.open_channel("General")
    wait_for_count(unlinked, 1)  # the welcome card of the bot's install in the team
    before = unlinked.count()

    ui.mention("help")
    wait_for_count(unlinked, before + 1)
    assert "Cluster funding in this channel" in unlinked.last.inner_text()

    demo.playground.message_as(DEMO_ADMIN.id, TEAM_ID, f"link cluster {DEMO_CLUSTER}")
    linked = ui.wait_for_card(f"Linked to the {DEMO_CLUSTER} cluster")
    assert f"{DEMO_ADMIN.name} linked this channel" in linked.inner_text()
