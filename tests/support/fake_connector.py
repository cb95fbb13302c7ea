"""A fake Bot Connector: an aiohttp server used as the serviceUrl that records everything the bot sends.

This is the Teams boundary, the one place the tests fake anything.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    """One request the bot made to the connector."""

    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None
    arrived_at: float = field(default_factory=time.monotonic)
    raw: bytes = b""  # the body as the bot sent it (its encoding, its size)

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    def all_json(self) -> str:
        import json

        return json.dumps(self.body)

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


def meeting_target(teams_meeting_id: str) -> str:
    """How a call to a Teams meeting (not a conversation) is filed among the calls: ``meeting:<its id>``."""
    return f"meeting:{teams_meeting_id}"


def _target(request: web.Request) -> str:
    """The conversation a request is for, or the Teams meeting an in-meeting notification is for."""
    if "meeting" in request.match_info:
        return meeting_target(request.match_info["meeting"])
    return request.match_info["conversation"]


@dataclass(frozen=True)
class Arrival:
    """One request as it arrived (accepted or not), with the status it was answered with."""

    at: float  # time.monotonic()
    method: str
    conversation_id: str
    status: int
    body: dict[str, Any]


Answer = int | tuple[int, float | str | None]
"""A scripted answer: a status, or (status, Retry-After header value or None). 2xx accepts as usual."""


@dataclass
class FakeConnector:
    """Records calls; ``fail_next`` makes the next calls answer with given statuses.

    ``script(conversation, *answers)`` queues answers for one conversation's next requests, and
    ``refuse(conversation, status)`` answers every request there with ``status`` until ``accept`` is called.
    Every request, refused or not, is kept in ``arrivals`` with its arrival time; accepted ones also in ``calls``.
    """

    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    scripted: dict[str, list[Answer]] = field(default_factory=dict)
    refusing: dict[str, Answer] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    server: TestServer | None = None
    uploads: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # What Teams says of each member (by their "29:" id) when the bot asks (TeamsInfo.get_member): e-mail above all.
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_asks: list[str] = field(default_factory=list)  # the member ids the bot asked about, in turn
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def sent_to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.calls if c.conversation_id == conversation_id]

    def all_text(self, conversation_id: str | None = None) -> str:
        """Everything sent (text and card JSON), for asserting what a person could have seen."""
        import json

        calls = self.calls if conversation_id is None else self.sent_to(conversation_id)
        return "\n".join(json.dumps(c.body) for c in calls)

    def script(self, conversation_id: str, *answers: Answer) -> None:
        """Answer the next requests to ``conversation_id`` with these statuses (and Retry-After values)."""
        self.scripted.setdefault(conversation_id, []).extend(answers)

    def refuse(self, conversation_id: str, status: int, retry_after: float | str | None = None) -> None:
        """Answer every request to ``conversation_id`` with ``status`` until :meth:`accept`."""
        self.refusing[conversation_id] = (status, retry_after)

    def accept(self, conversation_id: str) -> None:
        """Stop refusing ``conversation_id``."""
        self.refusing.pop(conversation_id, None)

    def arrivals_at(self, conversation_id: str) -> list[Arrival]:
        return [a for a in self.arrivals if a.conversation_id == conversation_id]

    def _scripted_answer(self, conversation_id: str) -> tuple[int, float | str | None] | None:
        answer: Answer | None = self.refusing.get(conversation_id)
        if answer is None and self.scripted.get(conversation_id):
            answer = self.scripted[conversation_id].pop(0)
        if answer is None:
            return None
        return answer if isinstance(answer, tuple) else (answer, None)

    def notifications_to(self, teams_meeting_id: str) -> list[Call]:
        """The in-meeting notifications sent to a Teams meeting (``POST /v1/meetings/{id}/notification``)."""
        return self.sent_to(meeting_target(teams_meeting_id))

    async def _record(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        conversation_id = _target(request)
        if self.fail_next:
            status = self.fail_next.pop(0)
            self.arrivals.append(Arrival(arrived, request.method, conversation_id, status, {}))
            return web.json_response({"error": "injected"}, status=status)
        raw = await request.read() if request.can_read_body else b""
        body = json.loads(raw) if raw else {}
        answer = self._scripted_answer(conversation_id)
        if answer is not None and answer[0] >= 300:
            status, retry_after = answer
            self.arrivals.append(Arrival(arrived, request.method, conversation_id, status, body))
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return web.json_response({"error": {"code": "injected"}}, status=status, headers=headers)
        self.arrivals.append(Arrival(arrived, request.method, conversation_id, 200, body))
        call = Call(
            method=request.method,
            conversation_id=conversation_id,
            activity_id=request.match_info.get("activity"),
            body=body,
            authorization=request.headers.get("Authorization"),
            arrived_at=arrived,
            raw=raw,
        )
        self.calls.append(call)
        self._arrived.set()
        if request.method == "POST":
            return web.json_response({"id": f"sent-{next(self._ids)}"})
        return web.json_response({"id": call.activity_id or ""})

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls have arrived."""

        async def _wait() -> None:
            while len(self.calls) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(_wait(), timeout)
        return self.calls

    def add_member(self, aad: str, name: str, email: str) -> None:
        """Teams knows this person (in any conversation the bot asks about): their name and e-mail address."""
        member_id = f"29:{aad}"
        self.members[member_id] = {
            "id": member_id,
            "name": name,
            "aadObjectId": aad,
            "email": email,
            "userPrincipalName": email,
            "userRole": "user",
        }

    async def _member(self, request: web.Request) -> web.Response:
        """``GET /v3/conversations/{conversation}/members/{member}``: one member, as Teams answers it."""
        member_id = request.match_info["member"]
        self.member_asks.append(member_id)
        found = self.members.get(member_id)
        if found is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(found)

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["name"]] = (await request.read(), dict(request.headers))
        return web.json_response({"id": "uploaded"}, status=201)

    async def _file(self, request: web.Request) -> web.Response:
        data, content_type = self.files[request.match_info["name"]]
        return web.Response(body=data, content_type=content_type)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_put("/upload/{name}", self._upload)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._record)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_delete("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_post("/v1/meetings/{meeting}/notification", self._record)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        return app

    async def start(self) -> FakeConnector:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
