"""The agenda job, called directly with `now`: posts each agenda once, five working days before its meeting.

Runs on SQLite and PostgreSQL; the poster stands in for Teams and records what it was asked to post.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.meetings import agenda_due, working_days_before
from scheduler.jobs import post_due_agendas
from store import meeting_day as md
from store import referrals as uc
from store.models import Cluster, ConversationRef
from store.roster import import_entries
from store.seed import CENTRAL, seed_file
from store.usecases import identify
from tests.conftest import ADMIN, ROSTER, SENCO
from tests.support.referral_flow import GOOD_DISCUSSION

NOV_20 = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


class RecordingPoster:
    """Records posts as the channel would receive them, keyed like ChannelCards."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.posts: list[tuple[str, str, dict[str, Any]]] = []

    async def post(self, key: str, channel: str, card: dict[str, Any], thread_of: str | None = None) -> None:
        self.posts.append((key, channel, card))
        md.remember_post(self.engine, key, channel, f"activity-{len(self.posts)}", NOV_20)


@pytest.fixture
def linked(engine: Engine) -> Engine:
    seed_file(engine, CENTRAL, NOV_20)
    import_entries(engine, ROSTER, NOV_20, "test")
    with Session(engine) as session:
        cluster = session.exec(select(Cluster)).one()
        session.add(
            ConversationRef(
                conversation_id="19:central@thread.tacv2",
                kind="channel",
                service_url="https://smba.example/uk/",
                cluster_id=cluster.id,
                reference={},
                updated_at=NOV_20,
            )
        )
        session.commit()
        sam, admin = identify(session, *SENCO), identify(session, *ADMIN)
    draft = uc.start(engine, sam, uc.picker(engine, sam)[0][0], "discussion", "k", NOV_20)
    uc.save_details(engine, sam, draft.id, GOOD_DISCUSSION, NOV_20)
    uc.submit(engine, sam, draft.id, uc.open_for_edit(engine, sam, draft.id, NOV_20).version, NOV_20)
    uc.accept(engine, admin, draft.id, NOV_20)
    return engine


def test_five_working_days_before_a_thursday_is_the_thursday_before() -> None:
    assert working_days_before(date(2025, 12, 11), 5) == date(2025, 12, 4)
    assert working_days_before(date(2025, 12, 8), 1) == date(2025, 12, 5), "Monday's one working day back is Friday"


async def test_the_agenda_is_posted_once_from_five_working_days_before_the_meeting(linked: Engine) -> None:
    poster = RecordingPoster(linked)
    assert await post_due_agendas(linked, poster, datetime(2025, 12, 3, 18, 0, tzinfo=LONDON)) == []
    posted = await post_due_agendas(linked, poster, datetime(2025, 12, 4, 7, 0, tzinfo=LONDON))
    assert posted == [2]
    [(key, channel, card)] = poster.posts
    assert key == "agenda:2" and channel == "19:central@thread.tacv2"
    assert "CEN-2526-001" in str(card) and "ETR-" not in str(card)
    assert await post_due_agendas(linked, poster, datetime(2025, 12, 4, 7, 5, tzinfo=LONDON)) == [], "not twice"


async def test_a_run_missed_while_the_bot_was_down_still_posts_the_agenda(linked: Engine) -> None:
    poster = RecordingPoster(linked)
    assert await post_due_agendas(linked, poster, datetime(2025, 12, 10, 9, 0, tzinfo=LONDON)) == [2]


async def test_no_agenda_is_posted_for_a_cluster_without_a_linked_channel(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOV_20)
    poster = RecordingPoster(engine)
    assert await post_due_agendas(engine, poster, datetime(2025, 12, 5, 9, 0, tzinfo=LONDON)) == []


def test_an_agenda_is_not_due_once_its_meeting_is_over() -> None:
    from tests.unit.test_rules import slot

    meeting = slot(date(2025, 12, 11))
    assert agenda_due(meeting, datetime(2025, 12, 11, 12, 0, tzinfo=LONDON))
    assert not agenda_due(meeting, datetime(2025, 12, 11, 13, 0, tzinfo=LONDON))
