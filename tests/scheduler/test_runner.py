"""The scheduler starts with the app and does its work through the real connector path."""

from __future__ import annotations

from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from bot.config import Settings
from bot.http.app import create_app
from cluster.clock import LONDON, FixedClock
from tests.conftest import ADMIN, Bot
from tests.http.test_reviews import funded  # noqa: F401  (the fixture)
from tests.scheduler.test_agenda_job import linked  # noqa: F401  (the fixture)
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.past import deliver_owed


async def test_the_app_posts_a_due_agenda_on_its_own_when_it_starts(linked: Engine, connector: FakeConnector) -> None:  # noqa: F811
    clock = FixedClock(datetime(2025, 11, 20, 10, 0, tzinfo=LONDON))
    quiet = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=clock, engine=linked)
    client = TestClient(TestServer(quiet, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    await bot.post(act.team_install(connector.url, *ADMIN))
    await bot.post(act.channel_message(connector.url, *ADMIN, "link cluster Central"))
    await client.close()
    connector.calls.clear()

    clock.set(datetime(2025, 12, 4, 8, 0, tzinfo=LONDON))
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True), clock=clock, engine=linked)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        [call] = await connector.wait_for(1, timeout=10)
    finally:
        await client.close()
    assert call.method == "POST" and call.conversation_id == act.CHANNEL_ID
    assert "Agenda" in call.all_json() and "CEN-2526-001" in call.all_json()


async def test_the_app_delivers_a_review_nudge_to_the_sencos_chat_when_it_falls_due(
    central: Engine,
    connector: FakeConnector,
    funded: int,  # noqa: F811
) -> None:
    from datetime import timedelta

    from tests.conftest import SENCO
    from tests.http.test_reviews import REVIEW_DUE

    clock = FixedClock(datetime(2025, 12, 12, 9, 0, tzinfo=LONDON))
    quiet = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=clock, engine=central)
    client = TestClient(TestServer(quiet, host="127.0.0.1"))
    await client.start_server()
    await Bot(client, connector).post(act.personal_install(connector.url, *SENCO))
    await client.close()
    connector.calls.clear()
    deliver_owed(central)  # what the referral's changes and the decision owed, sent on their day

    clock.set(datetime.combine(REVIEW_DUE - timedelta(days=30), datetime.min.time(), tzinfo=LONDON).replace(hour=9))
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True), clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        calls = await connector.wait_for(1, timeout=10)
    finally:
        await client.close()
    [nudge] = [c for c in calls if c.conversation_id == act.personal_conversation(SENCO[0])]
    assert "Review reminder" in nudge.all_json() and "CEN-2526-001" in nudge.all_json()
