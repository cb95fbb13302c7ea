"""``act as <person>``: in the Playground demo the page's one user can type and click as any demo person;
anywhere else the command is refused, and the demo cannot run with Bot Framework authentication at all.

Driven through the real /api/messages with Teams-shaped activities from the Playground page's own user (Alex
Wilber), on the demo's database as ``clusterbot playground`` prepares it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings, UnsafeConfiguration, check_auth_choice
from bot.dev.playground import (
    DEMO_ADMIN,
    DEMO_OFFICER,
    DEMO_PEOPLE,
    DEMO_SENCO,
    DEMO_UNREGISTERED,
    DemoUser,
    instructions,
    prepare_demo,
    slug,
    write_mock_activities,
)
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from tests.conftest import TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector

PAGE = (DEMO_SENCO.aad_object_id, DEMO_SENCO.name)  # every message and click from the Playground's page
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

MakeBot = Callable[[bool], Any]


@pytest.fixture
async def make_bot(db_url: str, connector: FakeConnector) -> AsyncIterator[MakeBot]:
    """A bot on the demo's database, started with the Playground demo on or off."""
    clock = FixedClock(TEST_NOW)
    prepare_demo(db_url, clock)
    clients: list[TestClient[Any, Any]] = []

    async def make(demo: bool) -> Bot:
        settings = Settings(
            CLUSTERBOT_ALLOW_NO_AUTH=True,
            DATABASE_URL=db_url,
            CLUSTERBOT_SCHEDULER=False,
            CLUSTERBOT_PLAYGROUND_DEMO=demo,
        )
        client = TestClient(TestServer(create_app(settings, clock=clock), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return Bot(client, connector)

    yield make
    for client in clients:
        await client.close()


async def say(bot: Bot, text: str) -> str:
    """Send a personal-chat message from the page's user; returns all the bot said back (text and cards)."""
    before = len(bot.connector.calls)
    response = await bot.post(act.personal_message(bot.connector.url, *PAGE, text))
    assert response.status == 200
    calls = await bot.connector.wait_for(before + 1)
    return " ".join(f"{call.text} {json.dumps(call.cards, ensure_ascii=False)}" for call in calls[before:])


async def click(bot: Bot, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A card click from the page's user; returns the invoke's answer."""
    response = await bot.post(act.card_click(bot.connector.url, *PAGE, verb, data))
    assert response.status == 200
    answer: dict[str, Any] = await response.json()
    return answer


async def test_in_the_demo_the_page_user_acts_as_the_admin_and_back(make_bot: MakeBot) -> None:
    bot = await make_bot(True)
    assert "SENCO of Etruscan Primary School" in await say(bot, "whoami")
    refused = await click(bot, verbs.TO_CHECK)
    assert refused["type"] != ADAPTIVE, "the SENCO may not check referrals"

    said = await say(bot, f"act as {DEMO_ADMIN.name}")
    assert f"You are now acting as {DEMO_ADMIN.name} ({DEMO_ADMIN.describe()})" in said
    whoami = await say(bot, "whoami")
    assert DEMO_ADMIN.name in whoami and DEMO_ADMIN.describe() in whoami
    assert DEMO_ADMIN.aad_object_id in whoami and "Etruscan" not in whoami
    # A click from the same page now goes as the admin too.
    accepted = await click(bot, verbs.TO_CHECK)
    assert accepted["type"] == ADAPTIVE, accepted

    assert "acting as yourself again" in await say(bot, "act as me")
    assert "SENCO of Etruscan Primary School" in await say(bot, "whoami")


async def test_in_the_demo_the_officer_and_the_stranger_can_be_chosen_by_first_name(make_bot: MakeBot) -> None:
    bot = await make_bot(True)
    await say(bot, f"act as {DEMO_OFFICER.name.split()[0].lower()}")
    assert "Council officer" in await say(bot, "whoami")
    await say(bot, f"Act as {DEMO_UNREGISTERED.name}")
    assert "not registered" in await say(bot, "help")


async def test_act_as_alone_or_with_an_unknown_name_lists_the_demo_people(make_bot: MakeBot) -> None:
    bot = await make_bot(True)
    listed = await say(bot, "act as Somebody Else")
    assert "no demo person called 'somebody else'" in listed
    assert DEMO_ADMIN.name in listed and DEMO_OFFICER.name in listed
    assert "SENCO of Etruscan Primary School" in await say(bot, "whoami"), "nothing changed"


async def test_without_the_demo_flag_act_as_is_refused_and_logged(
    make_bot: MakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(False)
    with caplog.at_level(logging.WARNING, logger="clusterbot.demo"):
        said = await say(bot, f"act as {DEMO_ADMIN.name}")
    assert "works only in the Agents Playground demo" in said
    assert any("REFUSED 'act as'" in r.getMessage() for r in caplog.records)
    whoami = await say(bot, "whoami")
    assert "SENCO of Etruscan Primary School" in whoami and DEMO_ADMIN.describe() not in whoami
    assert (await click(bot, verbs.TO_CHECK))["type"] != ADAPTIVE


def test_the_demo_never_runs_with_bot_framework_authentication(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    monkeypatch.setenv("CLUSTERBOT_PLAYGROUND_DEMO", "1")
    settings = Settings()
    with pytest.raises(UnsafeConfiguration, match="CLUSTERBOT_PLAYGROUND_DEMO"):
        check_auth_choice(settings)
    with pytest.raises(UnsafeConfiguration, match="never runs with Bot Framework authentication"):
        create_app(settings.model_copy(update={"scheduler": False}))


def printed_activity(folder: Path, person: DemoUser, place: str, bot: Bot, text: str | None = None) -> dict[str, Any]:
    """A person's file as written for the banner, sent to this test's connector (the Playground's, in the demo)."""
    activity: dict[str, Any] = json.loads((folder / f"{slug(person.name)}.{place}.json").read_text())
    assert activity["serviceUrl"] == "http://localhost:56150/_connector"
    activity["serviceUrl"] = bot.connector.url
    if text is not None:  # as a person edits the pasted activity: the text only
        activity["text"] = activity["text"].replace("whoami", text)
    return activity


async def answer(bot: Bot, activity: dict[str, Any]) -> str:
    before = len(bot.connector.calls)
    assert (await bot.post(activity)).status == 200
    calls = await bot.connector.wait_for(before + 1)
    return " ".join(f"{c.text} {json.dumps(c.cards, ensure_ascii=False)}" for c in calls[before:])


async def test_each_person_s_printed_mock_activity_reaches_the_bot_as_them(make_bot: MakeBot, tmp_path: Path) -> None:
    """What the banner prints and the files it names: pasted into "Mock an Activity", each acts as its person."""
    folder = write_mock_activities(tmp_path, 56150)
    banner = instructions("http://127.0.0.1:56150", "http://127.0.0.1:3978/api/messages", "sqlite://", tmp_path, folder)
    assert str(folder) in banner
    bot = await make_bot(False)  # a mocked activity needs no demo flag: it carries the person's own ids
    for person in DEMO_PEOPLE:
        assert person.aad_object_id in banner and person.email in banner and person.describe() in banner
        shown = await answer(bot, printed_activity(folder, person, "personal", bot))
        if person.role is None:  # the stranger is told the id to pass on to be registered
            assert "not registered" in shown and person.aad_object_id in shown, shown[:500]
        else:
            assert person.describe() in shown and person.name in shown, (person.name, shown[:500])


async def test_the_admin_s_printed_channel_activity_links_the_channel_and_the_senco_s_does_not(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    folder = write_mock_activities(tmp_path, 56150)
    bot = await make_bot(False)
    refused = await answer(bot, printed_activity(folder, DEMO_SENCO, "channel", bot, "link cluster Central"))
    assert "Linked to the Central cluster" not in refused
    linked = await answer(bot, printed_activity(folder, DEMO_ADMIN, "channel", bot, "link cluster Central"))
    assert "Linked to the Central cluster" in linked and f"{DEMO_ADMIN.name} linked this channel" in linked
