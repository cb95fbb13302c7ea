"""Issue 4, done when: a Playground end-to-end test in the team channel: the agenda appears, the chair opens an
item, a vote is cast, the card updates.

The bot runs as a user starts it (``python -m bot serve``) on the demo roster of ``clusterbot playground``. Before
it starts, an admin adds a meeting two weeks ahead, a quorum of one and a budget with the CLI; Megan Bowen
(SENCO of Waterside) then has an EHCP top-up referral accepted onto that meeting (through the store's use cases,
on the same database file). In the page, Alex Wilber (SENCO of Etruscan, a voter) opens the team channel. The
admin and the chair act through the Playground's own interface for other mock users: the admin links the
channel, the chair posts the agenda, starts the meeting and opens the item. Alex votes by clicking the page.
Every check of the outcome reads what the page shows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from bot.dev.playground import (
    DEMO_ADMIN,
    DEMO_CHAIR,
    DEMO_CLUSTER,
    DEMO_SENCO_2,
    TEAM_ID,
    playground_config,
    prepare_demo,
)
from cluster.clock import Clock
from cluster.commands.referrals import OneReferral, SaveDetails, StartReferral, SubmitReferral
from cluster.referrals import year_code
from store.db import make_engine
from tests.e2e.botprocess import cli, serve, stop
from tests.e2e.playground import ConversationStream, Playground, PlaygroundPage, free_port, open_browser
from tests.support.referral_flow import GOOD_EHCP
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.people import identify

pytestmark = pytest.mark.e2e

CARD = ".ac-adaptiveCard"
WAIT = 15.0  # seconds for anything the page should show
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


@dataclass
class Demo:
    """What the test drives, and where to leave evidence when it fails."""

    ui: PlaygroundPage
    playground: Playground
    stream: ConversationStream
    bot_log: Path
    tmp: Path
    reference: str
    page_errors: list[str] = field(default_factory=list)


def accepted_referral(database_url: str) -> str:
    """Megan Bowen refers for Waterside and the admin accepts it onto the next meeting; returns its reference."""
    engine = make_engine(database_url)
    try:
        now = Clock().now()
        with Session(engine) as session:
            megan = identify(session, DEMO_SENCO_2.aad_object_id, DEMO_SENCO_2.name)
            admin = identify(session, DEMO_ADMIN.aad_object_id, DEMO_ADMIN.name)
        setting = uc.picker(megan)[0][0]
        draft = uc.start(engine, megan, StartReferral(setting_id=setting, kind="ehcp", once="e2e-meeting"), now)
        uc.save_details(engine, megan, SaveDetails(referral_id=draft.id, answers=GOOD_EHCP), now)
        version = uc.open_for_edit(engine, megan, OneReferral(referral_id=draft.id), now).version
        uc.submit(engine, megan, SubmitReferral(referral_id=draft.id, version=version), now)
        accepted = checks.accept(engine, admin, OneReferral(referral_id=draft.id), now).view
        assert accepted.meeting is not None and accepted.meeting.day >= now.date(), accepted  # today's demo meeting
        return str(accepted.reference)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("meeting-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env.update(DATABASE_URL=database_url, CLUSTERBOT_ALLOW_NO_AUTH="1", CLUSTERBOT_LOG_LEVEL="INFO")

    today = Clock().now().date()
    day = date.isoformat
    # Tomorrow's meeting, taking referrals until its day: the chair starts it today, the day before, to set up.
    cli(tmp, env, "meetings", "deadline", "--cluster", DEMO_CLUSTER, "--days", "0")
    cli(tmp, env, "meetings", "add", "--cluster", DEMO_CLUSTER, "--date", day(today + timedelta(days=1)))
    cli(tmp, env, "meetings", "rules", "--cluster", DEMO_CLUSTER, "--quorum", "1")
    cli(
        tmp,
        env,
        *("budget", "set", "--cluster", DEMO_CLUSTER, "--label", "2026/27"),
        *("--starts", day(today - timedelta(days=30)), "--ends", day(today + timedelta(days=300))),
        *("--baseline", "50000"),
    )
    reference = accepted_referral(database_url)

    port = free_port()
    bot_log = tmp / "bot.log"
    proc = serve(tmp, env, port, bot_log)
    try:
        endpoint = f"http://127.0.0.1:{port}/api/messages"
        with (
            Playground(endpoint, playground_config()) as pg,
            pg.stream() as stream,
            open_browser(pg.url, timeout=WAIT) as ui,
        ):
            demo = Demo(ui, pg, stream, bot_log, tmp, reference)
            ui.page.on("pageerror", lambda error: demo.page_errors.append(str(error)))
            yield demo
    finally:
        stop(proc)


@pytest.fixture
def ui(demo: Demo, request: pytest.FixtureRequest) -> Iterator[PlaygroundPage]:
    """The page; when the test fails, a screenshot and the bot's log are left in the module's tmp dir."""
    failed_before = request.session.testsfailed
    yield demo.ui
    if request.session.testsfailed > failed_before:  # the call phase's report is counted before teardown
        shot = demo.tmp / f"{request.node.name}.png"
        demo.ui.screenshot(shot)
        print(
            f"\nscreenshot: {shot}\nbot log: {demo.bot_log}\n{demo.bot_log.read_text()[-4000:]}"
            f"\npage errors: {demo.page_errors}\nplayground output:\n{demo.playground.output}"
        )


# Helpers -------------------------------------------------------------------------------------------------


def actions_of(card: Any) -> Iterator[dict[str, Any]]:
    """Every action in a card's JSON, however deeply nested."""
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Action.") and "title" in card:
            yield card
        for value in card.values():
            yield from actions_of(value)
    elif isinstance(card, list):
        for value in card:
            yield from actions_of(value)


def action(message: dict[str, Any], title: str) -> dict[str, Any]:
    """The ``Action.Execute`` titled ``title`` (or "``title`` …", naming its object) on a bot message's card."""
    found = [
        a
        for att in message["attachments"]
        for a in actions_of(att["content"])
        if a["title"] == title or a["title"].startswith(f"{title} ")
    ]
    assert found, f"no {title!r} button on {json.dumps(message)[:2000]}"
    return found[0]


def click_as(demo: Demo, user_id: str, message: dict[str, Any], title: str) -> dict[str, Any]:
    """Click the button ``title`` on the channel card ``message`` as another mock user; returns the card."""
    button = action(message, title)
    # A channel post is its own thread: the playground finds it under "<channel>;messageid=<post id>".
    conversation = message.get("postConversationId") or TEAM_ID
    answer = demo.playground.invoke_card_action(
        conversation, message["messageId"], user_id, data=button["data"], verb=button["verb"], title=title
    )
    assert answer.get("type") == ADAPTIVE, f"{title!r} as {user_id} was refused: {answer}"
    return answer


def refresh_as(demo: Demo, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """What Teams does for each person the card's refresh lists: ask the bot for their own view of it."""
    refresh = message["attachments"][0]["content"]["refresh"]["action"]
    conversation = message.get("postConversationId") or TEAM_ID
    answer = demo.playground.invoke_card_action(
        conversation, message["messageId"], user_id, data=refresh["data"], verb=refresh["verb"]
    )
    assert answer.get("type") == ADAPTIVE, f"the refresh as {user_id} was refused: {answer}"
    return answer


# The text of the smallest element around this card that also holds a card with the given text.
POST_OF = """(card, other) => {
  for (let el = card.parentElement; el; el = el.parentElement) {
    const cards = [...el.querySelectorAll('.ac-adaptiveCard')];
    if (cards.some(c => c !== card && c.innerText.includes(other))) return el.innerText;
  }
  return null;
}"""


def count_text(card: Any) -> str:
    return " ".join(card.inner_text().split())


# The test ------------------------------------------------------------------------------------------------


def test_in_the_channel_the_chair_opens_an_item_a_senco_votes_and_the_vote_card_updates(
    ui: PlaygroundPage, demo: Demo
) -> None:
    pg, stream = demo.playground, demo.stream
    assert demo.reference == f"CEN-{year_code(Clock().now().date())}-001"

    # Alex opens the team's General channel: the page installs the bot there (its welcome card says so).
    ui.open_channel("General")
    ui.wait_for_card("not linked to a cluster yet")
    pg.message_as(DEMO_ADMIN.id, TEAM_ID, f"link cluster {DEMO_CLUSTER}")
    ui.wait_for_card(f"Linked to the {DEMO_CLUSTER} cluster")

    # The chair posts the agenda: it appears in the channel with the referral on it.
    pg.message_as(DEMO_CHAIR.id, TEAM_ID, "agenda")
    agenda = ui.wait_for_card(demo.reference)
    shown = agenda.inner_text()
    assert f"Agenda: {DEMO_CLUSTER} cluster" in shown, shown
    posted = stream.wait_for_message(TEAM_ID, contains=f"Agenda: {DEMO_CLUSTER} cluster")
    assert demo.reference in json.dumps(posted)

    # Alex says he is here, on the agenda as the page shows it: Etruscan is present, so the item can open.
    ui.click_button("I'm here", within=agenda)
    ui.wait_for_text("You are on the register: present")

    # The chair starts the meeting and opens the item from the agenda card, in the chair's own view (Teams
    # asks for it by the card's refresh: the shared post carries the member's view).
    mine = refresh_as(demo, DEMO_CHAIR.id, posted)
    started = click_as(
        demo, DEMO_CHAIR.id, {**posted, "attachments": [{"content": mine["value"]}]}, "Start the meeting"
    )
    opened = click_as(demo, DEMO_CHAIR.id, {**posted, "attachments": [{"content": started["value"]}]}, "Open")
    assert "Open for voting" in json.dumps(opened)

    # The vote card appears in the agenda's thread, on the page.
    created = stream.wait_for(
        lambda ev: ev["action"] == "createMessage" and f"Vote: {demo.reference}" in json.dumps(ev["message"]),
        timeout=WAIT,
    )
    assert created["actionConversationId"] == f"{TEAM_ID};messageid={posted['messageId']}", created
    vote = ui.wait_for_card(f"Vote: {demo.reference}")
    assert "Approve 0 · Decline 0 · Abstain 0" in count_text(vote), count_text(vote)
    ui.page.locator(CARD, has_text=f"Agenda: {DEMO_CLUSTER} cluster").filter(has_text="Open for voting").last.wait_for(
        state="visible", timeout=WAIT * 1000
    )
    # Shown as a reply under the agenda's post: the smallest element holding both cards holds no other post.
    post = vote.evaluate(POST_OF, f"Agenda: {DEMO_CLUSTER} cluster")
    assert post is not None and f"Linked to the {DEMO_CLUSTER} cluster" not in post, post
    ui.screenshot(demo.tmp / "vote-card.png")

    # Alex approves on the page; his card answers at once with his choice and the count. (One wait for
    # both: the page replaces his view with the shared card when the channel's update lands, since the
    # Playground ignores the card's refresh for each member.)
    ui.click_button("Approve", within=vote)
    mine = (
        ui.page.locator(CARD, has_text=f"Vote: {demo.reference}")
        .filter(has_text="You voted: Approve")
        .filter(has_text="Approve 1 · Decline 0 · Abstain 0")
    )
    mine.last.wait_for(state="visible", timeout=WAIT * 1000)

    # The bot redraws the channel's shared copy (no personal "You voted") with the count.
    update = stream.wait_for(
        lambda ev: ev["action"] == "updateMessage" and "Approve 1" in json.dumps(ev["message"], ensure_ascii=False),
        timeout=WAIT,
    )
    shared_json = json.dumps(update["message"], ensure_ascii=False)
    assert f"Vote: {demo.reference}" in shared_json and "You voted" not in shared_json
    assert update["message"]["messageId"] == created["message"]["messageId"], "updated in place"

    # The page keeps what it was sent (it has no history to reload: a reload shows an empty channel), so
    # leave the channel and come back: the vote card shows the count.
    ui.open_personal_chat()
    ui.open_channel("General")
    shown = count_text(ui.wait_for_card(f"Vote: {demo.reference}"))
    assert "Approve 1 · Decline 0 · Abstain 0" in shown and "Quorum 1 voted, 1 needed" in shown, shown
    ui.screenshot(demo.tmp / "after.png")
