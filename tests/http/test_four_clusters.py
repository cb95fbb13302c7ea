"""Four clusters at once through the real endpoint: each cluster's people see only their own cluster.

Central (the shipped data) and the made-up North, South and West each have a SENCO, a second SENCO, a
delegate, a chair, an admin, a team member and an observer, a budget, a linked channel and a funded,
part-paid referral (tests/support/four_clusters.py). Everyone types every personal command and their
cluster's admin asks for the agenda in its channel; nothing anyone receives names another cluster, its
settings, its people or its referral references.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cards.menu import MENU
from cluster.clock import FixedClock
from cluster.permissions import SEE_BUDGET, SET_BUDGET
from cluster.provision import format_pence
from store.models import Budget
from tests.conftest import TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.four_clusters import ClusterScene, FourClusters, four_clusters
from tests.support.queries import count_queries
from tests.support.referral_flow import Flow, find_action, shows

# Officer-only commands say nothing of a cluster to anyone else (they are refused); they are typed anyway.
COMMANDS = [c.text for c in MENU]


@pytest.fixture
async def city(engine: Engine, connector: FakeConnector) -> AsyncIterator[tuple[Bot, FourClusters, Any]]:
    scene = four_clusters(engine, TEST_NOW, connector.url)
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=FixedClock(TEST_NOW), engine=engine
    )
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Bot(client, connector), scene, app
    await client.close()


def markers(cluster: ClusterScene) -> list[str]:
    """What would give away this cluster: its name, its settings, its people and its referral references."""
    return [
        cluster.name,
        *cluster.settings,
        *(m.name for m in cluster.people.values()),
        *cluster.references,
        f"{cluster.code}-",
    ]


def leaks(shown: str, scene: FourClusters, own: str) -> list[str]:
    """Every marker of another cluster in what someone of ``own`` received."""
    found = []
    for other in scene.others(own):
        for marker in markers(other):
            # Whole words: Central's "Northwood Broom Academy" does not name the North cluster.
            if re.search(rf"(?<![\w-]){re.escape(marker)}(?!\w)", shown):
                found.append(f"{other.name}: {marker}")
    return found


def sent_to(bot: Bot, conversation: str, since: int = 0) -> str:
    """What the bot said in one conversation (a channel's threads included): texts, cards and file offers.

    Not the envelope, which names whoever the bot answers (the person who typed).
    """
    calls = bot.connector.calls[since:]
    return " ".join(
        json.dumps([c.body.get("text"), c.body.get("attachments")], ensure_ascii=False)
        for c in calls
        if c.conversation_id.split(";")[0] == conversation
    )


async def say(bot: Bot, who: tuple[str, str], text: str) -> str:
    """Type in personal chat; everything the bot sent back there (cards, texts, file offers)."""
    before = len(bot.connector.calls)
    response = await bot.post(act.personal_message(bot.connector.url, *who, text))
    assert response.status == 200, await response.text()
    await bot.connector.wait_for(before + 1)
    return sent_to(bot, act.personal_conversation(who[0]), before)


async def in_channel(bot: Bot, app: Any, who: tuple[str, str], channel: str, text: str) -> str:
    """@mention the bot in a channel; everything then sent to that channel (the agenda comes from the outbox)."""
    before = len(bot.connector.calls)
    response = await bot.post(act.channel_message(bot.connector.url, *who, text, channel_id=channel))
    assert response.status == 200, await response.text()
    await app[NOTIFIER].drain()
    return sent_to(bot, channel, before)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_each_clusters_people_see_only_their_own_cluster_in_everything_they_type(
    city: tuple[Bot, FourClusters, Any],
) -> None:
    bot, scene, app = city
    for cluster in scene:
        seen: dict[str, str] = {}
        for key, member in cluster.people.items():
            for command in COMMANDS:
                shown = await say(bot, member.who, command)
                seen[f"{key} {command}"] = shown
                if command == "citywide":  # every cluster's figures, by design: but no referral, setting or person
                    for other in scene.others(cluster.name):
                        named = [other.reference, other.submitted_reference, *other.settings]
                        named += [p.name for p in other.people.values()]
                        assert not [n for n in named if n in shown], (cluster.name, key, "citywide")
                    continue
                leaked = leaks(shown, scene, cluster.name)
                assert not leaked, (cluster.name, key, command, leaked)
        # And they did see their own cluster's things, not empty cards.
        assert cluster.reference in seen["senco my referrals"]
        assert cluster.reference in seen["delegate my referrals"]
        assert cluster.submitted_reference in seen["admin referrals to check"]
        assert f"Budget: {cluster.name} cluster" in seen["admin budget"]
        assert format_pence(cluster.budget_total_pence) in seen["chair budget"]
        assert format_pence(cluster.paid_pence) in seen["team budget"]
        assert cluster.referring_setting in seen["admin settings"]
        assert cluster.name in seen["observer whoami"]
        assert cluster.name in seen["senco next meeting"]
        assert "Only a council officer" in seen["admin clusters"]
        assert all(c.name in seen["chair citywide"] for c in scene), "the chair sees the city for its meeting"
        assert "Only council officers, and the chairs" in seen["senco citywide"]
    await app[NOTIFIER].drain()


async def test_each_channel_gets_only_its_own_clusters_agenda_and_cards(
    city: tuple[Bot, FourClusters, Any],
) -> None:
    bot, scene, app = city
    for cluster in scene:
        shown = await in_channel(bot, app, cluster["admin"].who, cluster.channel, "agenda")
        assert cluster.reference in shown, f"{cluster.name}'s agenda names its funded referral"
        assert not leaks(shown, scene, cluster.name)
    # Another cluster's admin cannot have this cluster's agenda posted in its channel.
    north, central = scene["North"], scene["Central"]
    refused = await in_channel(bot, app, north["admin"].who, central.channel, "agenda")
    assert central.reference not in refused and not leaks(refused, scene, "North")
    await app[NOTIFIER].drain()
    for cluster in scene:
        everything = sent_to(bot, cluster.channel)
        assert cluster.reference in everything, f"{cluster.name}'s channel has its own cards"
        assert not leaks(everything, scene, cluster.name), leaks(everything, scene, cluster.name)


async def test_the_officer_sees_each_clusters_budget_typed_or_chosen_on_the_card(
    city: tuple[Bot, FourClusters, Any],
) -> None:
    bot, scene, _ = city
    officer = Flow(bot, scene.officer.who)
    first = await officer.card(verbs.BUDGET)
    assert shows(first, "Budget: Central cluster")
    for cluster in scene:
        typed = await say(bot, scene.officer.who, f"budget {cluster.name}")
        assert f"Budget: {cluster.name} cluster" in typed
        if cluster.name == "Central":
            card = first
        else:  # the button Central's card offers for this cluster
            chosen = find_action(first, verbs.BUDGET, cluster_id=cluster.cluster_id)
            card = await officer.card(verbs.BUDGET, chosen["data"])
        assert shows(card, f"Budget: {cluster.name} cluster")
        assert shows(card, format_pence(cluster.budget_total_pence)) and shows(card, format_pence(cluster.paid_pence))
        [chart] = [e for e in card["body"] if e["type"] == "Chart.Donut"]
        legends = [d["legend"] for d in chart["data"]]
        assert f"Paid: {format_pence(cluster.paid_pence)}" in legends
        assert f"Committed, not yet paid: {format_pence(cluster.amount_pence - cluster.paid_pence)}" in legends
        assert [i["type"] for i in chart["fallback"]["items"]] == ["TextBlock", "Table"], "a titled table"


async def test_a_budget_card_naming_another_cluster_is_refused_like_a_missing_role(
    city: tuple[Bot, FourClusters, Any], engine: Engine
) -> None:
    bot, scene, _ = city
    north, south = scene["North"], scene["South"]
    admin = Flow(bot, north["admin"].who)
    assert await admin.refused(verbs.BUDGET, {"cluster_id": south.cluster_id}) == SEE_BUDGET.refusal
    assert await admin.refused(verbs.BUDGET, {"cluster_id": 999_999}) == SEE_BUDGET.refusal
    typed = await say(bot, north["chair"].who, "budget South")
    assert SEE_BUDGET.refusal in typed and not leaks(typed, scene, "North")
    form = {"label": "2025/26", "starts": "2025-09-01", "ends": "2026-08-31", "baseline": "1"}
    assert await admin.refused(verbs.BUDGET_SET, {**form, "cluster_id": south.cluster_id}) == SEE_BUDGET.refusal
    assert await Flow(bot, north["chair"].who).refused(verbs.BUDGET_SET, form) == SET_BUDGET.refusal
    with Session(engine) as session:
        totals = {b.cluster_id: b.baseline_pence for b in session.exec(select(Budget))}
    assert totals[south.cluster_id] == 90_000_00, "South's budget is untouched"
    # The officer sets South's budget from South's card; the others stay as they were.
    officer = Flow(bot, scene.officer.who)
    south_card = await officer.card(verbs.BUDGET, {"cluster_id": south.cluster_id})
    save = find_action(south_card, verbs.BUDGET_SET)
    saved = await officer.card(verbs.BUDGET_SET, {**save["data"], **form, "baseline": "95000"})
    assert shows(saved, "Budget: South cluster") and shows(saved, "£95,000.00")
    with Session(engine) as session:
        after = {b.cluster_id: b.baseline_pence for b in session.exec(select(Budget))}
    assert after == {**totals, south.cluster_id: 95_000_00}


async def test_the_officers_clusters_card_lists_all_four(city: tuple[Bot, FourClusters, Any]) -> None:
    bot, scene, _ = city
    shown = await say(bot, scene.officer.who, "clusters")
    for cluster in scene:
        assert f"{cluster.name} ({cluster.code})" in shown


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_officers_budget_and_clusters_cards_cost_the_same_however_many_clusters(
    city: tuple[Bot, FourClusters, Any], engine: Engine
) -> None:
    bot, scene, _ = city
    officer = Flow(bot, scene.officer.who)
    costs = []
    for cluster in scene:
        with count_queries(engine) as counted:
            await officer.card(verbs.BUDGET, {"cluster_id": cluster.cluster_id})
        costs.append(counted.count)
    with count_queries(engine) as counted:
        await officer.card(verbs.CLUSTERS)
    four = counted.count
    await officer.card(verbs.CLUSTER_ADD, {"name": "East", "code": "EST", "settings": "East School"})
    with count_queries(engine) as counted:
        await officer.card(verbs.CLUSTERS)
    assert counted.count == four, "a fifth cluster costs no more queries"
    assert len(set(costs)) == 1, costs
