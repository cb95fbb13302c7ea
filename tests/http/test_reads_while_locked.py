"""A read never waits for a writer: on SQLite (WAL) a turn that only reads is answered while another
connection holds the write lock."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import Engine

from tests.conftest import SENCO, Bot
from tests.support import activities as act


async def test_help_is_answered_while_another_connection_holds_the_write_lock(bot: Bot, central: Engine) -> None:
    await bot.post(act.personal_install(bot.connector.url, *SENCO))  # the bot knows the chat already
    welcomed = len(await bot.connector.wait_for(1))
    path = central.url.database
    assert path
    writer = sqlite3.connect(path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # held for the whole turn: any unit that wants to write must wait
    try:
        response = await bot.post(act.personal_message(bot.connector.url, *SENCO, "help"))
        assert response.status == 200
        answer = (await bot.connector.wait_for(welcomed + 1))[welcomed]
        assert "ERR-" not in answer.all_json(), "an apology: the read waited for the writer"
        assert "What I can do for you" in answer.all_json() or "New referral" in answer.all_json()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


async def test_a_click_waiting_for_the_write_lock_does_not_hold_up_anyone_elses_turn(bot: Bot, central: Engine) -> None:
    from tests.conftest import SENCO_2
    from tests.support.referral_flow import Flow, find_action

    for who in (SENCO, SENCO_2):
        await bot.post(act.personal_install(bot.connector.url, *who))
    welcomed = len(await bot.connector.wait_for(2))
    picker = await Flow(bot).card("referral.new")
    start = find_action(picker, "referral.start", kind="discussion")
    path = central.url.database
    assert path
    writer = sqlite3.connect(path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        # Sam's click makes a draft: its unit of work waits for the lock on a worker thread...
        clicking = asyncio.ensure_future(Flow(bot).click("referral.start", start["data"]))
        await asyncio.sleep(0.2)
        assert not clicking.done(), "the click is waiting for the write lock"
        # ...while Wendy's help is answered.
        await bot.post(act.personal_message(bot.connector.url, *SENCO_2, "help"))
        answer = (await bot.connector.wait_for(welcomed + 1))[welcomed]
        assert "ERR-" not in answer.all_json() and not clicking.done()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    body = await clicking
    assert body["type"] == "application/vnd.microsoft.card.adaptive", "and the click goes through once the lock is free"
