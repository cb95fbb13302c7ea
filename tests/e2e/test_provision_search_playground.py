"""Issue 21, done when: a Playground end-to-end test: a SENCO adds a row by searching the document, with a screenshot.

The bot runs as a user starts it (``python -m bot serve``) on the demo data of ``clusterbot playground``, which
loads the made-up example Costed Provision Document as this financial year's. Alex Wilber, SENCO of Etruscan
Primary School (the page's user), starts an Individual Pupil Need referral, saves its details, and on the costs
card finds "Speech and language group" by typing part of its name; its rate (£24.00 an hour), unit and fixed
group of four come from the document, and she gives only the amounts.

The Agents Playground (0.2.28) does not send Teams' ``application/search`` invoke: typing in the row form's
filtered choice (``choices.data`` of type ``Data.Query``) sends nothing to the bot and lists only the choice's
static choices. So the test searches the way the card offers any client without that search: it types "speech"
in "Not searching as you type? Look it up", presses "Look it up", and chooses from the matches the bot lists.
The search itself (``application/search``, at most 15 choices) is tested through /api/messages in
``tests/http/test_provision_map.py``.

Two screenshots are written to the test's tmp dir whether it passes or fails, and named in the output: the
matches listed (``provision_search.png``) and the row added (``provision_search_added.png``); copies of a
passing run's are kept in ``docs/screenshots/`` (copied by hand: a test does not write into the project).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import Session, select

from bot.dev.playground import DEMO_SENCO, prepare_demo
from cluster.clock import Clock
from store.db import make_engine
from store.models import ProvisionDocument, ProvisionEntry, ProvisionLine, Referral
from tests.e2e.botprocess import bot_env, bot_with_page
from tests.e2e.forms import card_with, click, fill_details, fill_number, fill_text, input_for
from tests.e2e.playground import PlaygroundPage
from tests.support.referral_flow import GOOD_INDIVIDUAL

pytestmark = pytest.mark.e2e

WAIT = 20.0  # seconds for anything the page should show
CHOICE = "Provision from the council's document"
LOOK_UP = "Not searching as you type? Look it up"
# The example document's row (store/data/costed_provision_example_made_up.csv), as the search lists it.
FOUND = "Speech and language group · Speech and language therapy assistant · £24.00 a hour, group of 4"


def database_url(tmp: Path) -> str:
    """The demo's database, in the test's tmp dir."""
    return f"sqlite:///{tmp / 'demo.db'}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PlaygroundPage, Path]]:
    """The page, and the tmp dir the demo's database (``demo.db``), the bot's log and the screenshots are in."""
    tmp = tmp_path_factory.mktemp("provision-search-e2e")
    prepare_demo(database_url(tmp), Clock())  # as `clusterbot playground` does: the example too
    with bot_with_page(tmp, bot_env(database_url(tmp)), WAIT) as (ui, pg, bot_log):
        yield ui, tmp
        print(f"\nbot log: {bot_log}\nplayground output:\n{pg.output}")


def redrawn(ui: PlaygroundPage, card: Any, title: str) -> Any:
    """Press the card's button ``title`` and wait until the bot's answer has replaced the card.

    The page gives each input of a card it draws a new id, so the choice's id changing says the card is new.
    """
    before = input_for(card, CHOICE).get_attribute("id")
    click(ui, card, title)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with contextlib.suppress(AssertionError, PlaywrightError):
            if input_for(card, CHOICE).get_attribute("id", timeout=1000) != before:
                return card
        ui.page.wait_for_timeout(100)
    raise AssertionError(f"the card was not replaced after {title!r}")


def shoot(demo: tuple[PlaygroundPage, Path], card: Any, name: str) -> Path:
    """A screenshot of the page with ``card`` in view, in the test's tmp dir; its path is printed."""
    card.scroll_into_view_if_needed()
    ui, tmp = demo
    shot = tmp / name
    ui.screenshot(shot)
    print(f"\nscreenshot: {shot}")
    return shot


def stored_row(url: str) -> tuple[ProvisionLine, ProvisionEntry, ProvisionDocument, Referral]:
    """The referral's one provision row, the document row it names, that row's version, and the referral."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            [line] = session.exec(select(ProvisionLine)).all()
            entry = session.get(ProvisionEntry, line.entry_id)
            assert entry is not None, "the row names a row of the council's document"
            document = session.get(ProvisionDocument, entry.document_id)
            referral = session.get(Referral, line.referral_id)
            assert document is not None and referral is not None
            return line, entry, document, referral
    finally:
        engine.dispose()


def test_a_senco_adds_a_row_by_searching_the_council_s_document(demo: tuple[PlaygroundPage, Path]) -> None:
    ui, tmp = demo
    ui.open_personal_chat()
    ui.wait_for_card(f"Hello {DEMO_SENCO.name}", timeout=WAIT)  # the page's install has been answered
    ui.send("new referral")
    click(ui, card_with(ui, "What would you like to ask the cluster for?"), "Start: Individual Pupil Need")
    form = card_with(ui, "Step 1 of 4: Details", timeout=WAIT)
    fill_details(ui, form, GOOD_INDIVIDUAL)
    click(ui, form, "Save and continue")

    costs = card_with(ui, "Costs: Individual Pupil Need", timeout=WAIT)
    assert "(a made-up example): its rate and unit price the row" in costs.inner_text(), "the demo's document"
    fill_text(costs, LOOK_UP, "speech")
    costs = redrawn(ui, costs, "Look it up")

    # The card comes back with the matches as the choice's list (a filtered choice lists those holding what is
    # typed in it), and what was typed kept in the look-up's box.
    assert input_for(costs, LOOK_UP).input_value() == "speech"
    choice = input_for(costs, CHOICE)
    choice.click()
    ui.page.keyboard.type("speech")
    options = ui.page.get_by_role("option")
    options.first.wait_for(timeout=WAIT * 1000)
    listed = [o.inner_text() for o in options.all()]
    try:
        assert FOUND in listed, listed
        assert all("speech" in title.lower() for title in listed), "only provisions that match what was typed"
    finally:
        kept = shoot(demo, choice, "provision_search.png")
    # (The page's filtered choice then shows the chosen choice's value, the row's id, not its title.)
    ui.page.get_by_role("option", name=FOUND, exact=True).click()

    fill_number(costs, "Minutes per session", "30")
    fill_number(costs, "Sessions per week", "2")
    fill_number(costs, "Weeks (or terms or items, when the document prices it so)", "10")
    click(ui, costs, "Add row")  # the group size is the document's: four

    # 30/60 × 2 × 10 × £24.00 ÷ 4 = £60.00
    costs = card_with(ui, "Row 1: Speech and language group · £60.00", timeout=WAIT)
    try:
        shown = costs.inner_text()
        assert "Speech and language therapy assistant · 30 min × 2/week × 10 weeks, group of 4 at £24.00/h" in shown
        assert "Not in the council's document" not in shown, "a document row is not marked as one it lacks"
    finally:
        shoot(demo, costs.get_by_text("Row 1: Speech and language group · £60.00"), "provision_search_added.png")
    assert kept.stat().st_size > 10_000, "the screenshot holds the page"

    line, entry, document, referral = stored_row(database_url(tmp))
    assert entry.provision == "Speech and language group" and entry.unit_cost_pence == 2400
    assert (line.hourly_rate_pence, line.unit, line.group_size) == (2400, "hour", 4), "the document's rate and group"
    assert document.example, "priced from the made-up example the demo loads"
    assert referral.provision_document_id == document.id, "the referral keeps the version it was priced with"
