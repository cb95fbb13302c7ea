"""Issue 12, done when: a Playground end-to-end test shows the citywide card to a council officer, with a screenshot.

The bot runs as a user starts it (``python -m bot serve``) on the demo data of ``clusterbot playground``.
Before it starts, a council officer's work is done with the command line as the council would do it: the
three made-up clusters of the tests (``tests/data/clusters``) are loaded with ``clusterbot seed --file``,
each cluster's budget for this school year is set with ``clusterbot budget set``, and the page's user is
registered as a council officer with ``clusterbot people add``. The officer types ``citywide`` in the page;
the card must show each of the four clusters and the city's total (to the penny): the page draws the
charts, so the officer opens the table of exact figures under the clusters' chart; then the officer moves to
the referrals section with its button.

The screenshot is kept (``build/screenshots/citywide_officer.png`` under the project, and named in the
output) whether the test passes or fails: it is the evidence a person looks at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dev.playground import playground_config, prepare_demo
from cluster.citywide import school_year_label, school_year_start
from cluster.clock import LONDON, Clock
from cluster.provision import format_pence
from tests.e2e.botprocess import bot_env, bot_with_page, cli
from tests.e2e.playground import PlaygroundPage

pytestmark = pytest.mark.e2e

WAIT = 20.0
ROOT = Path(__file__).resolve().parents[2]
CLUSTER_FILES = ROOT / "tests" / "data" / "clusters"
SCREENSHOT = ROOT / "build" / "screenshots" / "citywide_officer.png"
OFFICER = {"id": "user-id-officer", "name": "Olive Officer", "aadObjectId": "00000000-0000-0000-0000-000000000029"}
BUDGETS = {"Central": 300_000_00, "North": 120_000_00, "South": 100_000_00, "West": 175_000_00}


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundPage]:
    tmp = tmp_path_factory.mktemp("citywide-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    env = bot_env(database_url)
    for name in ("north", "south", "west"):
        cli(tmp, env, "seed", "--file", str(CLUSTER_FILES / f"{name}.json"))
    today = Clock().now().astimezone(LONDON).date()
    starts = school_year_start(today)
    for cluster, pence in BUDGETS.items():
        cli(
            tmp, env, "budget", "set", "--cluster", cluster, "--label", school_year_label(today),
            "--starts", starts.isoformat(), "--ends", starts.replace(year=starts.year + 1, day=31, month=8).isoformat(),
            "--baseline", f"{pence // 100}", "--reserve", "5000",
        )  # fmt: skip
    cli(tmp, env, "people", "add", "--name", OFFICER["name"], "--aad", OFFICER["aadObjectId"], "--role", "officer")
    with bot_with_page(tmp, env, WAIT, playground_config(current_user=OFFICER)) as (page, pg, log):
        yield page
        print(f"\nbot log: {log}\nplayground output:\n{pg.output}")


def test_a_council_officer_sees_every_cluster_and_the_citys_total_on_the_citywide_card(ui: PlaygroundPage) -> None:
    ui.open_personal_chat()
    ui.send("citywide")
    try:
        card = ui.wait_for_card("Citywide: Money", timeout=WAIT)
        # Where the page draws the charts, the exact figures are a click away (the last chart's table).
        if "Total" not in card.inner_text():
            ui.click_button("Show or hide the figures: Each cluster's money (£)", within=card)
            card.get_by_text("Total", exact=True).first.wait_for(state="visible", timeout=WAIT * 1000)
        card.get_by_text("Total", exact=True).first.scroll_into_view_if_needed()
        shown = card.inner_text()
    finally:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        ui.screenshot(SCREENSHOT)
        print(f"\nscreenshot: {SCREENSHOT}")
    assert SCREENSHOT.stat().st_size > 10_000, "the screenshot holds the page"
    for cluster in BUDGETS:
        assert cluster in shown, f"{cluster} is on the card"
    assert "Total" in shown
    assert format_pence(sum(BUDGETS.values())) in shown, "the city's allocation, added up to the penny"
    assert "no pupil is named" in shown

    ui.click_button("Referrals", within=card)
    referrals = ui.wait_for_card("Citywide: Referrals", timeout=WAIT)
    assert "Individual pupil" in referrals.inner_text(), "the referrals by kind are drawn, with their legend"
    ui.screenshot(SCREENSHOT.with_name("citywide_officer_referrals.png"))  # kept beside the first
