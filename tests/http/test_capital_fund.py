"""Issue 11, done when: one Capital Fund application walked from its window to its evaluation through the
real /api/messages, as each person's clicks would do it.

The council officer sets the 2025/26 round on the ``capital`` card. Sam (SENCO of Etruscan) applies in the
window and the admin accepts the application: it goes to the round's panel, not a meeting's agenda. The
admin names Wendy (SENCO of Waterside) and Dee (a delegate of Etruscan) to the panel. When the window has
closed, the scheduler's job sends each member who scores it a scoring card: the chair, the team and Wendy
score it on that card; Dee, from the applying setting, is refused. Scores stay hidden from the other
members until the chair closes the panel; then the averages show and the chair records the
recommendation; the officer records the Board's decision (Sam is told). Sam marks the project started and
completed, the team records the quality-assurance visit, Sam sends two paid invoices as files with their
amounts, and the officer releases the money: each release asked for earlier is refused, naming each step
still missing. The impact is recorded and the capital report lists it all. Throughout, the cluster's
budget card does not move by a penny.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.roles import Role
from scheduler.jobs import owe_capital
from store.models import AgendaItem, CapitalApplication, CapitalInvoice, Decision, Outbox, Person, Referral
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.referral_flow import GOOD_CAPITAL, Flow, beside, find_action, shows
from usecases.budget import set_budget
from usecases.meeting_day.agenda import prepare_agenda
from usecases.roster import Entry, import_entries

OFFICER = ("aad-officer", "Olive Officer")
DEE = ("aad-dee", "Dee Delegate")
ROUND = {
    "label": "2025/26",
    "total": "500000",
    "opens": "2025-09-01",
    "closes": "2025-12-31",
    "panel_by": "2026-01-30",
    "decisions_by": "2026-02-27",
    "complete_by": "2026-08-31",
    "evaluate_by": "2026-09-30",
}
CARD = "application/vnd.microsoft.card.adaptive"


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


def person_id(engine: Engine, aad: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Person.id).where(Person.aad_object_id == aad)).one()
        assert found is not None
        return found


@pytest.fixture
async def app_bot(central: Engine, clock: FixedClock, connector: FakeConnector) -> AsyncIterator[tuple[Bot, Any]]:
    import_entries(
        central,
        [
            Entry(OFFICER[1], "olive@stoke.example", OFFICER[0], Role.COUNCIL_OFFICER, None, None),
            Entry(DEE[1], "dee@etruscan.example", DEE[0], Role.DELEGATE, "Central", "Etruscan Primary School"),
        ],
        clock.now(),
        "test",
    )
    set_budget(
        central, "test", "Central", "2025/26", date(2025, 9, 1), date(2026, 8, 31), [250_000_00, 0, 0, 0], clock.now()
    )
    settings = Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, DATABASE_URL="sqlite://", CLUSTERBOT_SCHEDULER=False)
    app = create_app(settings, clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    for who in (SENCO, SENCO_2, CHAIR, TAC, ADMIN, OFFICER, DEE):
        await bot.post(act.personal_install(connector.url, *who))
    yield bot, app
    await client.close()


async def say(bot: Bot, who: tuple[str, str], text: str) -> list[dict[str, Any]]:
    """Type in personal chat; the cards (and other attachments) the bot answered with."""
    conversation = act.personal_conversation(who[0])
    before = len(bot.connector.sent_to(conversation))
    assert (await bot.post(act.personal_message(bot.connector.url, *who, text))).status == 200
    await bot.connector.wait_for(len(bot.connector.calls))
    return [a for c in bot.connector.sent_to(conversation)[before:] for a in c.body.get("attachments") or []]


def owed_card(engine: Engine, key: str) -> dict[str, Any]:
    with Session(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.key == key)).one()
    assert row.card is not None
    return dict(row.card)


def scores(fit: int, rest: int, comment: str) -> dict[str, str]:
    criteria = ("quality_of_design", "deliverability", "value_for_money", "environmental_impact")
    typed = {"score_strategic_fit": str(fit), "score_stakeholder_engagement": str(rest)}
    typed |= {f"score_{c}": str(rest) for c in criteria}
    return typed | {"comment_strategic_fit": comment}


def refused_release(budget: list[str]) -> str:
    return "The money cannot be released yet: " + "; ".join(budget) + "."


async def send_file(bot: Bot, who: tuple[str, str], name: str, data: bytes) -> dict[str, Any]:
    bot.connector.files[name] = (data, "application/pdf")
    message = act.personal_message(bot.connector.url, *who, "")
    message["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": name,
            "content": {"downloadUrl": f"{bot.connector.url}/files/{name}", "uniqueId": name, "fileType": "pdf"},
        }
    ]
    before = len(bot.connector.calls)
    await bot.post(message)
    calls = await bot.connector.wait_for(before + 1)
    [card] = [a["content"] for a in calls[-1].body.get("attachments") or [] if a["contentType"] == CARD]
    return dict(card)


async def test_one_application_from_its_window_to_its_evaluation(
    app_bot: tuple[Bot, Any], central: Engine, clock: FixedClock
) -> None:
    bot, app = app_bot
    sam, wendy, chair, team, admin, officer, dee = (
        Flow(bot, who) for who in (SENCO, SENCO_2, CHAIR, TAC, ADMIN, OFFICER, DEE)
    )
    [budget_before] = await say(bot, ADMIN, "budget")

    # The officer sets the 2025/26 round on the capital card.
    [shown] = await say(bot, OFFICER, "capital")
    find_action(shown["content"], verbs.CAPITAL_ROUND_SET)
    saved = await officer.card(verbs.CAPITAL_ROUND_SET, ROUND)
    assert shows(saved, "The round is saved.") and shows(saved, "£500,000.00") and shows(saved, "30 January 2026")

    # Sam applies within the window; the admin accepts it: to the panel, not onto a meeting's agenda.
    referral_id, _ = await sam.start("capital")
    await sam.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_CAPITAL})
    done = await sam.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await sam.version(referral_id)})
    assert shows(done, "CEN-2526-001")
    accepted = await admin.card(verbs.ACCEPT, {"referral_id": referral_id})
    assert shows(accepted, "CEN-2526-001 accepted for the Capital Fund's Cluster Panel; Sam Senco is told.")
    prepare_agenda(central, 2, clock.now())
    with Session(central) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.meeting_id is None and referral.state == "accepted"
        assert session.exec(select(AgendaItem).where(AgendaItem.referral_id == referral_id)).all() == []
        assert session.get(CapitalApplication, referral_id) is not None
    data = {"referral_id": referral_id}
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == (
        "The money cannot be released yet: the Board has not decided this application."
    )

    # The admin names Wendy and Dee to the panel.
    panel = await admin.card(verbs.CAPITAL_PANEL)
    find_action(panel, verbs.CAPITAL_PANEL_ADD)
    for who in (SENCO_2, DEE):
        panel = await admin.card(verbs.CAPITAL_PANEL_ADD, {"person_id": person_id(central, who[0])})
    assert shows(panel, "Wendy Waterside · Named by the admin") and shows(panel, "Dee Delegate · Named by the admin")
    assert await wendy.refused(verbs.CAPITAL_SCORE, {**data, **scores(4, 4, "")}) == (
        "The panel scores this application once the window closes on 31 December 2025."
    )

    # The window closes: the scheduler's job sends a scoring card to each member who scores it.
    clock.set(at("2026-01-05"))
    owed = owe_capital(central, clock.now())
    members = {person_id(central, w[0]): w for w in (CHAIR, TAC, SENCO_2)}
    assert sorted(owed) == sorted(f"notice:capital:{referral_id}:score:person:{p}" for p in members)
    assert owe_capital(central, clock.now()) == [], "a second run owes nothing more"
    app[NOTIFIER].deliver_soon()
    await app[NOTIFIER].drain()
    for who in members.values():
        conversation = act.personal_conversation(who[0])
        assert any("Please score CEN-2526-001" in c.all_json() for c in bot.connector.sent_to(conversation)), who

    # Three members score it on that card; Dee, from the applying setting, is refused.
    for flow, who, given in (
        (chair, CHAIR, scores(5, 4, "Chair: a clear need")),
        (team, TAC, scores(4, 3, "")),
        (wendy, SENCO_2, scores(2, 4, "")),
    ):
        card = owed_card(central, f"notice:capital:{referral_id}:score:person:{person_id(central, who[0])}")
        action = find_action(card, verbs.CAPITAL_SCORE)
        answer = await flow.card(verbs.CAPITAL_SCORE, {**action["data"], **given})
        assert shows(answer, "Your scores are saved.")
    assert not shows(answer, "Chair: a clear need"), "another member's scores stay hidden until the panel closes"
    assert shows(answer, "Scored by 3 of 3 member(s)")
    assert await dee.refused(verbs.CAPITAL_SCORE, {**action["data"], **scores(5, 5, "")}) == (
        "You are from the applying setting, so you do not score this application."
    )
    assert await sam.refused(verbs.CAPITAL_SCORE, {**action["data"], **scores(5, 5, "")}) == (
        "You are not on this cluster's Cluster Panel: the chair and the team around the cluster sit on it, "
        "with the SENCOs its admin names."
    )

    # The chair closes the panel: the averages show; the chair records the recommendation.
    closed = await chair.card(verbs.CAPITAL_PANEL_CLOSE, data)
    # Strategic fit (5 + 4 + 2) / 3 = 3.7; the rest (4 + 3 + 4) / 3 = 3.7; overall 3.7.
    assert shows(closed, "Averages of 3 member(s), out of 5") and shows(closed, '"value": "3.7"')
    assert shows(await wendy.card(verbs.CAPITAL_OPEN, data), "Averages of 3 member(s)")
    assert await wendy.refused(verbs.CAPITAL_SCORE, {**data, **scores(1, 1, "")}) == (
        "The panel has closed its scoring of this application, so scores can no longer change."
    )
    recommended = await chair.card(
        verbs.CAPITAL_RECOMMEND,
        {
            **data,
            "recommendation": "recommend_with_conditions",
            "reasons": "Strong fit.",
            "conditions": "Three quotes.",
        },
    )
    assert shows(recommended, "Recommendation: Recommend with conditions")

    # The officer records the Board's decision; Sam is told.
    too_much = await officer.card(verbs.CAPITAL_BOARD, {**data, "board": "approve", "amount": "13000"})
    assert shows(too_much, "The Board cannot approve more than the setting asked for (£12,500.00).")
    decided = await officer.card(
        verbs.CAPITAL_BOARD, {**data, "board": "approve", "amount": "12000", "conditions": "Three quotes."}
    )
    assert shows(decided, "Approved: £12,000.00")
    await app[NOTIFIER].drain()
    sam_chat = act.personal_conversation(SENCO[0])
    assert any("The Board's decision on CEN-2526-001" in c.all_json() for c in bot.connector.sent_to(sam_chat))
    missing = [
        "the SENCO has not marked the project completed",
        "no quality-assurance visit has been recorded",
        "no paid invoices have been uploaded",
    ]
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(missing)

    # The project's journey, with the release refused at each step, naming what is still missing.
    clock.set(at("2026-04-13"))
    assert shows(await sam.card(verbs.CAPITAL_STARTED, {**data, "started_on": "2026-04-13"}), "Marked started")
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(missing)
    clock.set(at("2026-07-17"))
    assert shows(await sam.card(verbs.CAPITAL_COMPLETED, {**data, "completed_on": "2026-07-17"}), "Marked completed")
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(missing[1:])
    clock.set(at("2026-07-22"))
    visit = {"visitor": "Theo Team", "visited_on": "2026-07-22", "passed": "false", "notes": "A handrail is loose."}
    assert shows(await team.card(verbs.CAPITAL_VISIT, {**data, **visit}), "did not pass")
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(
        ["the quality-assurance visit did not pass", missing[2]]
    )
    visit = {**visit, "visited_on": "2026-07-22", "passed": "true", "notes": "Handrail fixed."}
    assert shows(await team.card(verbs.CAPITAL_VISIT, {**data, **visit}), "passed")
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(missing[2:])
    slip = await sam.card(verbs.CAPITAL_INVOICE, {**data, "invoice_amount": "4,98,0.00"})
    assert beside(slip, "invoice_amount") == (
        "4,98,0.00",
        "“4,98,0.00” is not an amount: put commas only between groups of three digits, as in 4,980.00.",
    )
    with Session(central) as session:
        assert session.exec(select(CapitalInvoice)).all() == [], "nothing kept from a misread amount"
    waiting = await sam.card(verbs.CAPITAL_INVOICE, {**data, "invoice_amount": "4,980.00"})
    assert shows(waiting, "Now send the paid invoice for £4,980.00 as a file in this chat")
    assert await officer.refused(verbs.CAPITAL_RELEASE, data) == refused_release(missing[2:]), "no file yet"
    kept = await send_file(bot, SENCO, "invoice-1.pdf", b"%PDF-1.4 invoice one")
    assert shows(kept, "Kept invoice-1.pdf with the invoice for £4,980.00.")
    await sam.card(verbs.CAPITAL_INVOICE, {**data, "invoice_amount": "7500"})
    await send_file(bot, SENCO, "invoice-2.pdf", b"%PDF-1.4 invoice two")
    with Session(central) as session:
        invoices = session.exec(select(CapitalInvoice).order_by(col(CapitalInvoice.id))).all()
    assert [(i.amount_pence, i.name, i.content) for i in invoices] == [
        (4_980_00, "invoice-1.pdf", b"%PDF-1.4 invoice one"),
        (7_500_00, "invoice-2.pdf", b"%PDF-1.4 invoice two"),
    ]
    clock.set(at("2026-07-30"))
    released = await officer.card(verbs.CAPITAL_RELEASE, data)
    assert shows(released, "Released £12,000.00"), "the grant, which is less than the invoices' £12,480.00"
    assert await sam.refused(verbs.CAPITAL_RELEASE, data) == "Only a council officer releases Capital Fund money."
    [budget_after] = await say(bot, ADMIN, "budget")
    assert budget_after == budget_before, "capital never changes the cluster's budget card"
    with Session(central) as session:
        assert session.exec(select(Decision)).all() == [], "no meeting decision, so no budget commitment"

    # By the evaluation date the project's impact is recorded, and the capital report lists it all.
    clock.set(at("2026-09-21"))
    impact = {
        "ehcp_pupils": "4",
        "pupils_weekly": "36",
        "attendance_change": "+2.5",
        "what_changed": "=Pupils who left class several times a day now stay.",
    }
    evaluated = await sam.card(verbs.CAPITAL_EVALUATE, {**data, **impact})
    assert shows(evaluated, "Evaluated") and shows(evaluated, "Pupils who left class")
    [offer] = await say(bot, OFFICER, "capital report")
    assert offer["name"] == "Capital Fund report 2026-09-21.xlsx"
    accept = act.card_click(bot.connector.url, *OFFICER, "x")
    accept["name"] = "fileConsent/invoke"
    accept["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": offer["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": "https://o-my.sharepoint.com/c.xlsx",
            "name": "c.xlsx",
            "uploadUrl": f"{bot.connector.url}/upload/capital.xlsx",
            "uniqueId": "u",
            "fileType": "xlsx",
        },
    }
    assert (await bot.post(accept)).status == 200
    sheet = load_workbook(io.BytesIO(bot.connector.uploads["capital.xlsx"][0]))["Applications"]
    headings = [c.value for c in sheet[1]]
    row = dict(zip(headings, [c.value for c in sheet[2]], strict=True))
    assert row["Reference"] == "CEN-2526-001" and row["Stage"] == "Evaluated"
    assert float(row["Strategic fit (average)"]) == 3.7 and float(row["Overall (average)"]) == 3.7
    assert row["Recommendation"] == "Recommend with conditions" and row["Board's decision"] == "Approved"
    assert float(row["Approved (£)"]) == 12_000 and float(row["Released (£)"]) == 12_000
    assert float(row["Invoices (£)"]) == 12_480 and row["Visit passed"] == "Yes"
    assert row["What changed"] == "=Pupils who left class several times a day now stay."
    assert sheet.cell(row=2, column=headings.index("What changed") + 1).data_type == "s", "typed text stays text"
    assert json.dumps(row, default=str).count("2026-07-17") == 1, "the completion date"


async def test_the_round_form_comes_back_with_what_was_typed_and_each_mistake_beside_its_field(
    app_bot: tuple[Bot, Any],
) -> None:
    bot, _ = app_bot
    officer = Flow(bot, OFFICER)
    typed = {**ROUND, "total": "lots", "panel_by": ""}
    again = await officer.card(verbs.CAPITAL_ROUND_SET, typed)
    assert beside(again, "total") == (
        "lots",
        "“lots” is not an amount: type pounds and pence in figures, as in 1,250.00.",
    )
    assert beside(again, "panel_by")[1] == "Choose the date: panel scores and recommends by."
    assert beside(again, "label")[0] == "2025/26", "what was typed is kept"
    backwards = await officer.card(verbs.CAPITAL_ROUND_SET, {**ROUND, "decisions_by": "2026-01-02"})
    assert shows(backwards, "must not be before") and not shows(backwards, "The round is saved.")
