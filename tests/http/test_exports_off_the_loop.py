"""A Word document is built off the event loop: someone else's ``help`` is answered while the pack is made.

The referral pack's builder is replaced by one that waits, in its worker thread, until the test lets it go;
the test lets it go only once the help card has reached the connector. Built on the event loop, the builder
would hold the loop, the help card could not be answered first, and the builder's wait would run out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.http.app import create_app
from cluster.clock import FixedClock
from cluster.commands.referrals import SaveDetails, StartReferral
from cluster.referrals import ReferralView
from reports.referral_pack import referral_pack_docx
from tests.conftest import SENCO, TAC, Bot
from tests.support import activities as act
from tests.support.fake_connector import Call, FakeConnector
from tests.support.referral_flow import GOOD_DISCUSSION
from tests.support.referral_steps import submit_shown
from usecases import referrals as uc
from usecases.people import identify

CONSENT = "application/vnd.microsoft.teams.card.file.consent"
RELEASE_WAIT = 30.0  # only so a broken build fails instead of hanging; the test never waits this long


class GatedPack:
    """The real referral pack builder, held back in its thread until :meth:`release` (and counting calls)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self._go = threading.Event()
        self.on_the_loop: list[bool] = []

    def __call__(self, view: ReferralView, now: datetime, name: str) -> bytes:
        try:
            asyncio.get_running_loop()
            self.on_the_loop.append(True)
        except RuntimeError:
            self.on_the_loop.append(False)
        self.started.set()
        if not self._go.wait(RELEASE_WAIT):
            raise AssertionError("the test never let the builder go: the event loop was blocked")
        self._go.clear()
        return referral_pack_docx(view, now, name)

    def release(self) -> None:
        self._go.set()


@pytest.fixture
async def gated(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[tuple[Bot, GatedPack]]:
    pack = GatedPack()
    settings = Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False)
    app = create_app(settings, clock=clock, engine=central, export=pack)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector), pack
    await client.close()


def submitted_reference(engine: Engine, clock: FixedClock) -> str:
    now = clock.now()
    with Session(engine) as session:
        sam = identify(session, *SENCO)
    draft = uc.start(engine, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="discussion", once="k"), now)
    uc.save_details(engine, sam, SaveDetails(referral_id=draft.id, answers=GOOD_DISCUSSION), now)
    view = submit_shown(engine, sam, draft.id, now).view
    assert view.reference
    return view.reference


async def arrived(connector: FakeConnector, found: Callable[[Call], bool]) -> Call:
    """The first call to the connector that ``found`` picks, waiting for it to arrive."""
    while True:
        for call in connector.calls:
            if found(call):
                return call
        await connector.wait_for(len(connector.calls) + 1, timeout=RELEASE_WAIT)


def is_help_for(aad: str) -> Callable[[Call], bool]:
    return lambda call: call.conversation_id == act.personal_conversation(aad) and bool(call.cards)


def is_consent(call: Call) -> bool:
    return any(a["contentType"] == CONSENT for a in call.body.get("attachments") or [])


def consents(connector: FakeConnector) -> list[dict[str, Any]]:
    return [a for c in connector.calls for a in c.body.get("attachments") or [] if a["contentType"] == CONSENT]


async def test_help_is_answered_while_a_referral_pack_is_being_made(
    gated: tuple[Bot, GatedPack], central: Engine, clock: FixedClock
) -> None:
    bot, pack = gated
    reference = submitted_reference(central, clock)
    export = asyncio.create_task(bot.post(act.personal_message(bot.connector.url, *SENCO, f"export {reference}")))
    assert await asyncio.to_thread(pack.started.wait, RELEASE_WAIT), "the export never began building the pack"

    await bot.post(act.personal_message(bot.connector.url, *TAC, "help"))
    await arrived(bot.connector, is_help_for(TAC[0]))
    assert not export.done() and not consents(bot.connector), "the pack was not still being built"

    pack.release()
    assert (await export).status == 200
    await arrived(bot.connector, is_consent)
    [offer] = consents(bot.connector)
    assert offer["content"]["sizeInBytes"] > 0 and offer["content"]["acceptContext"]
    assert pack.on_the_loop == [False]


async def test_help_is_answered_while_an_accepted_pack_is_being_made_for_upload(
    gated: tuple[Bot, GatedPack], central: Engine, clock: FixedClock
) -> None:
    bot, pack = gated
    reference = submitted_reference(central, clock)
    export = asyncio.create_task(bot.post(act.personal_message(bot.connector.url, *SENCO, f"export {reference}")))
    await asyncio.to_thread(pack.started.wait, RELEASE_WAIT)
    pack.started.clear()
    pack.release()
    await export
    await arrived(bot.connector, is_consent)
    [offer] = consents(bot.connector)

    accept = act.card_click(bot.connector.url, *SENCO, "x")
    accept["name"] = "fileConsent/invoke"
    accept["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": offer["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": "https://etruscan-my.sharepoint.com/pack.docx",
            "name": f"{reference} referral pack.docx",
            "uploadUrl": f"{bot.connector.url}/upload/pack.docx",
            "uniqueId": "u-1",
            "fileType": "docx",
        },
    }
    upload = asyncio.create_task(bot.post(accept))
    assert await asyncio.to_thread(pack.started.wait, RELEASE_WAIT), "accepting never began building the pack"

    await bot.post(act.personal_message(bot.connector.url, *TAC, "help"))
    await arrived(bot.connector, is_help_for(TAC[0]))
    assert not upload.done() and "pack.docx" not in bot.connector.uploads, "the pack was not still being built"

    pack.release()
    assert (await upload).status == 200
    data, _headers = bot.connector.uploads["pack.docx"]
    assert data.startswith(b"PK") and len(data) == offer["content"]["sizeInBytes"]
    assert pack.on_the_loop == [False, False]
