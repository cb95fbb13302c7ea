"""The Costed Provision Document through the real endpoint: the officer sends the file and reads the versions.

On SQLite and PostgreSQL. The clock reads 20 November 2025, in the 2025-26 financial year.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from cluster.roles import Role
from store.models import AuditEvent, ProvisionDocument, ProvisionEntry
from store.seed import CENTRAL, seed_file
from tests.conftest import ROSTER, SENCO, TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.referral_flow import find_action, shows
from tests.support.tables import is_table, table_rows
from usecases.roster import Entry, import_entries

OFFICER = ("aad-officer-provision", "Pat Pricing")
CSV = "text/csv"
DOCUMENT = (
    "Area of need,Provision,Delivered by,Unit,Unit cost,Group size,Notes\n"
    "CI,Speech and language group,Speech and language therapy assistant,hour,24.00,4,\n"
    "Cognition and learning,Precision teaching,Teaching assistant,hours,£18.50,,One to one or pairs\n"
    "SEMH,Play therapy,Play therapist,session,55,1,\n"
)
BAD = (
    "Area of need,Provision,Delivered by,Unit,Unit cost,Group size,Notes\n"
    "CI,Speech and language group,Speech and language therapy assistant,hour,24.00,4,\n"
    "XX,Precision teaching,Teaching assistant,hour,18.50,,\n"
    "SEMH,Play therapy,Play therapist,fortnight,55,1,\n"
    "SP,Sensory circuit,Teaching assistant,session,12.345,6,\n"
)


@pytest.fixture
async def bot(engine: Engine, connector: FakeConnector) -> AsyncIterator[Bot]:
    seed_file(engine, CENTRAL, TEST_NOW)
    officer = Entry(OFFICER[1], "pat@council.example", OFFICER[0], Role.COUNCIL_OFFICER, None, None)
    import_entries(engine, [*ROSTER, officer], TEST_NOW, "test")
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=FixedClock(TEST_NOW), engine=engine
    )
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector)
    await client.close()


async def send(bot: Bot, who: tuple[str, str], name: str, data: bytes, content_type: str = CSV) -> dict[str, Any]:
    """The person sends one file in personal chat; the answer's text and card (an empty card when it is text)."""
    bot.connector.files[name] = (data, content_type)
    before = len(bot.connector.calls)
    assert (await bot.post(act.file_message(bot.connector.url, *who, name))).status == 200
    calls = await bot.connector.wait_for(before + 1)
    cards = calls[-1].cards
    return cards[0] if cards else {"text": calls[-1].text}


def documents(engine: Engine) -> list[tuple[str, int, int, str]]:
    with Session(engine) as session:
        found = session.exec(select(ProvisionDocument).order_by(col(ProvisionDocument.id))).all()
        return [(d.financial_year, d.version, d.rows, d.source_name) for d in found]


def prices(engine: Engine, year: str, version: int) -> list[tuple[int, str, str, str, int, int | None]]:
    with Session(engine) as session:
        found = session.exec(
            select(ProvisionEntry)
            .join(ProvisionDocument, col(ProvisionDocument.id) == col(ProvisionEntry.document_id))
            .where(ProvisionDocument.financial_year == year, ProvisionDocument.version == version)
            .order_by(col(ProvisionEntry.line))
        ).all()
        return [(e.line, e.area_of_need, e.provision, e.unit, e.unit_cost_pence, e.group_size) for e in found]


def versions_table(card: dict[str, Any]) -> list[list[str]]:
    [table] = [e for e in card["body"] if is_table(e)]
    return table_rows(table)[1:]


async def test_the_officer_sends_the_document_and_it_is_loaded_as_the_year_s_first_version(
    bot: Bot, engine: Engine
) -> None:
    card = await send(bot, OFFICER, "costed-provision.csv", DOCUMENT.encode())
    assert shows(card, "Loaded version 1 of the 2025-26 document: 3 provisions.")
    assert versions_table(card) == [["2025-26", "1 (in use)", "3", "20 Nov 2025"]]
    assert prices(engine, "2025-26", 1) == [
        (2, "CI", "Speech and language group", "hour", 2400, 4),
        (3, "CL", "Precision teaching", "hour", 1850, None),
        (4, "SEMH", "Play therapy", "session", 5500, 1),
    ]
    with Session(engine) as session:
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "provision.document.load")).all()
    assert line.detail["rows"] == 3 and line.detail["version"] == 1


async def test_the_same_file_sent_twice_makes_one_version(bot: Bot, engine: Engine) -> None:
    await send(bot, OFFICER, "costed-provision.csv", DOCUMENT.encode())
    card = await send(bot, OFFICER, "costed-provision.csv", DOCUMENT.encode())
    assert shows(card, "already loaded: no new version was made")
    assert documents(engine) == [("2025-26", 1, 3, "costed-provision.csv")]


async def test_a_new_version_is_added_and_the_old_one_kept_with_its_prices(bot: Bot, engine: Engine) -> None:
    await send(bot, OFFICER, "costed-provision.csv", DOCUMENT.encode())
    dearer = DOCUMENT.replace("24.00", "26.40")
    card = await send(bot, OFFICER, "costed-provision-v2.csv", dearer.encode())
    assert shows(card, "Loaded version 2 of the 2025-26 document: 3 provisions.")
    assert versions_table(card) == [
        ["2025-26", "2 (in use)", "3", "20 Nov 2025"],
        ["2025-26", "1", "3", "20 Nov 2025"],
    ]
    assert prices(engine, "2025-26", 1)[0][4] == 2400 and prices(engine, "2025-26", 2)[0][4] == 2640


async def test_the_file_s_name_gives_its_financial_year(bot: Bot, engine: Engine) -> None:
    card = await send(bot, OFFICER, "Costed Provision 2026-27.csv", DOCUMENT.encode())
    assert shows(card, "Loaded version 1 of the 2026-27 document")
    # A year still to come is not used before it starts: nothing is in use yet.
    assert versions_table(card) == [["2026-27", "1", "3", "20 Nov 2025"]]


async def test_a_bad_document_loads_nothing_and_names_each_bad_line(bot: Bot, engine: Engine) -> None:
    card = await send(bot, OFFICER, "costed-provision.csv", BAD.encode())
    assert shows(card, "Nothing was loaded from costed-provision.csv: fix these lines and send the file again.")
    problems = [b["text"] for b in card["body"] if b.get("color") == "Attention"][1:]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"]
    assert "XX" in problems[0] and "CI, CL, SEMH, SP" in problems[0]
    assert "fortnight" in problems[1] and "12.345" in problems[2]
    assert documents(engine) == []
    with Session(engine) as session:
        assert session.exec(select(ProvisionEntry)).all() == []
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "provision.document.load")).all() == []


async def test_an_excel_document_loads_with_its_numbers_read_as_typed(bot: Bot, engine: Engine) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Area of need", "Provision", "Delivered by", "Hourly rate", "Group size"])
    sheet.append(["CI", "Speech and language group", "Therapy assistant", 24.5, 4.0])
    sheet.append(["SP", "Occupational therapy", "Occupational therapist", 70, None])
    out = io.BytesIO()
    book.save(out)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    card = await send(bot, OFFICER, "prices-2025-26.xlsx", out.getvalue(), xlsx)
    assert shows(card, "Loaded version 1 of the 2025-26 document: 2 provisions.")
    assert prices(engine, "2025-26", 1) == [
        (2, "CI", "Speech and language group", "hour", 2450, 4),
        (3, "SP", "Occupational therapy", "hour", 7000, None),
    ]


async def test_the_officer_types_provision_document_and_sees_every_version(bot: Bot, engine: Engine) -> None:
    await send(bot, OFFICER, "costed-provision.csv", DOCUMENT.encode())
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *OFFICER, "provision document"))
    [card] = (await bot.connector.wait_for(before + 1))[-1].cards
    assert versions_table(card) == [["2025-26", "1 (in use)", "3", "20 Nov 2025"]]
    assert shows(card, "costed-provision.csv, loaded by Pat Pricing")
    assert shows(card, "Send the document here in this chat as a CSV or Excel")
    find_action(card, verbs.PROVISION_DOCUMENTS)


async def test_a_senco_s_file_with_the_document_s_headings_is_not_loaded(bot: Bot, engine: Engine) -> None:
    answer = await send(bot, SENCO, "costed-provision.csv", DOCUMENT.encode())
    assert not shows(answer, "Costed Provision Document")
    assert documents(engine) == []


async def test_a_senco_asking_for_the_document_card_is_refused(bot: Bot) -> None:
    before = len(bot.connector.calls)
    await bot.post(act.personal_message(bot.connector.url, *SENCO, "provision document"))
    [call] = (await bot.connector.wait_for(before + 1))[before:]
    assert "Only a council officer can load the Costed Provision Document." in call.all_json()
