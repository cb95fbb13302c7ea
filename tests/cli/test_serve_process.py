"""The bot as ``clusterbot serve`` runs it: JSON logs from the first line when asked for, and a connection
that sends its headers a byte at a time is closed within the header timeout."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

HEADER_TIMEOUT = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[int, asyncio.subprocess.Process]]:
    """``clusterbot serve --seed`` with JSON logs and a two-second header timeout, ready for requests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "CLUSTERBOT_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CLUSTERBOT_ALLOW_NO_AUTH": "1",
        "CLUSTERBOT_LOG_FORMAT": "json",
        "CLUSTERBOT_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "CLUSTERBOT_SCHEDULER": "0",
    }
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--seed", "--port", str(port),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the bot did not start")
        yield port, process
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_with_json_logs_every_line_from_the_first_is_json(
    served: tuple[int, asyncio.subprocess.Process],
) -> None:
    _, process = served
    process.terminate()
    output, _ = await process.communicate()
    lines = [line for line in output.decode().splitlines() if line.strip()]
    assert len(lines) > 5  # migrations, seeding, the warning about authentication, listening
    not_json = [line for line in lines if not line.startswith("{")]
    assert not not_json, not_json[:5]
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert any("listening" in json.loads(line)["message"] for line in lines)


async def test_a_client_sending_its_headers_slowly_is_cut_off(served: tuple[int, asyncio.subprocess.Process]) -> None:
    port, _ = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    started = time.monotonic()
    closed_after: float | None = None
    try:
        for byte in head:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), timeout=0.25) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                pass
            if time.monotonic() - started > 20:
                break
    except ConnectionError:
        closed_after = time.monotonic() - started
    finally:
        writer.close()
    assert closed_after is not None, "the server kept the slow connection open for 20 seconds"
    assert closed_after < HEADER_TIMEOUT + 3
