"""Watching the bot: one log line per turn (JSON when asked), readiness, and who may read the metrics.

Each ``POST /api/messages`` is one turn. The request handler opens a :class:`TurnRecord` for it
(:func:`begin_turn`); the bot fills in what only it learns (a refusal, an apology's reference) through
:func:`note_outcome` and :func:`note_error`, and the handler, when it answers, logs the record as one line
(:func:`log_turn`) and counts it (``bot.http.metrics``). What the activity says is filled in by the Teams
edge (``bot.teams.activities.describe_turn``), so this module needs no botbuilder. The record holds names
from a fixed vocabulary only: a card verb or command the bot knows (else ``unknown`` or ``text``), the
conversation's type, the outcome.
Typed text, card inputs and card data may hold pupil details, so none of them is ever put in it.

``CLUSTERBOT_LOG_FORMAT=json`` turns every log line of the process into one JSON object
(:class:`JsonFormatter`, installed by :func:`use_json_logs`).

:class:`Readiness` answers ``/readyz``: the database answers and its migrations are the ones this code
expects. ``/healthz`` stays a liveness check and asks the database nothing (``bot.http.app`` says why).
"""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from store.db import MIGRATIONS

log = logging.getLogger("clusterbot.turn")

CONVERSATION_TYPES = frozenset({"personal", "channel", "groupChat"})
ACTIVITY_TYPES = frozenset({"message", "invoke", "conversationUpdate", "installationUpdate"})
INVOKE_NAMES = frozenset({"adaptiveCard/action", "fileConsent/invoke", "application/search"})
UNKNOWN = "unknown"
TEXT = "text"
ID_LENGTH = 128  # an activity id is Teams' own; one longer than this is not, and is cut

# What HTTP status an answer the handler gave before any turn ran stands for.
_OUTCOME_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    408: "timeout",
    413: "too_large",
    415: "unsupported_media",
    500: "error",
    501: "not_implemented",
}


@dataclass
class TurnRecord:
    """What one turn was and how it went: the fields of its log line, none of them typed by a person."""

    activity_id: str | None = None
    activity_type: str | None = None
    conversation: str | None = None
    verb: str | None = None  # a card verb the bot knows, an invoke's name, or the activity's type
    command: str | None = None  # a typed message: the command's first word, or "text"
    outcome: str | None = None  # set by the bot when it refused or apologised; else derived from the status
    error_ref: str | None = None
    status: int | None = None
    duration_ms: float | None = None

    @property
    def name(self) -> str:
        """The verb or command, for a metric's label (bounded: every value comes from a fixed vocabulary)."""
        return self.verb or self.command or self.activity_type or UNKNOWN

    def finish(self, status: int, seconds: float) -> None:
        """Record the answer's status and the time taken; the outcome follows from the status if unset."""
        self.status = status
        self.duration_ms = round(seconds * 1000, 1)
        if self.outcome is None:
            self.outcome = "ok" if status < 400 else _OUTCOME_OF_STATUS.get(status, f"http_{status}")

    def fields(self) -> dict[str, Any]:
        """The log line's fields; the ones not known for this turn are left out."""
        named = {
            "activity_id": self.activity_id,
            "activity_type": self.activity_type,
            "conversation": self.conversation,
            "verb": self.verb,
            "command": self.command,
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
            "status": self.status,
            "error_ref": self.error_ref,
        }
        return {key: value for key, value in named.items() if value is not None}


# The turn being handled in this task: the handler sets it, the bot's code under it notes outcomes on it.
_CURRENT: contextvars.ContextVar[TurnRecord | None] = contextvars.ContextVar("clusterbot_turn", default=None)


def begin_turn() -> tuple[TurnRecord, contextvars.Token[TurnRecord | None]]:
    """Open the record of a turn for the current task; pass the token to :func:`end_turn`."""
    record = TurnRecord()
    return record, _CURRENT.set(record)


def end_turn(token: contextvars.Token[TurnRecord | None]) -> None:
    """Close the current task's turn record."""
    _CURRENT.reset(token)


def note_outcome(outcome: str) -> None:
    """Say how the current turn ended (``refused``, ``forbidden``, ``unrecognised``); no-op outside a turn."""
    record = _CURRENT.get()
    if record is not None:
        record.outcome = outcome


def note_error(reference: str) -> None:
    """The current turn ended in an apology naming ``reference`` (``bot.http.errors.report_unexpected`` tells it)."""
    record = _CURRENT.get()
    if record is not None:
        record.outcome = "error"
        record.error_ref = reference


@dataclass(frozen=True)
class Vocabulary:
    """The names a turn may be logged under: the card verbs and the first words of the commands the bot knows."""

    verbs: frozenset[str]
    command_words: frozenset[str]

    @classmethod
    def of(cls, verbs: Iterable[str], commands: Iterable[str]) -> Vocabulary:
        """From the routes' verbs and commands (``next meeting`` is known by ``next``)."""
        return cls(frozenset(verbs), frozenset(command.split()[0] for command in commands if command.split()))


def log_turn(record: TurnRecord) -> None:
    """The turn's one log line: fields for the JSON formatter, ``key=value`` pairs in plain text."""
    fields = record.fields()
    level = logging.WARNING if record.outcome == "error" else logging.INFO
    log.log(level, "turn %s", " ".join(f"{key}={value}" for key, value in fields.items()), extra={"turn": fields})


class JsonFormatter(logging.Formatter):
    """Every log record as one JSON object on one line: time, level, logger, message (and a turn's fields)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a line of JSON."""
        turn = getattr(record, "turn", None)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": "turn" if isinstance(turn, Mapping) else record.getMessage(),
        }
        if isinstance(turn, Mapping):
            line.update(turn)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def use_json_logs(root: logging.Logger | None = None) -> None:
    """Give every handler of the root logger the JSON formatter (one with none gets a handler to stderr).

    The command line sets up plain-text logging before it builds the app; this replaces its format.
    """
    root = root or logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JsonFormatter()
    for handler in root.handlers:
        handler.setFormatter(formatter)


# --- readiness ---------------------------------------------------------------------------------------

READY_TIMEOUT = 2.0
"""Seconds /readyz waits for the database before it answers 503 (a probe's own timeout should be longer)."""

_UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for a table that does not exist


@dataclass(frozen=True)
class Ready:
    """The answer to "may this replica take traffic?", and why not."""

    ok: bool
    reason: str
    revision: tuple[str, ...] = ()


class Readiness:
    """Whether the database answers and holds this code's migrations, checked in one short query off the loop.

    The migrations' head is read once, when the app is built. One check runs at a time: probes arriving
    while a slow one is under way wait for it (up to the timeout) rather than start another, so a hung
    database costs one thread, not one per probe.
    """

    def __init__(self, engine: Engine, timeout: float = READY_TIMEOUT) -> None:
        self._engine = engine
        self._timeout = timeout
        self._script = ScriptDirectory(str(MIGRATIONS))
        self.heads = frozenset(self._script.get_heads())
        self._running: asyncio.Future[Ready] | None = None

    async def check(self) -> Ready:
        """Ready, or why not (the database does not answer, answered too slowly, or is not at head)."""
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(asyncio.to_thread(self._probe))
        try:
            return await asyncio.wait_for(asyncio.shield(self._running), self._timeout)
        except TimeoutError:
            return Ready(False, f"the database did not answer within {self._timeout:g} s")

    def _probe(self) -> Ready:
        try:
            connection = self._engine.connect()
        except Exception as exc:
            return Ready(False, f"the database does not answer ({type(exc).__name__})")
        try:
            if self._engine.dialect.name == "postgresql":
                # Ended with the connection's transaction; a server that takes the query and sits on it
                # gives up server-side too.
                timeout_ms = int(self._timeout * 1000)
                connection.execute(text(f"SET LOCAL statement_timeout = {timeout_ms}"))
            try:
                rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            except Exception as exc:
                if _no_such_table(exc):
                    return Ready(False, "the database has no migrations applied (run: clusterbot db upgrade)")
                return Ready(False, f"the database did not say which migrations it has ({type(exc).__name__})")
        except Exception as exc:
            return Ready(False, f"the database does not answer ({type(exc).__name__})")
        finally:
            try:
                connection.close()
            except Exception:  # a connection that broke mid-check: closing it is all there was to do
                log.debug("could not close the readiness check's connection", exc_info=True)
        found = frozenset(str(row) for row in rows)
        revision = tuple(sorted(found))
        if found == self.heads:
            return Ready(True, "ok", revision)
        if not all(self._known(r) for r in found):
            return Ready(False, "the database has migrations this version of the bot does not know", revision)
        return Ready(False, "the database's migrations are behind (run: clusterbot db upgrade)", revision)

    def _known(self, revision: str) -> bool:
        try:
            return self._script.get_revision(revision) is not None
        except Exception:  # alembic raises for an id it has never heard of
            return False


def _no_such_table(exc: Exception) -> bool:
    original = getattr(exc, "orig", None)
    return getattr(original, "sqlstate", None) == _UNDEFINED_TABLE or "no such table" in str(original or exc)


# --- who may read /metrics ---------------------------------------------------------------------------

_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def metrics_refusal(token: str, remote: str | None, headers: Mapping[str, str]) -> int | None:
    """The status refusing a /metrics request (401 or 403), or None when it may read them.

    With a token set, the request must carry ``Authorization: Bearer <token>``. Without one, only a client on
    this machine may read them: one that came through a reverse proxy (it names the client it forwards for)
    is not on this machine, even though its connection is from loopback.
    """
    if token:
        given = headers.get("Authorization", "")
        scheme, _, credential = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(credential.strip().encode(), token.encode()):
            return 401
        return None
    if any(name in headers for name in _PROXY_HEADERS):
        return 403
    try:
        return None if remote is not None and ipaddress.ip_address(remote).is_loopback else 403
    except ValueError:  # a unix socket or something unreadable: not known to be this machine
        return 403
