"""A fake Bot Connector: an aiohttp server used as the serviceUrl that records everything the bot sends.

This is the Teams boundary, the one place the tests fake anything.
"""

from __future__ import annotations

import asyncio
import itertools
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


@dataclass
class FakeConnector:
    """Records calls; ``fail_next`` makes the next calls answer with given statuses."""

    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    server: TestServer | None = None
    uploads: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
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

    async def _record(self, request: web.Request) -> web.Response:
        if self.fail_next:
            return web.json_response({"error": "injected"}, status=self.fail_next.pop(0))
        body = await request.json() if request.can_read_body else {}
        call = Call(
            method=request.method,
            conversation_id=request.match_info["conversation"],
            activity_id=request.match_info.get("activity"),
            body=body,
            authorization=request.headers.get("Authorization"),
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
        return app

    async def start(self) -> FakeConnector:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
