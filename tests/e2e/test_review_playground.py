"""Issue 5, done when: a Playground end-to-end test: a nudge appears in personal chat and its button opens the
review form.

The bot runs as a user starts it (``python -m bot serve``) on the demo roster of ``clusterbot playground``.
Before it starts, an admin adds a meeting fifteen days ahead, a quorum of one and a budget with the CLI; then,
through the store's use cases on the same database file, Alex Wilber (SENCO of Etruscan, the page's user) has an
Individual Pupil Need referral accepted onto it, and at that meeting Megan Bowen (SENCO of Waterside) approves
it and the chair, Adele Vance, records the approval with a review due 30 days from today: the "before-30"
nudge is owed today.

The nudge goes to Alex's personal chat only if the bot knows that chat when the scheduler's reminders job runs
(at start, then every minute); otherwise the sender owes it to the admins instead (``outbox.unreachable``). So
the page is opened first against the bot started with ``CLUSTERBOT_SCHEDULER=off`` (opening it installs the
bot in Alex's personal chat and the bot stores the conversation), then that bot is stopped and started again,
on the same port, with the scheduler on. The page stays open throughout; every check of the outcome reads it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.dev.playground import (
    DEMO_ADMIN,
    DEMO_CHAIR,
    DEMO_CLUSTER,
    DEMO_SENCO,
    DEMO_SENCO_2,
    PERSONAL_CHAT_ID,
    playground_config,
    prepare_demo,
)
from cluster.card_ids import MeetingId
from cluster.clock import LONDON, Clock
from cluster.commands.inputs import parse
from cluster.commands.meetings import CancelMeeting, CastVote, CloseVote, OpenItem, RecordDecision, StartMeeting
from cluster.commands.referrals import OneReferral, SaveDetails, SaveRow, StartReferral
from store.db import make_engine
from store.models import Review
from tests.e2e.botprocess import cli, outbox_states, serve_with_scheduler, stop, wait_installed
from tests.e2e.playground import ConversationStream, Playground, PlaygroundPage, free_port, open_browser
from tests.support.meeting_room import everyone_present
from tests.support.past import play_past
from tests.support.referral_flow import GOOD_INDIVIDUAL, ROW_1
from tests.support.referral_steps import submit_shown
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.meeting_day.agenda import start_meeting
from usecases.meeting_day.decisions import record_decision
from usecases.meeting_day.votes import cast_vote, close_item, open_item
from usecases.meetings import cancel_meeting, list_meetings
from usecases.people import identify

pytestmark = pytest.mark.e2e

CARD = ".ac-adaptiveCard"
WAIT = 15.0  # seconds for anything the page should show
NUDGE_WAIT = 30.0  # the reminders job runs when the bot starts; allow for a slow start
MEETING_IN = 15  # days: the referral deadline (a week before) is 8 days away, so no deadline reminder is owed yet
REVIEW_IN = 30  # days: the review is due in 30 days, so its "before-30" nudge is owed today


@dataclass
class Demo:
    """What the test drives, and where to leave evidence when it fails."""

    ui: PlaygroundPage
    playground: Playground
    stream: ConversationStream
    database_url: str
    logs: list[Path]
    tmp: Path
    reference: str
    review_id: int
    alex: int
    past: frozenset[str]  # the keys of what the set-up's past owed, delivered on its day
    page_errors: list[str] = field(default_factory=list)


def _funded_review(database_url: str, today: date) -> tuple[str, int, int]:
    """Alex refers for Etruscan, the admin accepts it, the meeting approves it with a review due in 30 days.

    Returns the referral's reference, the review's id and Alex's person id.
    """
    engine = make_engine(database_url)
    try:
        now = Clock().now()
        with Session(engine) as session:
            alex, megan, chair, admin = (
                identify(session, u.aad_object_id, u.name) for u in (DEMO_SENCO, DEMO_SENCO_2, DEMO_CHAIR, DEMO_ADMIN)
            )
        # The demo's own meeting today would take the referral: this test wants the one fifteen days ahead,
        # so that its deadline reminder and review dates fall where the test expects them.
        [held_today] = [m for m in list_meetings(engine, DEMO_CLUSTER) if m.day == today]
        cancel_meeting(engine, admin, CancelMeeting(meeting_id=MeetingId(held_today.id)), now)
        setting = uc.picker(alex)[0][0]
        draft = uc.start(engine, alex, StartReferral(setting_id=setting, kind="individual", once="e2e-review"), now)
        uc.save_details(engine, alex, SaveDetails(referral_id=draft.id, answers=GOOD_INDIVIDUAL), now)
        # The demo's document does not price ROW_1: it is typed by hand, with why.
        typed = {**ROW_1, "custom_reason": "A small language group the document does not price."}
        uc.add_row(engine, alex, parse(SaveRow, {**typed, "referral_id": draft.id}), now)
        submit_shown(engine, alex, draft.id, now)
        accepted = checks.accept(engine, admin, OneReferral(referral_id=draft.id), now).view
        assert accepted.meeting is not None and accepted.meeting.day == today + timedelta(days=MEETING_IN), accepted

        # The meeting: the store's use cases at 10:00 on its day (the chair's and Megan's clicks, in effect).
        at_meeting = datetime.combine(accepted.meeting.day, datetime.min.time(), tzinfo=LONDON).replace(hour=10)
        everyone_present(engine, accepted.meeting.id, at_meeting)
        item = start_meeting(engine, chair, StartMeeting(meeting_id=accepted.meeting.id), at_meeting).entries[0].item_id
        open_item(engine, chair, OpenItem(item_id=item), at_meeting)
        cast_vote(engine, megan, CastVote(item_id=item, choice="approve"), at_meeting)
        close_item(engine, chair, CloseVote(item_id=item), at_meeting)
        record_decision(
            engine,
            chair,
            RecordDecision(
                item_id=item, outcome="approved", review_date=today + timedelta(days=REVIEW_IN), schedule="termly"
            ),
            at_meeting,
        )
        with Session(engine) as session:
            review = session.exec(select(Review)).one()
            assert review.id is not None and review.due == today + timedelta(days=REVIEW_IN), review
            assert alex.person_id is not None
            return str(accepted.reference), review.id, alex.person_id
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("review-e2e")
    database_url = f"sqlite:///{tmp / 'demo.db'}"
    prepare_demo(database_url, Clock())  # what `clusterbot playground` does before starting the bot
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env.update(DATABASE_URL=database_url, CLUSTERBOT_ALLOW_NO_AUTH="1", CLUSTERBOT_LOG_LEVEL="INFO")

    today = Clock().now().date()
    day = date.isoformat
    cli(tmp, env, "meetings", "add", "--cluster", DEMO_CLUSTER, "--date", day(today + timedelta(days=MEETING_IN)))
    cli(tmp, env, "meetings", "rules", "--cluster", DEMO_CLUSTER, "--quorum", "1")
    cli(
        tmp,
        env,
        *("budget", "set", "--cluster", DEMO_CLUSTER, "--label", "e2e"),
        *("--starts", day(today - timedelta(days=30)), "--ends", day(today + timedelta(days=300))),
        *("--baseline", "50000"),
    )
    past = play_past(database_url, lambda: _funded_review(database_url, today))
    reference, review_id, alex = past.result

    port = free_port()
    logs = [tmp / "bot-quiet.log", tmp / "bot.log"]
    proc = serve_with_scheduler(tmp, env, port, logs[0], scheduler="off")
    try:
        endpoint = f"http://127.0.0.1:{port}/api/messages"
        with (
            Playground(endpoint, playground_config()) as pg,
            pg.stream() as stream,
            open_browser(pg.url, timeout=WAIT) as ui,
        ):
            demo = Demo(ui, pg, stream, database_url, logs, tmp, reference, review_id, alex, past.delivered)
            ui.page.on("pageerror", lambda error: demo.page_errors.append(str(error)))
            # Opening the page installed the bot in Alex's personal chat: the bot stored where to write to him.
            wait_installed(database_url, DEMO_SENCO.aad_object_id)
            assert outbox_states(database_url, past.delivered) == {}, "nothing is owed while the scheduler is off"
            # Now the bot as it normally runs: the scheduler's first reminders run comes at start.
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
    if request.session.testsfailed > failed_before:  # the call phase's report is counted before teardown
        shot = demo.tmp / f"{request.node.name}.png"
        demo.ui.screenshot(shot)
        logs = "\n".join(f"bot log {log}:\n{log.read_text()[-4000:]}" for log in demo.logs if log.exists())
        print(
            f"\nscreenshot: {shot}\n{logs}\noutbox: {outbox_states(demo.database_url)}"
            f"\npage errors: {demo.page_errors}\nplayground output:\n{demo.playground.output}"
        )


def test_a_review_nudge_appears_in_personal_chat_and_its_button_opens_the_review_form(
    ui: PlaygroundPage, demo: Demo
) -> None:
    # The scheduler delivers the nudge to Alex's personal chat: the page shows it.
    nudge = ui.wait_for_card("Review reminder", timeout=NUDGE_WAIT)
    shown = nudge.inner_text()
    due = Clock().now().date() + timedelta(days=REVIEW_IN)
    assert f"Your review of {demo.reference} is due on {due:%A %-d %B %Y}." in shown, shown
    assert "Etruscan Primary School" in shown, shown
    sent = demo.stream.wait_for_message(PERSONAL_CHAT_ID, contains="Review reminder", timeout=WAIT)
    assert demo.reference in json.dumps(sent)
    owed = outbox_states(demo.database_url, demo.past)
    assert owed == {f"review:{demo.review_id}:before-30:person:{demo.alex}": "delivered"}, owed
    ui.screenshot(demo.tmp / "nudge.png")

    # Its button opens the review form, in place of the nudge.
    ui.click_button(f"Open the review form: {demo.reference}", within=nudge)
    form = ui.wait_for_card(f"Review: {demo.reference}")
    shown = form.inner_text()
    assert "Outcomes achieved" in shown, shown
    assert GOOD_INDIVIDUAL["outcomes"] in shown, "the form shows the outcomes set at referral"
    # One required rating for the one outcome the referral set, as radio buttons under it.
    assert "How far was outcome 1 achieved?" in shown, shown
    for title in ("Achieved", "Partly achieved", "Not achieved"):
        assert form.get_by_role("radio", name=title, exact=True).count() == 1, title
    assert ui.page.get_by_role("button", name="Submit the review", exact=True).last.is_visible()
    ui.screenshot(demo.tmp / "review-form.png")
    assert demo.page_errors == [], demo.page_errors
