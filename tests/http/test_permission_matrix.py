"""Every card verb and every command, tried as every role, with the card's own ids and with forged ones.

The scene has two clusters: Central (where the people below hold their roles) and North (whose rows a
forged card names). For each verb and command the test says, from the permission table alone, whether
each person may use it on that row: a role the permission names, reaching the row (a SENCO or delegate
their own setting's rows, or their setting's cluster for cluster rows; a chair, admin, team member or
observer their cluster; a council officer everywhere). Refusals must be the permission's own sentence
(or the not-registered one for a stranger) and leave every table exactly as it was; everything allowed
must not be refused for who is asking. Refusals run first, so the allowed clicks cannot change the rows
the refusals are checked against. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from bot.actions.permissions import CHANNEL_PREFIX, COMMANDS, EVENTS, SEARCHES, TABLE, VERBS
from bot.config import Settings
from bot.http.app import NOTIFIER, create_app
from cards import verbs
from cluster import permissions as perms
from cluster.clock import FixedClock
from cluster.permissions import Permission, Rows
from cluster.roles import CITYWIDE_ROLES, SETTING_ROLES
from tests.conftest import Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.referral_flow import GOOD_DISCUSSION
from tests.support.snapshot import every_row as snapshot
from tests.support.two_clusters import NORTH_PEOPLE, NOW, PEOPLE, ClusterRows, Person, Scene, build_scene
from usecases.people import NOT_REGISTERED

CHANNEL_VERBS = frozenset(
    {
        verbs.MEETING_START,
        verbs.ITEM_OPEN,
        verbs.VOTE_CAST,
        verbs.VOTE_INTEREST,
        verbs.VOTE_REFRESH,
        verbs.ITEM_CLOSE,
        verbs.DECISION_FORM,
        verbs.DECISION_RECORD,
        verbs.MEETING_END,
        verbs.AGENDA_SHOW,
    }
)


# --- what each verb's card sends, and the row it names -----------------------------------------------------

Target = tuple[dict[str, Any], int | None, int | None]  # data, the row's cluster, the row's setting
Data = Callable[[ClusterRows], Target]
_keys = itertools.count()


def _referral(r: ClusterRows, **more: Any) -> Target:
    return {"referral_id": r.draft, **more}, r.cluster_id, r.setting_id


def _read(r: ClusterRows) -> Target:
    return {"referral_id": r.referral}, r.cluster_id, r.setting_id


def _item(r: ClusterRows, **more: Any) -> Target:
    return {"item_id": r.item, **more}, r.cluster_id, None


def _meeting(r: ClusterRows, key: str = "meeting") -> Target:
    meeting = r.meeting if key == "meeting" else r.later_meeting
    return {"meeting_id": meeting, f"day_{meeting}": "2026-03-03", f"link_{meeting}": ""}, r.cluster_id, None


def _review(r: ClusterRows) -> Target:
    return {"review_id": r.review}, r.cluster_id, r.setting_id


CRITERIA = ("strategic_fit", "quality_of_design", "deliverability", "value_for_money", "environmental_impact")


def _capital(r: ClusterRows, own_setting: bool = False, **more: Any) -> Target:
    """A capital application's card: a cluster's row, or (for the project's steps) its setting's too."""
    return {"referral_id": r.capital, **more}, r.cluster_id, r.setting_id if own_setting else None


def _none(_: ClusterRows) -> Target:
    return {}, None, None


DATA: dict[str, Data] = {
    verbs.HELP: _none,
    verbs.WHOAMI: _none,
    verbs.NEXT_MEETING: _none,
    verbs.REFERRAL_NEW: _none,
    verbs.REFERRAL_START: lambda r: (
        {"setting_id": r.setting_id, "kind": "discussion", "once": f"k{next(_keys)}"},
        r.cluster_id,
        r.setting_id,
    ),
    verbs.REFERRAL_OPEN: _read,
    verbs.REFERRAL_SAVE: lambda r: _referral(r, **GOOD_DISCUSSION),
    verbs.REFERRAL_ROWS: _referral,
    verbs.ROW_ADD: _referral,
    verbs.ROW_EDIT: lambda r: _referral(r, row_id=1),
    verbs.ROW_SAVE: lambda r: _referral(r, row_id=1),
    verbs.ROW_REMOVE: lambda r: _referral(r, row_id=1),
    verbs.ROW_FIND: lambda r: _referral(r, find="speech"),
    verbs.CONTRIBUTION_SAVE: lambda r: _referral(r, contribution="100"),
    verbs.DOCUMENTS: _referral,
    verbs.LINK_ADD: lambda r: _referral(r, link_name="Plan", link_url="https://council.sharepoint.com/plan"),
    verbs.DOCUMENT_REMOVE: lambda r: _referral(r, document_id=1),
    verbs.REVIEW: _referral,
    verbs.SUBMIT: lambda r: _referral(r, version=1),
    verbs.WITHDRAW: _referral,
    verbs.MY_REFERRALS: _none,
    verbs.TO_CHECK: _none,
    verbs.ACCEPT: _read,
    verbs.RETURN: lambda r: ({"referral_id": r.referral, "reason": "Missing plan"}, r.cluster_id, None),
    verbs.EXPORT: _read,
    verbs.MEETING_START: _meeting,
    verbs.ITEM_OPEN: _item,
    verbs.VOTE_CAST: lambda r: _item(r, choice="approve"),
    verbs.VOTE_INTEREST: _item,
    verbs.VOTE_REFRESH: _item,
    verbs.ITEM_CLOSE: _item,
    verbs.DECISION_FORM: _item,
    verbs.DECISION_RECORD: lambda r: _item(r, outcome="deferred", information_needed="More detail"),
    verbs.MEETING_END: _meeting,
    verbs.AGENDA_SHOW: _meeting,
    verbs.VOTE_REMIND: _item,
    verbs.HAND_OVER_FORM: _meeting,
    verbs.HAND_OVER: lambda r: ({"meeting_id": r.meeting, "person_id": r.panel_person}, r.cluster_id, None),
    verbs.MEETINGS: _none,
    verbs.MEETING_ADD: lambda r: ({"new_day": "2026-06-01", "new_start": "09:30", "new_end": "13:00"}, None, None),
    verbs.MEETING_MOVE: lambda r: _meeting(r, "later"),
    verbs.MEETING_CANCEL: lambda r: _meeting(r, "later"),
    verbs.MEETING_LINK: lambda r: _meeting(r, "later"),
    verbs.BUDGET: _none,
    verbs.BUDGET_SET: lambda r: (
        {"label": "2025/26", "starts": "2025-09-01", "ends": "2026-08-31", "baseline": "1000"},
        None,
        None,
    ),
    verbs.REVIEWS: _none,
    verbs.REVIEW_OPEN: _review,
    verbs.REVIEW_SUBMIT: _review,
    verbs.REVIEW_SNOOZE: _review,
    verbs.SETTINGS: _none,
    verbs.SETTINGS_SAVE: lambda r: ({f"mainstream_{r.setting_id}": "true"}, r.cluster_id, None),
    verbs.PAYMENTS: _none,
    verbs.PAYMENT_MARK: lambda r: (
        {"instalment_id": r.instalment, f"paid_on_{r.instalment}": "2025-11-20", f"reference_{r.instalment}": "B1"},
        r.cluster_id,
        None,
    ),
    verbs.DECISION_LETTER: lambda r: ({"decision_id": r.decision}, r.cluster_id, r.setting_id),
    verbs.CAPITAL: _none,
    verbs.CAPITAL_ROUND_SET: lambda r: (
        {
            "label": "2025/26",
            "total": "500000",
            "opens": "2025-09-01",
            "closes": "2025-12-31",
            "panel_by": "2026-01-30",
            "decisions_by": "2026-02-27",
            "complete_by": "2026-08-31",
            "evaluate_by": "2026-09-30",
        },
        None,
        None,
    ),
    verbs.CAPITAL_OPEN: lambda r: _capital(r),
    verbs.CAPITAL_SCORE: lambda r: _capital(r, **{f"score_{c}": "4" for c in CRITERIA}),
    verbs.CAPITAL_PANEL_CLOSE: lambda r: _capital(r),
    verbs.CAPITAL_RECOMMEND: lambda r: _capital(r, recommendation="recommend", reasons="Strong fit."),
    verbs.CAPITAL_PANEL: _none,
    verbs.CAPITAL_PANEL_ADD: lambda r: ({"person_id": r.panel_person}, r.cluster_id, None),
    verbs.CAPITAL_PANEL_REMOVE: lambda r: ({"person_id": r.panel_person}, r.cluster_id, None),
    verbs.CAPITAL_BOARD: lambda r: _capital(r, board="approve", amount="12000"),
    verbs.CAPITAL_STARTED: lambda r: _capital(r, True, started_on="2025-11-20"),
    verbs.CAPITAL_COMPLETED: lambda r: _capital(r, True, completed_on="2025-11-20"),
    verbs.CAPITAL_INVOICE: lambda r: _capital(r, True, invoice_amount="100"),
    verbs.CAPITAL_VISIT: lambda r: _capital(r, visitor="Team", visited_on="2025-11-20", passed="true"),
    verbs.CAPITAL_RELEASE: lambda r: _capital(r),
    verbs.CAPITAL_EVALUATE: lambda r: _capital(r, True, ehcp_pupils="1", pupils_weekly="2", what_changed="More."),
    verbs.CAPITAL_REPORT: _none,
    verbs.CITYWIDE: lambda r: ({"section": "referrals"}, None, None),
    verbs.CITYWIDE_EXPORT: _none,
    verbs.CLUSTERS: _none,
    verbs.PROVISION_DOCUMENTS: _none,
    verbs.FUNDING: _none,
    verbs.FUNDING_SET: lambda r: (
        {"label": "2025/26", "starts": "2025-09-01", "ends": "2026-08-31", "baseline": "1000"}
        | {"baseline_by": "settings", "uplift_by": "settings", "specialist_by": "settings", "reason": "Budget"},
        None,
        None,
    ),
    verbs.REGISTER_HERE: _meeting,
    verbs.REGISTER_APOLOGIES: _meeting,
    verbs.ROLL_CALL: _meeting,
    verbs.ROLL_CALL_MARK: lambda r: (
        {"meeting_id": r.meeting, "setting_id": r.setting_id, "presence": "present"},
        r.cluster_id,
        None,
    ),
    verbs.ROLL_CALL_ADD: lambda r: (
        {"meeting_id": r.meeting, "attendee_name": "Dial-in Guest", "attends_as": "other"},
        r.cluster_id,
        None,
    ),
    verbs.SUBSTITUTE_FORM: _meeting,
    verbs.SUBSTITUTE_NAME: lambda r: (
        {"meeting_id": r.meeting, "substitute_email": "stand.in@school.example", "substitute_name": "Sue Stand-in"},
        r.cluster_id,
        None,
    ),
    verbs.SUBSTITUTE_WITHDRAW: _meeting,
    verbs.SUBSTITUTE_CONFIRM: lambda r: ({"meeting_id": r.meeting, "setting_id": r.setting_id}, r.cluster_id, None),
    verbs.WHAT_WORKED: lambda r: ({"text": "speech", "area_of_need": "CI"}, None, None),
    verbs.WHAT_WORKED_SHARING: _none,
    verbs.WHAT_WORKED_SHARE: lambda r: ({"share": "on", "cluster_id": r.cluster_id}, r.cluster_id, None),
    verbs.QA_VISITS: _none,
    verbs.QA_PLAN: lambda r: (
        {"setting_id": str(r.setting_id), "planned_on": "2025-12-01", "visitors": "The team"},
        r.cluster_id,
        None,
    ),
    verbs.QA_OPEN: lambda r: ({"visit_id": r.qa_visit}, r.cluster_id, r.setting_id),
    verbs.QA_RECORD: lambda r: (
        {
            "visit_id": r.qa_visit,
            "visited_on": "2025-11-20",
            "visitors": "The team",
            "allocations": "The language group",
            "seen": "Running as planned.",
            "judgement": "developing",
            "actions": "Share the timetable; SENCO; 2025-12-10",
        },
        r.cluster_id,
        None,
    ),
    verbs.QA_ACKNOWLEDGE: lambda r: ({"visit_id": r.qa_visit}, r.cluster_id, r.setting_id),
    verbs.QA_ACTION_DONE: lambda r: ({"action_id": r.qa_action}, r.cluster_id, r.setting_id),
    verbs.CLUSTER_ADD: lambda r: (
        {"name": "East", "code": "EST", "settings": "East School", "meetings": "2026-02-05"},
        None,
        None,
    ),
}


def reaches(person: Person, permission: Permission, cluster: int | None, setting: int | None, scene: Scene) -> bool:
    """What the table says: the person holds a role it names, and that role reaches the row."""
    if permission.public:
        return True
    if person.role is None:
        return False
    if permission.roles is not None and person.role not in permission.roles:
        return False
    if cluster is None or person.role in CITYWIDE_ROLES:
        return True
    if person.role in SETTING_ROLES and permission.rows is Rows.SETTING:
        return setting is not None and scene.setting_of[person.setting or ""] == setting
    return cluster == scene.central.cluster_id  # everyone here holds their role in Central


def refusal_for(person: Person, permission: Permission) -> str:
    return NOT_REGISTERED.format(aad=person.who[0]) if person.role is None else permission.refusal


FORBIDDEN = {p.refusal for p in perms.ALL if p.refusal}


@pytest.fixture
async def world(engine: Engine, tmp_path: Path, connector: FakeConnector) -> AsyncIterator[tuple[Bot, Scene, Any]]:
    scene = build_scene(engine, tmp_path)
    app = create_app(
        Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False), clock=FixedClock(NOW), engine=engine
    )
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    for person in (*PEOPLE, *NORTH_PEOPLE):
        await bot.post(act.personal_install(connector.url, *person.who))
    admin = next(p for p in PEOPLE if p.key == "admin")
    await bot.post(act.team_install(connector.url, *admin.who))
    await bot.post(act.channel_message(connector.url, *admin.who, "link cluster Central"))
    await app[NOTIFIER].drain()
    yield bot, scene, app
    await client.close()


async def _click(bot: Bot, person: Person, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    conversation = None
    if verb in CHANNEL_VERBS:
        conversation = act.channel_conversation()
    activity = act.card_click(bot.connector.url, *person.who, verb, data, conversation=conversation)
    if conversation is not None:
        activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
    response = await bot.post(activity)
    assert response.status == 200, (verb, person.key, await response.text())
    body: dict[str, Any] = await response.json()
    return body


async def _say(bot: Bot, person: Person, command: str) -> list[str]:
    before = len(bot.connector.calls)
    if command.startswith(CHANNEL_PREFIX):
        activity = act.channel_message(bot.connector.url, *person.who, command[len(CHANNEL_PREFIX) :])
    else:
        activity = act.personal_message(bot.connector.url, *person.who, command)
    response = await bot.post(activity)
    assert response.status == 200
    await bot.connector.wait_for(before + 1)
    return [c.text or "" for c in bot.connector.calls[before:]]


def _command_cases(scene: Scene) -> list[tuple[str, str, Permission, int | None, int | None]]:
    """(command key, text to say, permission, the cluster and setting the text names)."""
    cases = []
    for key, permission in COMMANDS.items():
        if key == "export":
            for rows in (scene.central, scene.north):
                cases.append((key, f"export {rows.reference}", permission, rows.cluster_id, rows.setting_id))
        elif key == CHANNEL_PREFIX + "link cluster":
            cases.append((key, key + " Central", permission, scene.central.cluster_id, None))
            cases.append((key, key + " North", permission, scene.north.cluster_id, None))
        elif key == "finance":  # citywide, or one cluster named after it
            cases.append((key, key, permission, None, None))
            cases.append((key, "finance Central", permission, scene.central.cluster_id, None))
            cases.append((key, "finance North", permission, scene.north.cluster_id, None))
        else:
            cases.append((key, key, permission, None, None))
    return cases


def test_every_verb_and_command_has_a_row_and_every_row_is_tried() -> None:
    assert set(VERBS) == set(verbs.ALL), "every verb in cards/verbs.py has a row in the permission table"
    assert set(DATA) == set(verbs.ALL), "and this test tries each of them"
    assert set(TABLE) == set(VERBS) | set(COMMANDS) | set(EVENTS) | set(SEARCHES)
    assert set(EVENTS) == set(TEAMS_EVENTS), "and each event Teams sends is tried below"
    assert set(SEARCHES) == set(SEARCH_DATASETS), "and each search a card asks for is tried below"


async def test_every_role_is_allowed_or_refused_as_the_table_says(
    world: tuple[Bot, Scene, Any], engine: Engine
) -> None:
    bot, scene, app = world
    cases: list[tuple[bool, Person, str, Callable[[], Any], str]] = []
    for verb, build in DATA.items():
        permission = VERBS[verb]
        for rows in (scene.central, scene.north):
            data, cluster, setting = build(rows)
            if rows is scene.north and cluster is None:
                continue  # nothing on the card to forge
            for person in PEOPLE:
                allowed = reaches(person, permission, cluster, setting, scene)
                label = f"{verb} as {person.key} on {'North' if rows is scene.north else 'Central'}"
                cases.append((allowed, person, label, lambda p=person, v=verb, d=data: _click(bot, p, v, d), "verb"))
    for key, said, permission, cluster, setting in _command_cases(scene):
        for person in PEOPLE:
            allowed = reaches(person, permission, cluster, setting, scene)
            label = f"'{said}' as {person.key}"
            cases.append((allowed, person, label, lambda p=person, s=said: _say(bot, p, s), key))

    # Refusals first: each leaves every table as it was.
    refused = [c for c in cases if not c[0]]
    assert len(refused) > 200
    for _, person, label, act_, key in refused:
        permission = TABLE[label.split(" as ")[0]] if key == "verb" else TABLE[key]
        before = snapshot(engine)
        answer = await act_()
        await app[NOTIFIER].drain()
        shown = str(answer["value"]) if isinstance(answer, dict) else " | ".join(answer)
        assert refusal_for(person, permission) in shown, f"{label}: expected a refusal, got {shown[:300]}"
        assert snapshot(engine) == before, f"{label}: a refusal changed the database"

    allowed = [c for c in cases if c[0]]
    assert len(allowed) > 100
    # A council officer's "link cluster North" moves the channel to North: channel commands that act on
    # the channel's cluster (Central's, for Central's people) run before it.
    allowed.sort(key=lambda c: c[4] == CHANNEL_PREFIX + "link cluster")
    for _, _person, label, act_, _key in allowed:
        answer = await act_()
        shown = [str(answer["value"])] if isinstance(answer, dict) else answer
        if isinstance(answer, dict) and answer.get("type") == "application/vnd.microsoft.card.adaptive":
            continue
        assert not any(s in FORBIDDEN or s.startswith("You are not registered") for s in shown), (
            f"{label}: refused although the table allows it: {shown}"
        )


# --- what Teams itself tells the bot: no person sends these, and one for a channel not linked does nothing ------

TEAMS_EVENTS: dict[str, Callable[[str, tuple[str, str], str], dict[str, Any]]] = {
    "application/vnd.microsoft.meetingStart": lambda url, who, channel: act.meeting_start(url, who, channel),
    "application/vnd.microsoft.meetingEnd": lambda url, who, channel: act.meeting_end(url, who, channel),
    "application/vnd.microsoft.meetingParticipantJoin": lambda url, who, channel: act.meeting_participants(
        url, True, who, channel_id=channel
    ),
    "application/vnd.microsoft.meetingParticipantLeave": lambda url, who, channel: act.meeting_participants(
        url, False, who, channel_id=channel
    ),
}


async def test_every_teams_event_is_teams_own_and_one_for_a_channel_not_linked_changes_nothing(
    world: tuple[Bot, Scene, Any], engine: Engine
) -> None:
    bot, _, app = world
    for name, permission in EVENTS.items():
        assert permission is perms.TEAMS_MEETING and permission.public, name
        for person in PEOPLE:
            before, sent = snapshot(engine), len(bot.connector.calls)
            response = await bot.post(TEAMS_EVENTS[name](bot.connector.url, person.who, "19:not-linked@thread.tacv2"))
            await app[NOTIFIER].drain()
            assert response.status == 200, (name, person.key)
            assert snapshot(engine) == before, f"{name} from {person.key}: a channel not linked changed the database"
            assert len(bot.connector.calls) == sent, f"{name} from {person.key}: someone was told something"


async def test_a_draft_is_the_schools_own_until_it_is_submitted(world: tuple[Bot, Scene, Any]) -> None:
    bot, scene, _ = world
    for key in ("admin", "team"):
        person = next(p for p in PEOPLE if p.key == key)
        for verb in (verbs.REFERRAL_OPEN, verbs.EXPORT):
            answer = await _click(bot, person, verb, {"referral_id": scene.central.draft})
            assert answer["value"] == perms.READ_REFERRAL.refusal, (key, verb)
        answer = await _click(bot, person, verbs.REFERRAL_OPEN, {"referral_id": scene.central.referral})
        assert answer["type"] == "application/vnd.microsoft.card.adaptive", (
            "submitted: the cluster's admin and team read it"
        )


def test_the_readme_shows_the_permission_table_as_it_is() -> None:
    from bot.actions.permissions import as_markdown

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert as_markdown() in readme, "README is out of date: run scripts/permission_table.py"


# --- searches a card's choice asks for as a person types: answered for the roles named, refused for the rest ------

SEARCH_DATASETS = {"search:provision": "provision:1"}  # a document's id: none is loaded here, so nothing is found


async def test_every_search_is_answered_or_refused_as_the_table_says(
    world: tuple[Bot, Scene, Any], engine: Engine
) -> None:
    bot, scene, app = world
    for key, permission in SEARCHES.items():
        for person in PEOPLE:
            before = snapshot(engine)
            activity = act.search(bot.connector.url, *person.who, SEARCH_DATASETS[key], "speech")
            response = await bot.post(activity)
            body = await response.json()
            await app[NOTIFIER].drain()
            allowed = reaches(person, permission, None, None, scene)
            if allowed:
                assert response.status == 200 and body["type"] == "application/vnd.microsoft.search.searchResponse"
            else:
                assert response.status == 403, (key, person.key)
                assert refusal_for(person, permission) in body["value"]["message"], (key, person.key)
            assert snapshot(engine) == before, f"{key} as {person.key}: a search changed the database"
