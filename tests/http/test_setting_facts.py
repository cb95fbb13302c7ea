"""The Capital Fund's eligibility through the real endpoint: the admin's settings card, and intake refusing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from cards import verbs
from cluster.clock import FixedClock
from cluster.roles import Role
from store.models import AuditEvent, Referral, Setting
from store.seed import seed_file
from tests.conftest import ADMIN, CHAIR, SENCO, Bot
from tests.support.referral_flow import GOOD_CAPITAL, Flow, find_action, shows
from usecases.roster import Entry, import_entries

MERIT_SENCO = ("aad-senco-merit", "Mo Merit")
NOT_AN_ADMIN = "Only a cluster's admin can change its settings' Capital Fund facts."
NORTH_ADMIN = ("aad-admin-north", "Nell North")
NORTH = {
    "cluster": {"name": "North", "code": "NTH"},
    "settings": [{"name": "Burslem Primary School"}, {"name": "Tunstall Special School", "mainstream": False}],
}


@pytest.fixture
def two_clusters(central: Engine, clock: FixedClock, tmp_path: Path) -> Engine:
    path = tmp_path / "north.json"
    path.write_text(json.dumps(NORTH), encoding="utf-8")
    seed_file(central, path, clock.now())
    import_entries(
        central,
        [
            Entry(NORTH_ADMIN[1], "nell@stoke.example", NORTH_ADMIN[0], Role.ADMIN, "North", None),
            Entry(
                MERIT_SENCO[1], "mo@merit.example", MERIT_SENCO[0], Role.SENCO, "Central", "Merit Pupil Referral Unit"
            ),
        ],
        clock.now(),
        "test",
    )
    return central


def facts(engine: Engine) -> dict[str, tuple[bool, bool]]:
    with Session(engine) as session:
        return {s.name: (s.mainstream, s.received_hncg) for s in session.exec(select(Setting))}


def setting_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Setting).where(Setting.name == name)).one()
        assert found.id is not None
        return found.id


def toggles(node: Any) -> dict[str, str]:
    """What Teams sends back for the card's toggles when nobody changes them."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        if node.get("type") == "Input.Toggle":
            found[node["id"]] = node["value"]
        for value in node.values():
            found.update(toggles(value))
    elif isinstance(node, list):
        for value in node:
            found.update(toggles(value))
    return found


def audited(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "setting.capital_facts")
        ).one()


async def test_the_admin_sees_their_clusters_settings_and_saves_a_change(bot: Bot, two_clusters: Engine) -> None:
    admin = Flow(bot, ADMIN)
    card = await admin.card(verbs.SETTINGS)
    sent = toggles(card)
    merit, haywood = setting_id(two_clusters, "Merit Pupil Referral Unit"), setting_id(two_clusters, "Haywood Academy")
    assert len(sent) == 2 * 29, "both facts of each of Central's 29 settings, and none of North's"
    assert sent[f"mainstream_{merit}"] == "false" and sent[f"hncg_{haywood}"] == "false"
    assert not shows(card, "Burslem Primary School")

    saved = await admin.card(verbs.SETTINGS_SAVE, {**sent, f"hncg_{haywood}": "true"})
    assert shows(saved, "Saved: Haywood Academy.")
    assert toggles(saved)[f"hncg_{haywood}"] == "true"
    assert facts(two_clusters)["Haywood Academy"] == (True, True)
    assert audited(two_clusters) == 1

    again = await admin.card(verbs.SETTINGS_SAVE, toggles(saved))
    assert shows(again, "Nothing had changed.") and audited(two_clusters) == 1


async def test_a_forged_id_of_another_clusters_setting_is_refused_and_nothing_changes(
    bot: Bot, two_clusters: Engine
) -> None:
    admin = Flow(bot, ADMIN)
    sent = toggles(await admin.card(verbs.SETTINGS))
    haywood, burslem = setting_id(two_clusters, "Haywood Academy"), setting_id(two_clusters, "Burslem Primary School")
    before = facts(two_clusters)
    refusal = await admin.refused(
        verbs.SETTINGS_SAVE, {**sent, f"hncg_{haywood}": "true", f"mainstream_{burslem}": "false"}
    )
    assert refusal == "Only a cluster's admin can change its settings' Capital Fund facts."
    assert facts(two_clusters) == before, "not even the admin's own setting changed"
    assert audited(two_clusters) == 0
    unknown = await admin.refused(verbs.SETTINGS_SAVE, {"mainstream_999999": "false"})
    assert unknown.startswith("This card is out of date.")
    assert await admin.refused(verbs.SETTINGS_SAVE, {f"hncg_{haywood}": "maybe"}) == unknown
    assert facts(two_clusters) == before


async def test_only_an_admin_may_see_or_save_the_settings_card(bot: Bot, two_clusters: Engine) -> None:
    haywood = setting_id(two_clusters, "Haywood Academy")
    for who in (CHAIR, SENCO):
        flow = Flow(bot, who)
        assert (
            await flow.refused(verbs.SETTINGS) == "Only a cluster's admin can change its settings' Capital Fund facts."
        )
        assert await flow.refused(verbs.SETTINGS_SAVE, {f"hncg_{haywood}": "true"}) == (
            "Only a cluster's admin can change its settings' Capital Fund facts."
        )
    north = Flow(bot, NORTH_ADMIN)
    assert shows(await north.card(verbs.SETTINGS), "Tunstall Special School")
    assert await north.refused(verbs.SETTINGS_SAVE, {f"hncg_{haywood}": "true"}) == (
        "Only a cluster's admin can change its settings' Capital Fund facts."
    )
    assert facts(two_clusters)["Haywood Academy"] == (True, False)


async def test_the_admin_types_settings_in_personal_chat(bot: Bot, two_clusters: Engine) -> None:
    await Flow(bot, ADMIN).say("settings")
    [call] = await bot.connector.wait_for(1)
    assert "Settings: Central cluster" in call.all_json() and "Merit Pupil Referral Unit" in call.all_json()


async def test_a_setting_that_is_not_mainstream_is_refused_when_it_picks_the_capital_fund(
    bot: Bot, two_clusters: Engine
) -> None:
    mo = Flow(bot, MERIT_SENCO)
    picker = await mo.card(verbs.REFERRAL_NEW)
    start = find_action(picker, verbs.REFERRAL_START, kind="capital")
    refusal = await mo.refused(verbs.REFERRAL_START, start["data"])
    assert refusal == (
        "Merit Pupil Referral Unit is not a mainstream setting, so it cannot apply to the Capital Fund: "
        "the fund is for mainstream settings."
    )
    with Session(two_clusters) as session:
        assert session.exec(select(func.count()).select_from(Referral)).one() == 0


async def test_after_the_admin_records_hncg_funding_the_setting_cannot_start_a_capital_draft(
    bot: Bot, two_clusters: Engine
) -> None:
    etruscan = setting_id(two_clusters, "Etruscan Primary School")
    admin = Flow(bot, ADMIN)
    await admin.card(verbs.SETTINGS_SAVE, {f"hncg_{etruscan}": "true"})
    sam = Flow(bot)
    start = find_action(await sam.card(verbs.REFERRAL_NEW), verbs.REFERRAL_START, kind="capital")
    refusal = await sam.refused(verbs.REFERRAL_START, start["data"])
    assert refusal.startswith("Etruscan Primary School already received High Needs Capital Grant funding")


async def test_a_second_capital_application_is_refused_at_submit_naming_the_first(bot: Bot, central: Engine) -> None:
    sam = Flow(bot)
    first, _ = await sam.start("capital")
    second, _ = await sam.start("capital")
    for referral_id in (first, second):
        await sam.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_CAPITAL})
    submitted = await sam.card(verbs.SUBMIT, {"referral_id": first, "version": await sam.version(first)})
    assert shows(submitted, "CEN-2526-001")
    refusal = await sam.refused(verbs.SUBMIT, {"referral_id": second, "version": await sam.version(second)})
    assert refusal.startswith(
        "Etruscan Primary School already has a Capital Fund application, CEN-2526-001, which is submitted and "
        "waiting for the admin's check."
    )
    with Session(central) as session:
        assert session.get(Referral, second).state == "draft"  # type: ignore[union-attr]
