"""Hostile activities, made up by hypothesis, posted to the real /api/messages (no-auth mode).

What every payload must get:

* never a server error: no 5xx answer (but 501, the answer to an invoke name the bot does not handle),
  and no apology (a turn that failed unexpectedly answers 200 with an ``ERR-`` reference and logs the
  error on ``clusterbot.errors``; that is a 500 in disguise, so it counts as one);
* when it was refused, an unchanged database.

"Refused" means: the HTTP answer was 4xx or 501 (the body was never an activity the bot handles), or the
turn ended in a :class:`~cluster.errors.Refusal` (the sentence a person reads: a role check, an id that is
not an id, a form in the wrong chat), or a button that sent nothing the bot recognises. A refusal must
change nothing, with one exception the bot makes on purpose: a message from a conversation it has not
seen learns that conversation first (its ``conversation_ref`` row and the ``conversation.install`` audit
line), so a reply can reach it later. Everything else is compared row for row, every table, before and
after. A handler that catches a Refusal itself and answers with a card showing the sentence (a form field's
error) is not counted as refused, so the comparison is not made for it.

CI runs 200 examples, derandomized so every run posts the same payloads; ``scripts/fuzz`` runs the same
test with ``FUZZ_EXAMPLES`` (10,000 or more) and prints the figure.

The ``bot`` fixture's server runs on the test's event loop; hypothesis drives it from a worker thread
(``asyncio.to_thread``), each example posting through ``run_coroutine_threadsafe`` onto that loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from bot.http.app import BOT, NOTIFIER
from bot.teams.cluster_bot import UNRECOGNISED_BUTTON
from bot.teams.connector import ConnectorError
from cards import verbs
from cluster.card_ids import CARD_ID_KEYS
from cluster.errors import Refusal
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, STRANGER, TAC, Bot
from tests.support import activities as act

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
SERVICE_URL = "http://127.0.0.1:{port}/"  # filled in with the fake connector's port

# --- what the payloads are made of ----------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, 1, 2, 3, -1, 2**31 - 1, 2**31, 2**63, 2**64, 10**400])
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", "1", "2", "abc", "9" * 5000, "\u0661", "\u00b2", "1e3", "<at>x</at>", "null"])
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
PEOPLE = st.sampled_from([SENCO, SENCO_2, CHAIR, ADMIN, TAC, STRANGER]) | st.tuples(
    st.text(max_size=20), st.text(max_size=20)
)
VERB = st.sampled_from(sorted(verbs.ALL)) | st.text(max_size=20)
INPUT_KEYS = [
    *sorted(CARD_ID_KEYS),
    "amount", "casting", "choice", "conditions", "draw_on_reserve", "feedback", "information_needed", "kind",
    "once", "outcome", "reason", "review_date", "schedule", "version", "contribution", "link_name", "link_url",
    "new_day", "new_start", "new_end", "new_title", "new_link", "label", "starts", "ends", "baseline", "uplift",
    "specialist", "reserve", "year_group", "primary_need", "day_1", "link_1", "verb",
]  # fmt: skip
CARD_VALUE = (
    st.integers(min_value=-2, max_value=12)
    | st.sampled_from(["approve", "decline", "abstain", "funded", "2025-12-11", "2026-06-01", "100", "1.50"])
    | JSON
)
# Ids our cards carry: mostly ones that name rows of the seeded database, often ones that cannot be ids.
ID_VALUE = st.one_of(
    st.integers(min_value=1, max_value=6),
    st.sampled_from(["1", "2", "3", "", 0, -1, 2**31, 2**63, 1.0, 2.5, True, "9" * 5000, "\u0661", "\u00b2", [1]]),
    JSON,
)
CARD_DATA = st.builds(
    lambda ids, inputs: {**inputs, **ids},
    st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(CARD_ID_KEYS), ID_VALUE)),
    st.dictionaries(st.sampled_from(INPUT_KEYS) | st.text(max_size=12), CARD_VALUE, max_size=6),
)
COMMANDS = st.sampled_from(
    [
        "help", "whoami", "next meeting", "new referral", "my referrals", "referrals to check", "agenda", "meetings",
        "budget", "reviews", "reviews due", "link cluster Central", "link cluster", "export CEN-2526-001",
        "export 1", "minutes",
    ]
) | st.text(max_size=40)  # fmt: skip


@st.composite
def conversations(draw: st.DrawFn, who: tuple[str, str]) -> dict[str, Any]:
    choice = draw(st.integers(min_value=0, max_value=3))
    if choice == 0:
        return act.personal(SERVICE_URL, *who)
    if choice == 1:
        return act.channel_conversation()
    if choice == 2:
        return act.channel_conversation("19:other-channel@thread.tacv2")
    return {"id": draw(st.text(min_size=1, max_size=30)), "conversationType": draw(st.text(max_size=10))}


def _envelope(draw: st.DrawFn, **fields: Any) -> dict[str, Any]:
    who = draw(PEOPLE)
    conversation = draw(conversations(who))
    activity = act.card_click(SERVICE_URL, *who, verbs.HELP, conversation=conversation)
    del activity["name"], activity["value"]
    if conversation.get("conversationType") == "channel":
        activity["channelData"].update({"team": {"id": act.TEAM_ID}, "channel": {"id": act.CHANNEL_ID}})
    activity.update(fields)
    return activity


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    activity = _envelope(draw, type="message", text=draw(COMMANDS))
    if draw(st.booleans()):  # an Action.Submit fallback click
        activity["value"] = {"verb": draw(VERB), **draw(CARD_DATA)}
    elif draw(st.booleans()):
        activity["value"] = draw(JSON)
    if draw(st.booleans()):
        activity["entities"] = draw(JSON)
    return activity


@st.composite
def card_clicks(draw: st.DrawFn) -> dict[str, Any]:
    verb = draw(VERB)
    data = {"verb": draw(st.just(verb) | VERB), **draw(CARD_DATA)} if draw(st.booleans()) else draw(JSON)
    action: Any = {"type": "Action.Execute", "verb": verb, "data": data}
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        action = draw(JSON)
    value: Any = {"action": action, "trigger": "manual"}
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        value = draw(JSON)
    return _envelope(draw, type="invoke", name="adaptiveCard/action", value=value)


UPLOAD_INFO = st.fixed_dictionaries(
    {"uploadUrl": st.sampled_from(["http://127.0.0.1:9/upload", "", "ftp://127.0.0.1/x"]) | JSON},
    optional={"name": JSON, "contentUrl": JSON, "uniqueId": JSON, "fileType": JSON},
)


@st.composite
def other_invokes(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(
        st.sampled_from(["fileConsent/invoke", "composeExtension/query", "task/fetch", "signin/verifyState", ""])
        | st.text(max_size=20)
        | JSON
    )
    value: Any = draw(JSON)
    if name == "fileConsent/invoke" and draw(st.booleans()):
        value = {
            "action": draw(st.sampled_from(["accept", "decline"]) | JSON),
            "context": draw(
                st.fixed_dictionaries(
                    {"kind": st.sampled_from(["minutes", "referral"]) | JSON},
                    optional={"meeting_id": CARD_VALUE, "referral_id": CARD_VALUE, "format": JSON},
                )
                | JSON
            ),
            "uploadInfo": draw(UPLOAD_INFO | JSON),
        }
    activity = _envelope(draw, type="invoke", value=value)
    if draw(st.integers(min_value=0, max_value=4)) > 0:
        activity["name"] = name
    return activity


@st.composite
def membership(draw: st.DrawFn) -> dict[str, Any]:
    members = st.lists(st.fixed_dictionaries({"id": st.just(act.BOT_ID) | st.text(max_size=10)}) | JSON, max_size=3)
    return _envelope(
        draw,
        type=draw(st.sampled_from(["conversationUpdate", "installationUpdate"])),
        action=draw(st.sampled_from(["add", "remove", "add-upgrade"]) | JSON),
        membersAdded=draw(members | JSON),
        membersRemoved=draw(members | JSON),
    )


@st.composite
def shapes(draw: st.DrawFn) -> dict[str, Any]:
    """Activities of any type, with fields Teams never sends."""
    activity = _envelope(draw, type=draw(st.sampled_from(["event", "typing", "messageReaction", ""]) | st.text()))
    activity.update(draw(st.dictionaries(st.text(max_size=15), JSON, max_size=5)))
    return activity


@st.composite
def mangled(draw: st.DrawFn, activity: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A Teams-shaped activity with some of its envelope's fields removed or replaced by any JSON."""
    found = draw(activity)
    for key in draw(st.lists(st.sampled_from(sorted(found)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del found[key]
        else:
            found[key] = draw(JSON)
    return found


TEAMS_SHAPED = messages() | card_clicks() | other_invokes() | membership() | shapes()


@dataclass(frozen=True)
class Payload:
    """What is posted: an activity (as JSON) or raw bytes."""

    activity: Any = None
    raw: bytes | None = None


PAYLOADS = st.one_of(
    TEAMS_SHAPED.map(lambda a: Payload(activity=a)),
    TEAMS_SHAPED.map(lambda a: Payload(activity=a)),
    mangled(TEAMS_SHAPED).map(lambda a: Payload(activity=a)),
    JSON.map(lambda v: Payload(activity=v)),
    st.binary(max_size=200).map(lambda b: Payload(raw=b)),
    st.integers(min_value=1, max_value=5000).map(lambda n: Payload(raw=b"[" * n + b"]" * n)),
)

# --- running them ---------------------------------------------------------------------------------------

_OUTSIDE = re.compile(r"[a-z][a-z0-9+.-]*:(?:\\?/){2}(?!127\.0\.0\.1[:/])", re.IGNORECASE)


@dataclass
class Tally:
    """What the run saw, for the figure ``scripts/fuzz`` prints."""

    payloads: int = 0
    server_errors: int = 0
    refused: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows, but what learning a new conversation writes (see the module's docstring)."""
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
        found: dict[str, list[str]] = {}
        for table in tables:
            if table == "conversation_ref":
                continue
            query = f'SELECT * FROM "{table}"'
            if table == "audit_event":
                query += " WHERE action != 'conversation.install'"
            found[table] = sorted(repr(tuple(row)) for row in connection.execute(text(query)))
        return found


async def test_hostile_activities_never_get_a_server_error_and_refusals_change_nothing(
    bot: Bot, central: Engine
) -> None:
    loop = asyncio.get_running_loop()
    app = bot.client.server.app
    cluster_bot = app[BOT]
    notifier = app[NOTIFIER]
    service_url = bot.connector.url
    tally = Tally()
    refusals: list[str] = []

    # Seeing refusals from inside the bot: the turn's dispatch and the file consent answer.
    dispatch, consent = cluster_bot._handle, cluster_bot.files.consent

    def counted_dispatch(request: Any) -> Any:
        try:
            return dispatch(request)
        except Refusal as refusal:
            refusals.append(refusal.message)
            raise

    async def counted_consent(*args: Any) -> Any:
        try:
            return await consent(*args)
        except Refusal as refusal:
            refusals.append(refusal.message)
            raise

    cluster_bot._handle = counted_dispatch  # type: ignore[method-assign]
    cluster_bot.files.consent = counted_consent  # type: ignore[method-assign]
    errors = _Errors()
    logging.getLogger("clusterbot.errors").addHandler(errors)

    def filled(value: Any) -> Any:
        """The payload with the fake connector's address for the placeholder serviceUrl."""
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return service_url if value == SERVICE_URL else value

    async def post(payload: Payload) -> None:
        await notifier.drain()
        before = _snapshot(central)
        refusals.clear()
        errors.records.clear()
        calls = len(bot.connector.calls)
        data = payload.raw if payload.raw is not None else json.dumps(filled(payload.activity)).encode()
        response = await bot.client.post("/api/messages", data=data, headers={"Content-Type": "application/json"})
        answer = await response.text()
        await notifier.drain()
        tally.payloads += 1
        tally.statuses[response.status] = tally.statuses.get(response.status, 0) + 1
        sent = " ".join(c.all_json() for c in bot.connector.calls[calls:])
        # A reply the fake connector would not take (it routes no conversation id with braces, say) is the
        # connector's "no", which the bot logs as designed; any other logged error is the bot's own failure.
        failures = [r for r in errors.records if not (r.exc_info and isinstance(r.exc_info[1], ConnectorError))]
        apologised = "ERR-" in answer + sent and len(failures) > 0
        if (response.status >= 500 and response.status != 501) or failures or apologised:
            tally.server_errors += 1
            raise AssertionError(f"a server error: {response.status} {answer[:300]} {failures[:1]}")
        refused = 400 <= response.status < 500 or response.status == 501 or bool(refusals)
        if response.status == 200 and answer:
            body = json.loads(answer)
            refused = refused or (body.get("type") == MESSAGE_RESPONSE and body.get("value") == UNRECOGNISED_BUTTON)
        if refused:
            tally.refused += 1
            assert _snapshot(central) == before, f"a refused request changed the database ({refusals[:1]})"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(PAYLOADS)
    def one(payload: Payload) -> None:
        # Nothing generated may point the bot at a host off this machine (a download or upload URL).
        assume(not _OUTSIDE.search(payload.raw.decode("latin-1") if payload.raw else json.dumps(payload.activity)))
        asyncio.run_coroutine_threadsafe(post(payload), loop).result(timeout=120)

    try:
        await asyncio.to_thread(one)
    finally:
        logging.getLogger("clusterbot.errors").removeHandler(errors)
        print(
            f"\nfuzz: {tally.payloads} payloads posted, {tally.server_errors} server errors (500s), "
            f"{tally.refused} refused; statuses {dict(sorted(tally.statuses.items()))}"
        )
    assert tally.payloads > EXAMPLES // 2, "most generated payloads were thrown away; the run proves little"


@pytest.mark.parametrize(
    "posted",
    [
        json.dumps({"downloadUrl": "https://example.com/x"}),
        json.dumps({"uploadUrl": "http://10.0.0.1/"}),
        '{"downloadUrl": "HTTPS:\\/\\/evil.example/"}',  # JSON may escape its slashes
        json.dumps({"downloadUrl": "https://127.0.0.1.evil.example/"}),
    ],
)
def test_the_fuzz_throws_away_any_payload_naming_a_host_off_this_machine(posted: str) -> None:
    assert _OUTSIDE.search(posted)


def test_the_fuzz_keeps_payloads_that_name_only_this_machine() -> None:
    assert not _OUTSIDE.search(json.dumps({"serviceUrl": "http://127.0.0.1:8123/", "uploadUrl": SERVICE_URL}))
