"""The quality-assurance visits' job: what has come is owed and delivered; a second run owes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON, FixedClock
from scheduler.jobs import qa_nudges_and_deliver
from store.models import Outbox, QaAction, QaVisit, Setting
from tests.support.both_databases import seeded_central

RECORDED = datetime(2026, 1, 12, 10, 0, tzinfo=LONDON)


class Sender:
    """Counts the times it was asked to deliver."""

    def __init__(self) -> None:
        self.asked = 0

    async def deliver_due(self) -> Any:
        self.asked += 1


def recorded_visit(engine: Engine) -> None:
    """A report recorded for Etruscan with one action due 2 February and a follow-up on 1 March."""
    with Session(engine) as session:
        setting = session.exec(select(Setting).where(Setting.name == "Etruscan Primary School")).one()
        visit = QaVisit(
            cluster_id=setting.cluster_id,
            setting_id=setting.id or 0,
            planned_on=date(2026, 1, 12),
            visitors="Theo Team",
            planned_by=1,
            visited_on=date(2026, 1, 12),
            judgement="developing",
            follow_up_on=date(2026, 3, 1),
            recorded_at=RECORDED,
        )
        session.add(visit)
        session.flush()
        session.add(QaAction(visit_id=visit.id or 0, what="Share the timetable", owner="Sam", due_on=date(2026, 2, 2)))
        session.commit()


def owed(engine: Engine, prefix: str) -> list[str]:
    with Session(engine) as session:
        return sorted(k for k in session.exec(select(Outbox.key)) if k.startswith(prefix))


async def test_the_job_owes_the_week_before_nudge_then_the_follow_up_and_delivers_them(
    engine: Engine, clock: FixedClock
) -> None:
    central = seeded_central(engine, clock)
    recorded_visit(central)
    sender = Sender()
    assert await qa_nudges_and_deliver(central, sender, datetime(2026, 1, 25, 7, 0, tzinfo=LONDON)) == []
    assert sender.asked == 0, "nothing owed, nothing to deliver"

    week_before = await qa_nudges_and_deliver(central, sender, datetime(2026, 1, 26, 7, 0, tzinfo=LONDON))
    assert week_before and all(":before-7:person:" in key for key in week_before) and sender.asked == 1
    assert await qa_nudges_and_deliver(central, sender, datetime(2026, 1, 26, 9, 0, tzinfo=LONDON)) == []

    await qa_nudges_and_deliver(central, sender, datetime(2026, 3, 1, 7, 0, tzinfo=LONDON))
    assert owed(central, "qa-follow-up:"), "the team is nudged on the follow-up date"
    assert any(":late-" in key for key in owed(central, "qa-action:")), "the action is late by then"
