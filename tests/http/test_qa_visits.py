"""Quality-assurance visits to settings through the real endpoint, on SQLite and PostgreSQL.

Theo (the team around Central) plans a visit to Etruscan Primary School, records its report with an action
for Sam (Etruscan's SENCO) and a concern; Sam is sent the report and acknowledges it, Chris (the chair) is
told of the concern, Theo of the acknowledgement; the action is nudged a week before its date and on it, once
each, until it is done. Only the team, the chair, officers and the setting see the report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.roles import Role
from store.models import AuditEvent, Outbox, QaVisit, Setting
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC, Bot
from tests.support import activities as act
from tests.support.both_databases import seeded_central
from tests.support.referral_flow import Flow, beside, find_action, shows
from usecases.qa_nudges import owe_qa_nudges
from usecases.roster import Entry, import_entries

OFFICER = ("aad-officer", "Olive Officer")
REPORT = {
    "visited_on": "2025-11-20",
    "visitors": "Theo Team",
    "allocations": "CEN-2526-001",
    "seen": "The language group runs three times a week; the TA keeps a log.",
    "judgement": "concern",
    "actions": "Share the group's timetable with parents; Sam Senco; 2025-12-10",
    "follow_up_on": "2026-01-15",
}
NOT_FOR_YOU = "Only the team around the cluster, its chair, council officers and the visited setting see this report."


@pytest.fixture
def central(engine: Engine, clock: FixedClock) -> Engine:
    """Central on SQLite and on PostgreSQL, with a council officer."""
    seeded_central(engine, clock)
    import_entries(engine, [Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None)], clock.now(), "t")
    return engine


@pytest.fixture
async def installed(bot: Bot) -> AsyncIterator[Bot]:
    """Everyone has the bot in personal chat, so the notices reach them."""
    for who in (SENCO, SENCO_2, CHAIR, ADMIN, TAC, OFFICER):
        await bot.post(act.personal_install(bot.connector.url, *who))
    yield bot


def etruscan(engine: Engine) -> int:
    with Session(engine) as session:
        found = session.exec(select(Setting).where(Setting.name == "Etruscan Primary School")).one()
        assert found.id is not None
        return found.id


async def seen_by(bot: Bot, who: tuple[str, str], text: str, timeout: float = 5.0) -> bool:
    """Whether ``text`` reached the person's personal chat (waiting a little for the sender)."""
    conversation = act.personal_conversation(who[0])
    for _ in range(int(timeout / 0.05)):
        if text in bot.connector.all_text(conversation):
            return True
        await __import__("asyncio").sleep(0.05)
    return False


async def planned_visit(bot: Bot, central: Engine) -> int:
    team = Flow(bot, TAC)
    listed = await team.card(verbs.QA_VISITS)
    assert shows(listed, "Plan a visit") and shows(listed, "Etruscan Primary School")
    planned = await team.card(
        verbs.QA_PLAN, {"setting_id": str(etruscan(central)), "planned_on": "2025-11-20", "visitors": "Theo Team"}
    )
    assert shows(planned, "Visit planned for 20 November 2025.")
    return int(find_action(planned, verbs.QA_RECORD)["data"]["visit_id"])


async def test_a_visit_is_recorded_seen_by_the_setting_acknowledged_and_its_action_nudged(
    installed: Bot, central: Engine, clock: FixedClock
) -> None:
    bot = installed
    visit = await planned_visit(bot, central)
    recorded = await Flow(bot, TAC).card(verbs.QA_RECORD, {"visit_id": visit, **REPORT})
    assert shows(recorded, "Report recorded and sent to the setting.") and shows(recorded, "Concern")

    assert await seen_by(bot, SENCO, "A quality-assurance visit's report")
    assert await seen_by(bot, CHAIR, "A concern from a quality-assurance visit")
    assert not await seen_by(bot, SENCO_2, "quality-assurance", timeout=0.2), "another setting hears nothing"
    assert not await seen_by(bot, ADMIN, "quality-assurance", timeout=0.2)

    sam = Flow(bot, SENCO)
    report = await sam.card(verbs.QA_OPEN, {"visit_id": visit})
    assert shows(report, "The language group runs three times a week") and shows(report, "Share the group's timetable")
    assert shows(report, "Please read the report and acknowledge it.")
    done = await sam.card(verbs.QA_ACKNOWLEDGE, {"visit_id": visit})
    assert shows(done, "Thank you: the report is acknowledged.") and shows(done, "Acknowledged by the setting on")
    again = await sam.card(verbs.QA_ACKNOWLEDGE, {"visit_id": visit})
    assert not shows(again, "Please read the report and acknowledge it.")
    assert await seen_by(bot, TAC, "has acknowledged the report of your visit")
    with Session(central) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)) if e.action.startswith("qa.")]
    assert actions == ["qa.plan", "qa.record", "qa.acknowledge"], "a doubled acknowledgement is not audited twice"

    # The action is due on 10 December: nudged from 3 December, once, to Sam and the team, and on the day.
    clock.set(datetime(2025, 12, 2, 8, 0, tzinfo=LONDON))
    assert owe_qa_nudges(central, clock.now()) == []
    clock.set(datetime(2025, 12, 3, 8, 0, tzinfo=LONDON))
    week_before = owe_qa_nudges(central, clock.now())
    assert len(week_before) == 2 and all(":before-7:" in key for key in week_before)
    assert owe_qa_nudges(central, clock.now()) == [], "a second run owes nothing more"
    with Session(central) as session:
        nudge = session.exec(select(Outbox).where(Outbox.key == week_before[0])).one()
    assert nudge.card is not None and shows(dict(nudge.card), "is due in 7 days (10 December 2025)")

    action = int(find_action(report, verbs.QA_ACTION_DONE)["data"]["action_id"])
    closed = await sam.card(verbs.QA_ACTION_DONE, {"action_id": action})
    assert shows(closed, "Action marked done.") and shows(closed, "Done")
    clock.set(datetime(2025, 12, 10, 8, 0, tzinfo=LONDON))
    assert owe_qa_nudges(central, clock.now()) == [], "a done action is nudged no more"


async def test_only_the_team_the_chair_officers_and_the_setting_see_a_report(installed: Bot, central: Engine) -> None:
    bot = installed
    visit = await planned_visit(bot, central)
    await Flow(bot, TAC).card(verbs.QA_RECORD, {"visit_id": visit, **REPORT})
    for who in (CHAIR, OFFICER, SENCO, TAC):
        assert shows(await Flow(bot, who).card(verbs.QA_OPEN, {"visit_id": visit}), "What was seen"), who
    for who in (ADMIN, SENCO_2):
        assert await Flow(bot, who).refused(verbs.QA_OPEN, {"visit_id": visit}) == NOT_FOR_YOU, who
    other_senco = await Flow(bot, SENCO_2).card(verbs.QA_VISITS)
    assert shows(other_senco, "No visits yet."), "another setting's SENCO does not even see the visit listed"
    assert await Flow(bot, CHAIR).refused(verbs.QA_ACKNOWLEDGE, {"visit_id": visit}) == (
        "Only the visited setting's SENCO acknowledges its quality-assurance report."
    )
    assert await Flow(bot, SENCO).refused(verbs.QA_RECORD, {"visit_id": visit, **REPORT}) == (
        "Only the team around the cluster plans and records quality-assurance visits to settings."
    )


async def test_a_report_with_mistakes_comes_back_with_each_beside_its_field(installed: Bot, central: Engine) -> None:
    bot = installed
    visit = await planned_visit(bot, central)
    bad = {**REPORT, "actions": "Share the timetable; Sam Senco", "follow_up_on": "2025-11-01"}
    form = await Flow(bot, TAC).card(verbs.QA_RECORD, {"visit_id": visit, **bad})
    assert beside(form, "actions")[1] == "Line 1: write each action as “what; owner; YYYY-MM-DD”."
    assert beside(form, "follow_up_on")[1] == "The follow-up must be after the visit."
    assert beside(form, "seen")[0] == REPORT["seen"], "what was typed is kept"
    with Session(central) as session:
        stored = session.get(QaVisit, visit)
    assert stored is not None and stored.recorded_at is None, "nothing is stored"
