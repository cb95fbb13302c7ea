"""A referral with as many documents as it may hold, each at its longest, through the real /api/messages.

Twenty links with 200-character accented names and 2,000-character addresses: every card the SENCO and the
cluster's admin are answered with stays within Teams' 40 KB, the documents step pages through them, and every
link can still be opened by whoever reads the referral.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine

from cards import verbs
from tests.conftest import ADMIN
from tests.support.card_schema import actions_in
from tests.support.fake_connector import FakeConnector
from tests.support.longest_gallery import LONGEST_DOCUMENT_LINK, long_text
from tests.support.meeting_room import Room, meeting_room
from tests.support.referral_flow import GOOD_DISCUSSION, Flow, shows
from usecases.referrals import MAX_DOCUMENTS

MAX_BYTES = 40 * 1024


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        yield room


def size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The button a person would press by its title."""
    [found] = [a for a in actions_in(card) if a.get("title") == title and a["type"] != "Action.Submit"]
    return found


def opened_links(card: dict[str, Any]) -> list[str]:
    return [a["url"] for a in actions_in(card) if a["type"] == "Action.OpenUrl"]


def name(n: int) -> str:
    return f"{n} {long_text(200)}"[:200]


def link(n: int) -> str:
    """A different link for each document (the same link twice is kept once), at the form's 2,000 characters."""
    return f"{LONGEST_DOCUMENT_LINK[: 2000 - 4]}{n:04d}"


async def twenty_links(flow: Flow) -> int:
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    for n in range(1, MAX_DOCUMENTS + 1):
        added = await flow.card(
            verbs.LINK_ADD, {"referral_id": referral_id, "page": 1, "link_name": name(n), "link_url": link(n)}
        )
        assert size(added) <= MAX_BYTES, f"after link {n}: {size(added):,} bytes"
        assert link(n) in opened_links(added), f"link {n} is shown on the page it went to"
    return referral_id


async def test_the_senco_pages_through_twenty_long_links_and_removes_one_on_its_page(room: Room) -> None:
    flow = Flow(room.bot)
    referral_id = await twenty_links(flow)
    last = await flow.card(verbs.DOCUMENTS, {"referral_id": referral_id, "page": 3})
    assert shows(last, "Documents 17–20 of 20") and opened_links(last) == [link(n) for n in range(17, 21)]
    middle = await flow.card(verbs.DOCUMENTS, button(last, "Previous documents (9–16)")["data"])
    assert opened_links(middle) == [link(n) for n in range(9, 17)]
    assert size(middle) <= MAX_BYTES

    remove = button(middle, f"Remove 12. {name(12)[:39].rstrip()}…")
    after = await flow.card(verbs.DOCUMENT_REMOVE, remove["data"])
    assert shows(after, "Documents 9–16 of 19"), "the SENCO stays on the page they were on"
    assert link(12) not in opened_links(after) and link(17) in opened_links(after)

    again = await flow.card(verbs.LINK_ADD, {"referral_id": referral_id, "link_name": name(12), "link_url": link(12)})
    assert shows(again, "Documents 17–20 of 20"), "a new link shows on the last page, where it went"
    refusal = await flow.refused(
        verbs.LINK_ADD, {"referral_id": referral_id, "link_name": "One more", "link_url": link(21)}
    )
    assert refusal == "A referral can have at most 20 supporting documents."

    review = await flow.card(verbs.REVIEW, {"referral_id": referral_id})
    assert size(review) <= MAX_BYTES and shows(review, "20 documents: 1 Élève")


async def test_the_admin_reads_the_referral_and_opens_every_link(room: Room) -> None:
    flow = Flow(room.bot)
    referral_id = await twenty_links(flow)
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})

    admin = Flow(room.bot, ADMIN)
    full = await admin.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert size(full) <= MAX_BYTES and shows(full, "20 documents: 1 Élève")
    page = await admin.card(verbs.REFERRAL_OPEN, button(full, "Show the 20 documents")["data"])
    seen: list[str] = []
    while True:
        assert size(page) <= MAX_BYTES
        assert not any(a.get("verb") == verbs.DOCUMENT_REMOVE for a in actions_in(page)), "the admin only reads"
        seen += opened_links(page)
        turns = [a for a in actions_in(page) if str(a.get("title", "")).startswith("Next documents")]
        if not turns:
            break
        page = await admin.card(verbs.REFERRAL_OPEN, turns[0]["data"])
    assert seen == [link(n) for n in range(1, MAX_DOCUMENTS + 1)]
    back = await admin.card(verbs.REFERRAL_OPEN, button(page, "Back to the referral")["data"])
    assert shows(back, "Show the 20 documents")
