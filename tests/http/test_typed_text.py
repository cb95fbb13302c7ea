"""Text people type stays text: a referral full of Markdown, mentions, HTML and formulas, through a whole meeting.

The referral's title, summary and other free text, a setting's and a person's name, the decision's conditions and
feedback all hold a Markdown link, an ``<at>`` mention, HTML and a spreadsheet formula. Every card the bot sends
must show them literally (escaped for Teams' Markdown), and so must the minutes (Markdown and spreadsheet) and
the Word referral pack.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import FixedClock
from cluster.markdown import plain
from cluster.roles import Role
from reports.minutes import MINUTES_HEADINGS
from store.models import Cluster, Setting
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, Bot
from tests.http.test_meeting_day import MEETING_DAY, Channel, item_of
from tests.support import activities as act
from tests.support.meeting_room import everyone_present
from tests.support.referral_flow import ROW_1, Flow, find_action
from tests.support.typed_text import (
    EVIL,
    EVIL_FORMULA,
    EVIL_HTML,
    EVIL_LINES,
    EVIL_LINK,
    EVIL_MENTION,
    card_texts,
    docx_text_and_links,
    live_markup,
    shown_as_typed,
    unescape,
)
from usecases.budget import set_budget
from usecases.meetings import set_voting_rules
from usecases.roster import Entry, import_entries

TITLE = f"{EVIL_FORMULA} {EVIL_LINK} {EVIL_MENTION} <b>bold</b>"  # a title holds 120 characters at most
EVIL_SETTING = f"St Mary's *Star* {EVIL_LINK} {EVIL_MENTION}"
VOTER = ("aad-senco-evil", "Eve <b>Evil</b> [x](https://evil.example)")
LINK = "https://etruscan.sharepoint.com/sites/send/plan.docx"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@pytest.fixture
def cluster(central: Engine, clock: FixedClock) -> None:
    """A setting and a SENCO whose names are Markdown, a quorum of 1 and a budget."""
    now = clock.now()
    with Session(central) as session:
        found = session.exec(select(Cluster).where(Cluster.name == "Central")).one()
        assert found.id is not None
        session.add(Setting(cluster_id=found.id, name=EVIL_SETTING))
        session.commit()
    import_entries(central, [Entry(VOTER[1], None, VOTER[0], Role.SENCO, "Central", EVIL_SETTING)], now, "test")
    set_voting_rules(central, "Central", now, quorum=1, same_trust_recusal=None)
    parts = [2000000, 300000, 200000, 500000]
    set_budget(central, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), parts, now)


async def accept_file(bot: Bot, who: tuple[str, str], offer: dict[str, Any], name: str) -> bytes:
    """Accept a file the bot offers in personal chat; returns what it uploaded."""
    accept = act.card_click(bot.connector.url, *who, "x")
    accept["name"] = "fileConsent/invoke"
    accept["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": offer["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": f"https://w-my.sharepoint.com/{name}",
            "name": name,
            "uploadUrl": f"{bot.connector.url}/upload/{name}",
            "uniqueId": name,
            "fileType": name.rsplit(".", 1)[-1],
        },
    }
    assert (await bot.post(accept)).status == 200
    return bot.connector.uploads[name][0]


def offers_since(bot: Bot, before: int) -> list[dict[str, Any]]:
    return [
        a
        for c in bot.connector.calls[before:]
        for a in c.body.get("attachments") or []
        if a["contentType"] == FILE_CONSENT
    ]


def assert_shown_as_typed(cards: list[dict[str, Any]], *typed: str) -> None:
    """No text of any card has Markdown Teams would act on, and each typed value is shown literally by one."""
    for card in cards:
        for shown in card_texts(card):
            if not shown.startswith("Step "):  # the step trail's bold is our own Markdown
                assert live_markup(shown) == [], shown
    for value in typed:
        assert any(shown_as_typed(card, value) for card in cards), value


async def test_typed_text_is_shown_as_typed_in_every_card_the_minutes_and_the_referral_pack(
    bot: Bot, central: Engine, clock: FixedClock, cluster: None
) -> None:
    room = Channel(bot)
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await room.say(ADMIN, "link cluster Central")
    for who in (SENCO, SENCO_2, ADMIN, VOTER):
        await bot.post(act.personal_install(bot.connector.url, *who))
    await room.settle()

    # The SENCO types Markdown, a mention, HTML and a formula into every free-text field, a row and a link.
    sam = Flow(bot)
    referral_id, _ = await sam.start("project")
    details = {
        "title": TITLE,
        "summary": EVIL_LINES,
        "outcomes": EVIL,
        "impact_measures": EVIL,
        "timeline": EVIL,
        "sustainability": EVIL,
    }
    await sam.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **details})
    await sam.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1, "provision": EVIL, "delivered_by": EVIL_HTML})
    await sam.card(verbs.LINK_ADD, {"referral_id": referral_id, "link_name": EVIL, "link_url": LINK})
    review = await sam.card(verbs.REVIEW, {"referral_id": referral_id})
    assert_shown_as_typed([review], TITLE, EVIL_LINES, EVIL, EVIL_HTML)
    done = await sam.card(verbs.SUBMIT, find_action(review, verbs.SUBMIT)["data"])
    reference = "CEN-2526-001"
    assert shown_as_typed(done, reference)
    await Flow(bot, ADMIN).card(verbs.ACCEPT, {"referral_id": referral_id})

    # The meeting: agenda, a vote by a setting whose name is Markdown, a decision whose words are too.
    await room.say(CHAIR, "agenda")
    await room.settle()
    clock.set(MEETING_DAY)
    everyone_present(central, 2, MEETING_DAY)
    await room.click(CHAIR, verbs.MEETING_START, {"meeting_id": 2})
    item = item_of(central, referral_id)
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    for who in (SENCO_2, VOTER):
        await room.click(who, verbs.VOTE_CAST, {"item_id": item, "choice": "approve"})
        await room.settle()
    interest = await room.click(VOTER, verbs.VOTE_INTEREST, {"item_id": item})
    assert interest["type"] == "application/vnd.microsoft.card.adaptive", interest
    await room.settle()
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": item})
    decision = {
        "item_id": item,
        "outcome": "approved_reduced",
        "amount": "100.00",
        "schedule": "termly",
        "review_date": "2026-07-17",
        "conditions": EVIL_LINES,
        "feedback": EVIL,
    }
    decided = await room.click(CHAIR, verbs.DECISION_RECORD, decision)
    assert decided["type"] == "application/vnd.microsoft.card.adaptive", decided
    await room.click(CHAIR, verbs.MEETING_END, {"meeting_id": 2})
    await room.settle()

    # Every card the bot sent anywhere shows what was typed, literally; the channel's show it all.
    sent = [card for call in bot.connector.calls for card in call.cards]
    channel = [
        card for call in bot.connector.calls if call.conversation_id.startswith(act.CHANNEL_ID) for card in call.cards
    ]
    to_sam = [card for call in bot.connector.sent_to(act.personal_conversation(SENCO[0])) for card in call.cards]
    assert_shown_as_typed(sent)
    assert_shown_as_typed(channel, TITLE, EVIL_SETTING, VOTER[1], EVIL, EVIL_LINES)
    assert_shown_as_typed(to_sam, TITLE, EVIL, EVIL_LINES)
    assert_shown_as_typed([decided["value"]], TITLE, VOTER[1], EVIL, EVIL_LINES)
    for raw in (EVIL_LINK, EVIL_MENTION, "<at>", "<b>", "<script>", "https://evil.example"):
        assert raw not in json.dumps(sent, ensure_ascii=False), raw

    # The minutes, as Markdown and as a spreadsheet.
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *SENCO_2, "minutes"))
    await room.settle()
    md_offer, xlsx_offer = offers_since(bot, before)
    markdown = (await accept_file(bot, SENCO_2, md_offer, "minutes.md")).decode("utf-8")
    for typed in (TITLE, VOTER[1], EVIL):
        assert typed in unescape(markdown), typed
        assert plain(typed, line_start=False) in markdown, typed
    for line in EVIL_LINES.splitlines():
        assert plain(line, line_start=False) in markdown, line
    for raw in (EVIL_LINK, EVIL_MENTION, "<at>", "<b>", "<script>", "https://evil.example", "**bold**"):
        assert raw not in markdown, raw

    data = await accept_file(bot, SENCO_2, xlsx_offer, "minutes.xlsx")
    row = dict(zip(MINUTES_HEADINGS, openpyxl.load_workbook(io.BytesIO(data))["Minutes"][2], strict=True))
    for heading, typed in (("Setting", "Etruscan Primary School"), ("Conditions", EVIL_LINES), ("Feedback", EVIL)):
        assert (row[heading].value, row[heading].data_type) == (typed, "s"), heading
        assert row[heading].quotePrefix, heading
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any("<f>" in archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))

    # The Word referral pack.
    before = len(bot.connector.calls)
    await sam.say(f"export {reference}")
    await room.settle()
    [pack_offer] = offers_since(bot, before)
    texts, links, xml = docx_text_and_links(await accept_file(bot, SENCO, pack_offer, "pack.docx"))
    for typed in (TITLE, EVIL_LINES, EVIL, EVIL_HTML):
        assert any(typed in shown for shown in texts), typed
    assert links == [LINK], "only the document's own link is a link"
    for markup in ("<w:fldSimple", "<w:instrText", "<w:fldChar"):
        assert markup not in xml, markup


async def test_a_message_the_bot_did_not_understand_is_echoed_as_typed(bot: Bot) -> None:
    await bot.post(act.personal_message(bot.connector.url, *SENCO, f"**pay** {EVIL_LINK} www.evil.example"))
    [reply] = [c for c in bot.connector.calls if c.text.startswith("I didn't understand")]
    echoed = reply.text.split("“")[1].split("”")[0]
    assert unescape(echoed) == f"**pay** {EVIL_LINK} www.evil.example"
    assert live_markup(echoed) == []
    assert "Type **help**" in reply.text, "our own Markdown is kept"
