"""Issue 3, done when: in personal chat, the demo SENCO of Etruscan Primary School fills in and submits an
Individual Pupil Need referral with two provision rows, through Microsoft's Agents Playground in headless
Chromium, and sees the confirmation with the reference and the meeting date.

The bot runs as a user starts it (``python -m bot serve``) on the demo roster of ``clusterbot playground``.
The demo gives Central a meeting today taking referrals until 23:59 and more from about three weeks ahead; an
admin also adds one ten days ahead with the CLI, and the referral must go to the earliest open one: today's.
Every input is filled in the page, the way a person would, and every check reads what the page shows.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.dev.playground import DEMO_CLUSTER, DEMO_SENCO, prepare_demo
from cluster.clock import Clock
from cluster.referrals import year_code
from tests.e2e.botprocess import bot_env, bot_with_page
from tests.e2e.forms import card_with, click, fill_custom_row, fill_details
from tests.e2e.playground import Playground, PlaygroundPage
from tests.support.referral_flow import GOOD_INDIVIDUAL, ROW_1, ROW_2
from usecases.demo import TODAY_TITLE

pytestmark = pytest.mark.e2e

CARD = ".ac-adaptiveCard"
NOT_IN_DOCUMENT = "The pupil's plan names this provider; the document has no like provision."
WAIT = 15.0  # seconds for anything the page should show
MEETING_TITLE = "Test meeting"
SETTING = "Etruscan Primary School"
# The Playground's Adaptive Cards renderer throws this when an Action.Execute's data has a property named
# "key" (its serializer writes to a frozen object), and then sends nothing to the bot.
KEY_BUG = "Cannot assign to read only property 'key'"


@dataclass
class Demo:
    """What the test drives, and where to leave evidence when it fails."""

    ui: PlaygroundPage
    playground: Playground
    bot_log: Path
    tmp: Path
    meeting_day: date
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("referral-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    env = bot_env(database_url)

    meeting_day = Clock().now().date() + timedelta(days=10)
    add_meeting = ["meetings", "add", "--cluster", DEMO_CLUSTER, "--date", meeting_day.isoformat()]
    added = subprocess.run(
        [sys.executable, "-m", "bot", *add_meeting, "--title", MEETING_TITLE],
        cwd=tmp,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, f"meetings add failed:\n{added.stdout}\n{added.stderr}"

    with bot_with_page(tmp, env, WAIT) as (ui, pg, bot_log):
        demo = Demo(ui, pg, bot_log, tmp, meeting_day)
        ui.page.on("pageerror", lambda error: demo.page_errors.append(str(error)))
        yield demo


@pytest.fixture
def ui(demo: Demo, request: pytest.FixtureRequest) -> Iterator[PlaygroundPage]:
    """The page; when the test fails, a screenshot and the bot's log are left in the module's tmp dir."""
    failed_before = request.session.testsfailed
    yield demo.ui
    if request.session.testsfailed > failed_before:  # the call phase's report is counted before teardown
        shot = demo.tmp / f"{request.node.name}.png"
        demo.ui.screenshot(shot)
        print(
            f"\nscreenshot: {shot}\nbot log: {demo.bot_log}\npage errors: {demo.page_errors}"
            f"\nplayground output:\n{demo.playground.output}"
        )


def expected_reference(today: date) -> str:
    """The cluster's first reference of the school year the referral is submitted in (September to August)."""
    return f"CEN-{year_code(today)}-001"


# The test ------------------------------------------------------------------------------------------------


def test_the_senco_submits_an_individual_pupil_need_referral_with_two_rows_and_sees_its_reference(
    ui: PlaygroundPage, demo: Demo
) -> None:
    ui.open_personal_chat()
    ui.wait_for_card(f"Hello {DEMO_SENCO.name}")  # the page's install has been answered

    ui.send("new referral")
    picker = card_with(ui, "What would you like to ask the cluster for?")
    assert f"For {SETTING}" in picker.inner_text()
    # Each kind is a row of the picker: its title and summary, and a Start button.
    kind_row = (
        picker.locator(".ac-container", has_text="Individual Pupil Need")
        .filter(has=ui.page.get_by_role("button", name="Start: Individual Pupil Need", exact=True))
        .last
    )
    click(ui, kind_row, "Start: Individual Pupil Need")
    form = ui.page.locator(CARD, has_text="Step 1 of 4: Details").last
    deadline = time.monotonic() + WAIT
    while not form.is_visible():
        if any(KEY_BUG in error for error in demo.page_errors):
            shot = demo.tmp / "start-not-sent.png"
            ui.screenshot(shot)
            pytest.fail(
                "The Playground cannot click the kind picker's Start: its renderer throws "
                f"{KEY_BUG!r} for an Action.Execute whose data has a 'key' property, and sends nothing to the "
                f"bot (screenshot: {shot})."
            )
        assert time.monotonic() < deadline, "the details form did not replace the kind picker"
        ui.page.wait_for_timeout(100)
    assert "Individual Pupil Need" in form.inner_text()

    fill_details(ui, form, GOOD_INDIVIDUAL)
    click(ui, form, "Save and continue")

    costs = card_with(ui, "Costs: Individual Pupil Need")
    assert "No rows yet" in costs.inner_text()
    # The demo loads the council's made-up document; these two provisions are not in it, so each says why.
    fill_custom_row(ui, costs, ROW_1, NOT_IN_DOCUMENT)
    click(ui, costs, "Add row")
    # 30/60 × 3 × 38 × £15.00 ÷ 2 = £427.50
    costs = card_with(ui, "£427.50")
    assert ROW_1["provision"] in costs.inner_text()

    fill_custom_row(ui, costs, ROW_2, NOT_IN_DOCUMENT)
    click(ui, costs, "Add row")
    # 45/60 × 1 × 12 × £62.33 = £560.97; the total adds the rounded rows
    costs = card_with(ui, "£560.97")
    shown = costs.inner_text()
    assert ROW_1["provision"] in shown and ROW_2["provision"] in shown
    assert "£427.50" in shown
    assert "£988.47" in shown, "the running total of the two rows"

    click(ui, costs, "Continue")
    documents = card_with(ui, "Documents: Individual Pupil Need")
    click(ui, documents, "Continue")

    review = card_with(ui, "Review: Individual Pupil Need")
    shown = review.inner_text()
    assert "Everything needed is here" in shown, shown
    assert "£988.47" in shown
    click(ui, review, "Submit to the cluster")

    done = card_with(ui, "Referral submitted")
    shown = done.inner_text()
    reference = expected_reference(Clock().now().date())
    assert reference in shown, shown
    # The earliest meeting still taking referrals: the demo's meeting today (until 23:59), before the admin's.
    today = Clock().now().date().strftime("%A %-d %B %Y")  # as cards.referrals shows a day
    assert f"{today} ({TODAY_TITLE})" in shown, shown
    assert f"{today}, 23:59" in shown, shown
    assert MEETING_TITLE not in shown, shown
    assert "£988.47" in shown, "the amount requested: no contribution was given"
