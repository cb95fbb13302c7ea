"""The bot in a team channel: installed, @mentioned, linked to a cluster by its admin."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import FixedClock
from cluster.permissions import LINK_CHANNEL
from cluster.roles import Role
from store.models import AuditEvent, Cluster, ConversationRef
from store.seed import seed_file
from tests.conftest import ADMIN, CHAIR, SENCO, STRANGER, Bot
from tests.support import activities as act
from tests.support.two_clusters import NORTH
from usecases.roster import Entry, import_entries


def channel_ref(engine: Engine) -> ConversationRef:
    with Session(engine) as session:
        return session.exec(select(ConversationRef).where(ConversationRef.kind == "channel")).one()


async def test_installing_in_a_team_stores_the_channel_reference_and_posts_a_welcome(bot: Bot, central: Engine) -> None:
    response = await bot.post(act.team_install(bot.connector.url, *ADMIN))
    assert response.status == 200
    [call] = await bot.connector.wait_for(1)
    assert call.conversation_id == act.CHANNEL_ID
    assert "not linked to a cluster yet" in str(call.cards)
    ref = channel_ref(central)
    assert ref.team_id == act.TEAM_ID and ref.channel_id == act.CHANNEL_ID and ref.cluster_id is None


async def test_a_mention_is_parsed_after_the_bots_name_is_removed(bot: Bot) -> None:
    await bot.post(act.channel_message(bot.connector.url, *SENCO, "help"))
    [call] = await bot.connector.wait_for(1)
    assert "Cluster funding in this channel" in str(call.cards)


async def test_an_admin_links_the_channel_to_their_cluster_from_inside_it(bot: Bot, central: Engine) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link cluster Central"))
    calls = await bot.connector.wait_for(2)
    assert "Linked to the Central cluster" in str(calls[1].cards)
    with Session(central) as session:
        central_id = session.exec(select(Cluster.id).where(Cluster.name == "Central")).one()
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "channel.link")).one()
    assert channel_ref(central).cluster_id == central_id
    assert audit.actor.startswith("person:")
    await bot.post(act.channel_message(bot.connector.url, *SENCO, "help"))
    calls = await bot.connector.wait_for(3)
    assert "linked to the Central cluster" in str(calls[2].cards)


async def test_a_chair_cannot_link_a_channel_and_is_told_who_can(bot: Bot, central: Engine) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *CHAIR, "link cluster Central"))
    calls = await bot.connector.wait_for(2)
    assert calls[1].text == LINK_CHANNEL.refusal
    assert channel_ref(central).cluster_id is None


async def test_an_unregistered_user_cannot_link_a_channel(bot: Bot, central: Engine) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *STRANGER, "link cluster Central"))
    calls = await bot.connector.wait_for(2)
    assert "not registered" in calls[1].text and STRANGER[0] in calls[1].text
    assert channel_ref(central).cluster_id is None


async def test_linking_an_unknown_cluster_names_the_clusters_there_are(bot: Bot) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link cluster Nowhere"))
    calls = await bot.connector.wait_for(2)
    assert calls[1].text == "There is no cluster called 'nowhere'. Clusters: Central."


async def test_unknown_text_in_a_channel_gets_a_hint(bot: Bot) -> None:
    await bot.post(act.channel_message(bot.connector.url, *SENCO, "what is this"))
    [call] = await bot.connector.wait_for(1)
    assert "didn't understand" in call.text


async def test_removing_the_bot_from_a_team_marks_the_reference_uninstalled(bot: Bot, central: Engine) -> None:
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    removal = act.team_install(bot.connector.url, *ADMIN)
    removal["membersRemoved"] = removal.pop("membersAdded")
    await bot.post(removal)
    assert channel_ref(central).installed is False


NORTH_ADMIN = ("aad-north-admin", "Nia North")
OFFICER = ("aad-officer", "Olu Officer")


def _add_north(engine: Engine, tmp_path: Path, now: datetime) -> None:
    """A second cluster, North, with its own admin, and a council officer for the city."""
    north = tmp_path / "north.json"
    north.write_text(json.dumps(NORTH))
    seed_file(engine, north, now)
    import_entries(
        engine,
        [
            Entry(NORTH_ADMIN[1], None, NORTH_ADMIN[0], Role.ADMIN, "North", None),
            Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None),
        ],
        now,
        "test",
    )


async def _linked_to_central(bot: Bot, central: Engine, tmp_path: Path, clock: FixedClock) -> None:
    _add_north(central, tmp_path, clock.now())
    await bot.post(act.team_install(bot.connector.url, *ADMIN))
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link cluster Central"))
    await bot.connector.wait_for(2)


def _linked_name(engine: Engine) -> str | None:
    with Session(engine) as session:
        cluster_id = channel_ref(engine).cluster_id
        cluster = session.get(Cluster, cluster_id) if cluster_id else None
        return cluster.name if cluster else None


async def test_another_clusters_admin_cannot_take_a_linked_channel_and_is_told_who_can(
    bot: Bot, central: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    await _linked_to_central(bot, central, tmp_path, clock)
    await bot.post(act.channel_message(bot.connector.url, *NORTH_ADMIN, "link cluster North"))
    calls = await bot.connector.wait_for(3)
    assert calls[2].text == (
        "This channel is the Central cluster's channel: only an admin of Central or a council officer "
        "can link it to another cluster."
    )
    assert _linked_name(central) == "Central"
    with Session(central) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "channel.link")).all()) == 1


async def test_the_linked_clusters_admin_may_relink_its_channel_only_to_a_cluster_they_admin(
    bot: Bot, central: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    await _linked_to_central(bot, central, tmp_path, clock)
    await bot.post(act.channel_message(bot.connector.url, *ADMIN, "link cluster North"))
    calls = await bot.connector.wait_for(3)
    assert calls[2].text == LINK_CHANNEL.refusal  # Central's admin is not North's
    assert _linked_name(central) == "Central"


async def test_a_council_officer_may_relink_a_channel_to_another_cluster(
    bot: Bot, central: Engine, tmp_path: Path, clock: FixedClock
) -> None:
    await _linked_to_central(bot, central, tmp_path, clock)
    await bot.post(act.channel_message(bot.connector.url, *OFFICER, "link cluster North"))
    calls = await bot.connector.wait_for(3)
    assert "Linked to the North cluster" in str(calls[2].cards)
    assert _linked_name(central) == "North"
    with Session(central) as session:
        line = session.exec(select(AuditEvent).where(AuditEvent.action == "channel.link")).all()[-1]
    assert line.subject == "cluster:North" and line.detail["previous"] == "Central"
