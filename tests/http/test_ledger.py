"""The revenue ledger through /api/messages: approvals (one drawing on the reserve) are scheduled from the next
term, instalments are paid on the officer's card and from the finance system's CSV, a review stops one
allocation, and the budget card, the ledger and the finance exports (CSV and XLSX) agree to the penny.

Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.cli.main import run
from cards import verbs
from cluster.clock import LONDON
from cluster.roles import Role
from reports.finance import read_csv_tables
from store.models import AuditEvent, Decision, DecisionLetter, Instalment, Person, Release, Review, TermDate
from tests.conftest import ADMIN, CHAIR, SENCO
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.meeting_room import VOTERS, Room, meeting_room, start_meeting
from tests.support.queries import count_queries
from tests.support.referral_flow import Flow, find_action
from usecases.budget import set_budget
from usecases.roster import Entry, import_entries

OFFICER = ("aad-officer", "Olive Officer")
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
REVIEW_ANSWERS = {
    "outcome_rating_1": "achieved",
    "outcomes_achieved": "Met",
    "attendance": "97%",
    "progress": "Good",
    "wellbeing": "Settled",
    "provision_delivered": "As planned",
    "actual_spend": "300",
    "recommendation": "stop",
}


@pytest.fixture
async def room(engine: Engine, connector: FakeConnector) -> AsyncIterator[Room]:
    async with meeting_room(engine, connector) as room:
        now = room.clock.now()
        import_entries(room.engine, [Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None)], now, "t")
        # £3,000 for 2025/26, £1,000 of it the emergency reserve: £2,000 to approve without touching it.
        set_budget(
            room.engine, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [300000, 0, 0, 100000], now
        )
        await room.bot.post(act.personal_install(room.connector.url, *OFFICER))
        await room.settle()
        yield room


def facts_of(card: dict[str, Any]) -> dict[str, str]:
    """Every fact on a card, by its title."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.update({f["title"]: f["value"] for f in node["facts"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def offers_since(room: Room, before: int, who: tuple[str, str]) -> list[dict[str, Any]]:
    """The file offers that reached ``who``'s personal chat since call ``before``."""
    return [
        a
        for c in room.connector.calls[before:]
        if c.conversation_id == act.personal_conversation(who[0])
        for a in c.body.get("attachments") or []
        if a["contentType"] == FILE_CONSENT
    ]


async def accept(room: Room, who: tuple[str, str], offer: dict[str, Any], name: str) -> bytes:
    """``who`` accepts an offered file; returns the bytes the bot uploaded."""
    answer = act.card_click(room.connector.url, *who, "x")
    answer["name"] = "fileConsent/invoke"
    answer["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": offer["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": f"https://w-my.sharepoint.com/{name}",
            "name": name,
            "uploadUrl": f"{room.connector.url}/upload/{name}",
            "uniqueId": name,
            "fileType": name.rsplit(".", 1)[-1],
        },
    }
    assert (await room.bot.post(answer)).status == 200
    return room.connector.uploads[name][0]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def instalments(engine: Engine) -> list[Instalment]:
    with Session(engine) as session:
        return list(session.exec(select(Instalment).order_by(col(Instalment.id))))


def pence(text: str) -> int:
    """'£2,279.49' or '2279.49' as pence."""
    return int((Decimal(text.replace("£", "").replace(",", "")) * 100).to_integral_value())


async def decide(room: Room, name: str, choices: list[str], **decision: str) -> dict[str, Any]:
    item = room.item(name)
    await room.click(CHAIR, verbs.ITEM_OPEN, {"item_id": item})
    for who, choice in zip(VOTERS, choices, strict=False):
        await room.click(who, verbs.VOTE_CAST, {"item_id": item, "choice": choice})
    await room.click(CHAIR, verbs.ITEM_CLOSE, {"item_id": item})
    return await room.click(CHAIR, verbs.DECISION_RECORD, {"item_id": item, **decision})


async def test_the_budget_card_the_ledger_and_the_finance_exports_agree_to_the_penny(
    room: Room, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await start_meeting(room)  # Thursday 11 December 2025
    # The Individual Pupil Need referral (£988.47) is approved, termly until the default review a year on.
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    # The EHCP referral (£1,950.00) goes past the £2,000 the cluster can approve without the reserve...
    refused = await decide(room, "ehcp", ["approve", "approve", "approve"], outcome="approved", schedule="one_sum")
    assert "The emergency reserve holds £1,000.00 more" in refused["value"]
    # ... so the chair draws on it.
    ehcp = room.item("ehcp")
    drawn = {"item_id": ehcp, "outcome": "approved", "schedule": "one_sum", "draw_on_reserve": "true"}
    await room.click(CHAIR, verbs.DECISION_RECORD, drawn)
    await room.settle()

    # Instalments start on the spring term's first day, never on the meeting day (nor on 1 January).
    ledger = instalments(room.engine)
    assert [(i.due_on, i.amount_pence, i.state) for i in ledger] == [
        (date(2026, 1, 5), 329_49, "due"),
        (date(2026, 4, 13), 329_49, "due"),
        (date(2026, 9, 3), 329_49, "due"),
        (date(2026, 1, 5), 1_950_00, "due"),
    ]

    # Sam is told with the schedule, and offered the letter, which is the one kept with the decision.
    [notice] = room.told(SENCO, "Decision on CEN-2526-001")
    assert "5 January 2026 (Spring term 2026)" in notice.all_json() and "11 December 2025\\n" not in notice.all_json()
    letter_offers = [
        o for o in offers_since(room, 0, SENCO) if o["content"]["acceptContext"]["kind"] == "decision_letter"
    ]
    assert [o["name"] for o in letter_offers] == [
        "Decision letter CEN-2526-001 2025-12-11.docx",
        "Decision letter CEN-2526-002 2025-12-11.docx",
    ]
    letter = await accept(room, SENCO, letter_offers[0], "letter1.docx")
    with Session(room.engine) as session:
        ipn_decision = session.exec(select(Decision).where(Decision.referral_id == room.referrals["ipn"])).one()
        kept = session.get(DecisionLetter, ipn_decision.id)
    assert kept is not None and letter == kept.content
    words = docx_text(letter)
    assert "Decision on CEN-2526-001" in words and "Approved" in words and "£988.47" in words
    assert "5 January 2026" in words and "13 April 2026" in words and "3 September 2026" in words
    assert "11 December 2026" in words, "the review date"
    assert "ETR-0042" not in words, "never the school's own pupil reference"

    # The budget after the meeting: the reserve draw shows as reserve used, never a negative "available".
    card = await Flow(room.bot, ADMIN).card(verbs.BUDGET)
    assert facts_of(card)["Available now"] == "£0.00"
    assert facts_of(card)["Reserve used"] == "£938.47"

    # 6 January 2026: the officer's payments card lists both instalments that fell due on 5 January.
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    officer = Flow(room.bot, OFFICER)
    payments = await officer.card(verbs.PAYMENTS)
    jan_ipn, jan_ehcp = ledger[0].id, ledger[3].id
    assert facts_of(payments)["Amount"] in ("£329.49", "£1,950.00")
    mark = find_action(payments, verbs.PAYMENT_MARK, instalment_id=jan_ipn)
    # A payment dated tomorrow comes back next to its date, and nothing is stored.
    future = {**mark["data"], f"paid_on_{jan_ipn}": "2026-01-07", f"reference_{jan_ipn}": "BACS-0001"}
    again = await officer.card(verbs.PAYMENT_MARK, future)
    assert "cannot be in the future" in json.dumps(again) and "2026-01-07" in json.dumps(again)
    assert instalments(room.engine)[0].state == "due"
    paid = {**mark["data"], f"paid_on_{jan_ipn}": "2026-01-06", f"reference_{jan_ipn}": "BACS-0001"}
    done = await officer.card(verbs.PAYMENT_MARK, paid)
    await officer.card(verbs.PAYMENT_MARK, paid)  # the same click delivered twice
    assert "Marked paid: CEN-2526-001" in json.dumps(done)
    with pytest.raises(AssertionError):
        find_action(done, verbs.PAYMENT_MARK, instalment_id=jan_ipn)  # no longer listed as due
    with Session(room.engine) as session:
        marked = session.exec(select(AuditEvent).where(AuditEvent.action == "instalment.paid")).all()
    assert len(marked) == 1, "paid once"

    # The finance system's CSV pays the EHCP's instalment: a file with one line that does not match changes
    # nothing; the corrected file is imported (twice, harmlessly).
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "Instalment ID,Reference,Due date,Amount,Paid date,Payment reference\n"
        f"{jan_ehcp},CEN-2526-002,05/01/2026,1950.00,06/01/2026,BACS-0002\n"
        ",CEN-2526-001,13/04/2026,329.50,06/01/2026,BACS-0003\n",
        encoding="utf-8",
    )
    assert run(["payments", "import", str(wrong)], clock=room.clock) == 1
    assert [i.state for i in instalments(room.engine)] == ["paid", "due", "due", "due"], "nothing half-imported"
    right = tmp_path / "right.csv"
    right.write_text(
        "Instalment ID,Reference,Due date,Amount,Paid date,Payment reference\n"
        f"{jan_ehcp},CEN-2526-002,05/01/2026,1950.00,06/01/2026,BACS-0002\n",
        encoding="utf-8",
    )
    assert run(["payments", "import", str(right)], clock=room.clock) == 0
    assert run(["payments", "import", str(right)], clock=room.clock) == 0
    assert [i.state for i in instalments(room.engine)] == ["paid", "due", "due", "paid"]

    # 2 February 2026: Sam's review stops the Individual Pupil Need funding; the two unpaid instalments are
    # cancelled and their total goes back to the budget.
    room.clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=LONDON))
    with Session(room.engine) as session:
        review = session.exec(select(Review).where(Review.referral_id == room.referrals["ipn"])).one()
    await Flow(room.bot, SENCO).card(verbs.REVIEW_SUBMIT, {"review_id": review.id, **REVIEW_ANSWERS})
    ledger = instalments(room.engine)
    assert [i.state for i in ledger] == ["paid", "cancelled", "cancelled", "paid"]
    with Session(room.engine) as session:
        [release] = session.exec(select(Release)).all()
    assert release.amount_pence == 329_49 * 2, "the release is what was cancelled"

    # The ledger's figures.
    paid_pence = sum(i.amount_pence for i in ledger if i.state == "paid")
    committed_pence = sum(i.amount_pence for i in ledger if i.state != "cancelled")
    assert (paid_pence, committed_pence) == (2_279_49, 2_279_49)
    reserve_used = committed_pence - 2_000_00

    # The budget card.
    budget = facts_of(await Flow(room.bot, ADMIN).card(verbs.BUDGET))
    assert pence(budget["Allocated (the budget's total)"]) == 3_000_00
    assert pence(budget["Committed"]) == committed_pence
    assert pence(budget["Paid"]) == paid_pence
    assert pence(budget["Available now"]) == 0
    assert pence(budget["Reserve used"]) == reserve_used == 279_49
    assert pence(budget["Reserve left"]) == 1_000_00 - reserve_used

    # The finance exports, offered to the officer in Teams: CSV and XLSX.
    before = len(room.connector.calls)
    await officer.say("finance Central")
    await room.connector.wait_for(before + 1)
    offers = offers_since(room, before, OFFICER)
    assert [o["name"] for o in offers] == [
        "Finance Central cluster 2026-02-02.csv",
        "Finance Central cluster 2026-02-02.xlsx",
    ]
    tables = read_csv_tables(await accept(room, OFFICER, offers[0], "finance.csv"))
    [row] = tables["Budgets"]
    assert pence(row["Allocated (£)"]) == 3_000_00
    assert pence(row["Committed (£)"]) == committed_pence and pence(row["Paid (£)"]) == paid_pence
    assert pence(row["Available (£)"]) == 0
    assert pence(row["Reserve used (£)"]) == reserve_used and pence(row["Reserve left (£)"]) == 1_000_00 - reserve_used
    allocations = {a["Reference"]: a for a in tables["Allocations"]}
    assert pence(allocations["CEN-2526-001"]["Cancelled (£)"]) == 658_98
    assert allocations["CEN-2526-001"]["Stage"] == "Stopped at review"
    assert allocations["CEN-2526-002"]["Reserve drawn"] == "Yes"
    assert sum(pence(a["Paid (£)"]) for a in tables["Allocations"]) == paid_pence
    assert sum(pence(i["Amount (£)"]) for i in tables["Instalments"] if i["State"] != "Cancelled") == committed_pence
    terms = {t["Term"]: t for t in tables["Due per term"]}
    assert pence(terms["Spring term 2026"]["Paid (£)"]) == 2_279_49
    assert pence(terms["Summer term 2026"]["Cancelled (£)"]) == 329_49

    workbook = openpyxl.load_workbook(io.BytesIO(await accept(room, OFFICER, offers[1], "finance.xlsx")))
    sheet = workbook["Budgets"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert round(values["Committed (£)"] * 100) == committed_pence and round(values["Paid (£)"] * 100) == paid_pence
    assert round(values["Reserve used (£)"] * 100) == reserve_used and values["Available (£)"] == 0
    xlsx_instalments = list(workbook["Instalments"].iter_rows(min_row=2, values_only=True))
    assert round(sum(r[6] for r in xlsx_instalments if r[7] == "Paid") * 100) == paid_pence

    # And the same from the command line, citywide.
    out = tmp_path / "city.xlsx"
    assert run(["finance", "export", "--format", "xlsx", str(out)], clock=room.clock) == 0
    city = openpyxl.load_workbook(out)["Budgets"]
    assert round(dict(zip(header, [c.value for c in city[2]], strict=True))["Committed (£)"] * 100) == committed_pence


async def test_a_decision_whose_payments_fall_past_the_loaded_term_dates_is_refused_asking_for_them(room: Room) -> None:
    await start_meeting(room)
    with Session(room.engine) as session:
        for row in session.exec(select(TermDate)).all():
            session.delete(row)
        session.commit()
    refused = await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert "no school term dates loaded after 11 December 2025" in refused["value"]
    assert "clusterbot terms import" in refused["value"]
    await room.settle()
    assert room.decisions() == [] and instalments(room.engine) == [], "nothing is stored"
    assert room.told(SENCO, "Decision on") == []


async def test_the_officer_s_card_warns_when_the_term_dates_run_out_within_six_months(room: Room) -> None:
    room.clock.set(datetime(2028, 2, 1, 9, 0, tzinfo=LONDON))
    card = await Flow(room.bot, OFFICER).card(verbs.PAYMENTS)
    assert "The school term dates loaded end on 21 July 2028" in json.dumps(card)
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    assert "term dates loaded" not in json.dumps(await Flow(room.bot, OFFICER).card(verbs.PAYMENTS))


async def test_a_payment_needs_its_reference_and_a_cancelled_instalment_cannot_be_paid(room: Room) -> None:
    await start_meeting(room)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    officer = Flow(room.bot, OFFICER)
    first = instalments(room.engine)[0].id
    card = await officer.card(verbs.PAYMENT_MARK, {"instalment_id": first, f"paid_on_{first}": "2026-01-06"})
    assert "Give the finance system's payment reference." in json.dumps(card)
    typo = await officer.card(verbs.PAYMENT_MARK, {"instalment_id": first, f"paid_on_{first}": "6th Jan"})
    assert "The day it was paid must be a date." in json.dumps(typo) and "6th Jan" in json.dumps(typo)
    assert instalments(room.engine)[0].state == "due"

    with Session(room.engine) as session:
        review = session.exec(select(Review)).one()
    await Flow(room.bot, SENCO).card(verbs.REVIEW_SUBMIT, {"review_id": review.id, **REVIEW_ANSWERS})
    assert [i.state for i in instalments(room.engine)] == ["cancelled"] * 3, "nothing was paid: all cancelled"
    late = {"instalment_id": first, f"paid_on_{first}": "2026-01-06", f"reference_{first}": "BACS-9"}
    assert await officer.refused(verbs.PAYMENT_MARK, late) == (
        "This instalment of £329.49 was cancelled when the funding stopped."
    )


def letter_reads(room: Room) -> list[str]:
    """Who read a decision letter, one audit line per reading, oldest first."""
    with Session(room.engine) as session:
        reads = session.exec(
            select(AuditEvent).where(AuditEvent.action == "letter.read").order_by(col(AuditEvent.id))
        ).all()
    return [r.actor for r in reads]


async def test_the_letter_is_offered_again_from_the_notice_to_the_setting_but_not_to_another(room: Room) -> None:
    await start_meeting(room)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    await room.settle()
    [notice] = room.told(SENCO, "Decision on CEN-2526-001")
    [card] = notice.cards
    button = find_action(card, verbs.DECISION_LETTER)
    before = len(room.connector.calls)
    assert letter_reads(room) == []
    answer = await Flow(room.bot, SENCO).click(verbs.DECISION_LETTER, button["data"])
    assert letter_reads(room) == [], "offered again, not yet read"
    assert answer["value"].startswith("Here is the decision letter for CEN-2526-001.")
    await room.settle()
    [offer] = offers_since(room, before, SENCO)
    assert offer["name"] == "Decision letter CEN-2526-001 2025-12-11.docx"
    refused = await Flow(room.bot, ("aad-senco-waterside", "Wendy Waterside")).refused(
        verbs.DECISION_LETTER, button["data"]
    )
    assert refused.startswith("Only the setting's SENCO or delegate, the cluster's admin or a council officer")
    # An officer who accepts a letter offer has it; the reading is audited, once.
    assert docx_text(await accept(room, OFFICER, offer, "again.docx")).count("CEN-2526-001") >= 1
    with Session(room.engine) as session:
        officer = session.exec(select(Person).where(Person.aad_object_id == OFFICER[0])).one()
    assert letter_reads(room) == [f"person:{officer.id}"]


async def test_the_same_mark_paid_click_delivered_twice_at_once_records_one_payment(room: Room) -> None:
    await start_meeting(room)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    first = instalments(room.engine)[0].id
    data = {"instalment_id": first, f"paid_on_{first}": "2026-01-06", f"reference_{first}": "BACS-0001"}
    click = act.card_click(room.connector.url, *OFFICER, verbs.PAYMENT_MARK, data)
    answers = await asyncio.gather(room.bot.post(click), room.bot.post(click))
    assert [a.status for a in answers] == [200, 200]
    assert [i.state for i in instalments(room.engine)] == ["paid", "due", "due"]
    with Session(room.engine) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "instalment.paid")).all()) == 1


async def test_the_payments_card_and_the_finance_export_cost_the_same_for_one_decision_as_for_two(room: Room) -> None:
    from usecases.finance import finance_export
    from usecases.ledger import payments
    from usecases.people import identify

    await start_meeting(room)
    with Session(room.engine) as session:
        officer = identify(session, *OFFICER)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="termly")
    await room.settle()  # the notices delivered first: only the reads below are counted
    day = datetime(2026, 1, 6, 9, 0, tzinfo=LONDON)
    with count_queries(room.engine) as one:
        assert len(payments(room.engine, officer, day).due) == 1
        finance_export(room.engine, None, day)
    drawn = {"outcome": "approved", "schedule": "termly", "draw_on_reserve": "true"}
    await decide(room, "ehcp", ["approve", "approve", "approve"], **drawn)
    await room.settle()
    with count_queries(room.engine) as two:
        assert len(payments(room.engine, officer, day).due) == 2
        view = finance_export(room.engine, None, day)
    assert len(view.instalments) == 6
    assert two.count == one.count, "a fixed number of queries, however many instalments"


async def test_a_payments_file_with_a_misplaced_comma_in_an_amount_marks_nothing_paid_and_names_its_line(
    room: Room, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await start_meeting(room)
    await decide(room, "ipn", ["approve", "approve", "approve"], outcome="approved", schedule="one_sum")
    [due] = instalments(room.engine)
    assert due.amount_pence == 988_47
    room.clock.set(datetime(2026, 1, 6, 9, 0, tzinfo=LONDON))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    paid = tmp_path / "paid.csv"
    header = "Instalment ID,Amount,Paid date,Payment reference\n"
    paid.write_text(header + f'{due.id},"98,8.47",06/01/2026,BACS-0001\n', "utf-8")
    capsys.readouterr()
    assert run(["payments", "import", str(paid)], clock=room.clock) == 1
    assert (
        "line 2: “98,8.47” is not an amount: put commas only between groups of three digits, as in 988.47"
        in capsys.readouterr().err
    )
    assert [i.state for i in instalments(room.engine)] == ["due"], "not read as £988.47 and marked paid"
    paid.write_text(header + f'{due.id},"£988.47",06/01/2026,BACS-0001\n', "utf-8")
    assert run(["payments", "import", str(paid)], clock=room.clock) == 0
    assert [i.state for i in instalments(room.engine)] == ["paid"]
