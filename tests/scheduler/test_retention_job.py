"""The retention job is wired into the app's scheduler: nightly at 02:30 London time, under the leader."""

from __future__ import annotations

from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.http.app import create_app
from cluster.clock import LONDON, FixedClock
from cluster.commands.referrals import SaveDetails, StartReferral
from scheduler.runner import SCHEDULER
from store.models import AuditEvent, Referral
from tests.conftest import SENCO, TEST_NOW
from tests.support.referral_flow import GOOD_INDIVIDUAL
from usecases import referrals as uc
from usecases.people import identify


async def test_the_app_removes_expired_pupil_details_nightly_at_half_past_two(central: Engine) -> None:
    with Session(central) as session:
        sam = identify(session, *SENCO)
    draft = uc.start(
        central, sam, StartReferral(setting_id=uc.picker(sam)[0][0], kind="individual", once="k"), TEST_NOW
    )
    uc.save_details(central, sam, SaveDetails(referral_id=draft.id, answers=dict(GOOD_INDIVIDUAL)), TEST_NOW)
    clock = FixedClock(datetime(2026, 11, 21, 2, 30, tzinfo=LONDON))  # the abandoned draft's year is over
    app = create_app(Settings(CLUSTERBOT_ALLOW_NO_AUTH=True), clock=clock, engine=central)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        job = app[SCHEDULER].get_job("retention")
        assert job is not None and isinstance(job.trigger, CronTrigger)
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"], str(job.trigger.timezone)) == ("2", "30", "Europe/London")
        await job.func()  # as APScheduler calls it at 02:30
    finally:
        await client.close()
    with Session(central) as session:
        referral = session.get(Referral, draft.id)
        assert referral is not None and referral.erased_reason == "retention" and "pupil_ref" not in referral.details
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "pupil.erase")).all()
    assert (line.actor, line.subject) == ("scheduler", f"referral:{draft.id}")
