"""Harness for end-to-end tests against Microsoft's Agents Playground (npm
``@microsoft/m365agentsplayground``, pinned to 0.2.28 in ``tests/node/package.json``).

The playground is Microsoft's local stand-in for the Teams client: a web page (personal chat, one
group chat, one team with General plus at most one more channel) and a mock Bot Connector that the
bot replies to. See ``docs/playground.md`` for what was learnt about it.

Three pieces:

* :func:`playground_config` builds the mock tenant (``.m365agentsplayground.yml``; the playground
  insists on exactly five ``users`` besides ``currentUser``). It, the demo people
  (``bot.dev.playground.DEMO_USERS``) and the server's command line and environment live in
  ``bot/dev/playground/``, shared with ``clusterbot playground``, and are re-exported here.
* :class:`Playground` starts the playground's node server against a bot endpoint in its own process
  group, waits for "Listening on <port>", and stops it; it also wraps the server's *internal* HTTP
  interface (acting as other mock users, sending install/custom activities, reading the bot's
  messages from the websocket stream). That interface is not a public API: keep the version pinned.
* :class:`PlaygroundPage` drives the web page with Playwright (sync API) in Debian's Chromium:
  :func:`open_browser` launches it; :func:`find_chromium` locates the binary.

Typical use::

    with Playground("http://127.0.0.1:3978/api/messages", playground_config()) as pg, \\
            open_browser(pg.url) as ui:
        ui.send("help")
        ui.wait_for_text("Help")
        ui.click_button("Done")

Every page load makes the playground send ``installationUpdate`` (action ``add``) and
``conversationUpdate`` (``membersAdded``) for the personal chat, and again for each other
conversation the first time the page opens it: the bot sees "installs" repeatedly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot.dev.playground import (
    BOT_ID,
    BOT_NAME,
    CONFIG_FILE_NAME,
    CURRENT_USER,
    DEFAULT_USERS,
    EXTRA_CHANNEL_ID,
    GROUP_CHAT_ID,
    NODE_DIR,
    PERSONAL_CHAT_ID,
    PLAYGROUND_BIN,
    REPO_ROOT,
    TEAM_ID,
    TENANT_ID,
    complete_user,
    ensure_node_modules,
    mock_user,
    playground_command,
    playground_config,
    playground_env,
    stop_process_group,
    write_config,
)

__all__ = [
    "BOT_ID",
    "BOT_NAME",
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "CONFIG_FILE_NAME",
    "CURRENT_USER",
    "DEFAULT_USERS",
    "EXTRA_CHANNEL_ID",
    "GROUP_CHAT_ID",
    "NODE_DIR",
    "PERSONAL_CHAT_ID",
    "PLAYGROUND_BIN",
    "REPO_ROOT",
    "TEAM_ID",
    "TENANT_ID",
    "ConversationStream",
    "Playground",
    "PlaygroundError",
    "PlaygroundPage",
    "ensure_node_modules",
    "find_chromium",
    "free_port",
    "mock_user",
    "open_browser",
    "playground_config",
]

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Config building, the demo people and how the server is launched live in bot.playground (shared with
# ``clusterbot playground``); re-exported here. ``_complete_user`` is kept for older callers.
_complete_user = complete_user

# ---------------------------------------------------------------------------------------------
# Server process
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PlaygroundError(RuntimeError):
    pass


class Playground:
    """The playground's node server, in its own process group, with a config of our making.

    ``port=None`` picks a free port (the playground itself silently falls back to a random port
    when the requested one is taken; the real port is read from its "Listening on" line).
    """

    def __init__(
        self,
        bot_endpoint: str,
        config: dict | None = None,
        *,
        port: int | None = None,
        channel_id: str = "msteams",
        start_timeout: float = 60.0,
        node_dir: Path = NODE_DIR,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.bot_endpoint = bot_endpoint
        self.config = config if config is not None else playground_config()
        self.requested_port = port
        self.channel_id = channel_id
        self.start_timeout = start_timeout
        self.node_dir = node_dir
        self.extra_args = extra_args or []
        self.extra_env = env or {}
        self.port: int | None = None
        self.workdir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.startup_seconds: float | None = None
        self._output: list[str] = []
        self._reader: threading.Thread | None = None
        self._listening = threading.Event()

    # ----- lifecycle -----

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise PlaygroundError("playground not started")
        return f"http://127.0.0.1:{self.port}"

    url = base_url

    @property
    def output(self) -> str:
        """Everything the playground printed so far (stdout and stderr)."""
        return "".join(self._output)

    @property
    def log_path(self) -> Path | None:
        return self.workdir / "playground.log" if self.workdir else None

    def start(self) -> Playground:
        binary = ensure_node_modules(self.node_dir)
        self.workdir = Path(tempfile.mkdtemp(prefix="playground-"))
        write_config(self.workdir, self.config)
        env = playground_env(self.workdir, extra=self.extra_env)
        port = self.requested_port or free_port()
        cmd = playground_command(
            binary, self.bot_endpoint, port, channel_id=self.channel_id, extra_args=self.extra_args
        )
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # own process group: stop() kills node and anything it spawned
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        if not self._listening.wait(self.start_timeout) or self.port is None:
            out = self.output
            self.stop()
            raise PlaygroundError(f"playground did not print 'Listening on' within {self.start_timeout}s:\n{out}")
        self._wait_http_ok("/_debug/ping", deadline=t0 + self.start_timeout)
        self.startup_seconds = time.monotonic() - t0
        return self

    def _read_output(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self._output.append(line)
            m = re.search(r"Listening on (\d+)", line)
            if m and not self._listening.is_set():
                self.port = int(m.group(1))
                self._listening.set()
        self._listening.set()  # process ended: unblock start()

    def _wait_http_ok(self, path: str, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if self.proc and self.proc.poll() is not None:
                raise PlaygroundError(f"playground exited with {self.proc.returncode}:\n{self.output}")
            if time.monotonic() > deadline:
                raise PlaygroundError(f"playground not answering on {self.base_url}{path}")
            time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_process_group(proc, timeout)
            if proc.stdout:
                proc.stdout.close()
        if self._reader is not None:
            self._reader.join(2)
        if self.workdir is not None and not os.environ.get("PLAYGROUND_KEEP_WORKDIR"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Playground:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- the playground's internal HTTP interface (pinned version; may change) -----

    def request(self, method: str, path: str, body: Any = None, timeout: float = 15.0) -> Any:
        """JSON request to the playground server; returns the decoded body (or None if empty)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise PlaygroundError(f"{method} {path} -> {e.code}: {e.read().decode(errors='replace')}") from e
        return json.loads(raw) if raw.strip() else None

    def activity_template(self, conversation_id: str, type: str | None = None) -> dict:
        """The playground's own activity skeleton for a conversation (``from`` = current user).

        ``type``: install, uninstall, botAdded, botRemoved, userAdded, userRemoved, channelCreated,
        channelRenamed, channelDeleted, teamRenamed, teamDeleted (or None: a bare activity).
        """
        q = f"conversationId={urllib.parse.quote(conversation_id)}"
        if type:
            q += f"&type={type}"
        return self.request("GET", f"/_internal/v1/customActivities/template?{q}")

    def send_custom_activity(self, activity: dict) -> None:
        """Deliver any activity to the bot as-is (fire and forget: the call returns before the
        bot has answered). Bot replies appear on the page and the stream; the activity itself
        is not shown on the page."""
        self.request("POST", "/_internal/v1/customActivities", activity)

    def install(self, conversation_id: str) -> None:
        """What the page does when it first opens a conversation: ``installationUpdate`` (add)
        then ``conversationUpdate`` (membersAdded), both from the current user."""
        self.request("POST", f"/_debug/conversation/{urllib.parse.quote(conversation_id)}/installation", {})

    def user(self, user_id: str) -> dict:
        for u in [self.config["currentUser"], *self.config["users"]]:
            if u["id"] == user_id:
                return u
        raise KeyError(user_id)

    def message_as(self, user_id: str, conversation_id: str, text: str, *, mention_bot: bool | None = None) -> dict:
        """Send a message to the bot as any mock user (via a custom activity, so it is not shown
        on the page). In group chats and channels the text is prefixed with an @mention of the
        bot unless ``mention_bot=False``. Returns the activity sent."""
        user = self.user(user_id)
        activity = self.activity_template(conversation_id)
        conv_type = activity["conversation"].get("conversationType")
        if mention_bot is None:
            mention_bot = conv_type != "personal"
        bot = self.config["bot"]
        entities = []
        if mention_bot:
            tag = f"<at>{bot['name']}</at>"
            text = f"{tag} {text}"
            entities.append({"type": "mention", "mentioned": {"id": bot["id"], "name": bot["name"]}, "text": tag})
        activity.update(
            type="message",
            text=text,
            textFormat="plain",
            locale="en-US",
            entities=entities,
            **{"from": {"id": user["id"], "name": user["name"], "aadObjectId": user["aadObjectId"]}},
        )
        channel_data = activity.setdefault("channelData", {})
        channel_data.setdefault("tenant", {"id": self.config["tenantId"]})
        if conv_type == "channel":
            channel_data.setdefault("team", {"id": self.config["team"]["id"]})
            channel_data.setdefault("channel", {"id": conversation_id})
        self.send_custom_activity(activity)
        return activity

    def post_message(self, conversation_id: str, text: str, *, mention_bot: bool = False) -> dict:
        """Post as the *current user* through the page's own API (recorded and shown in the
        conversation; ``from`` is ignored by this endpoint). The bot only receives it in the
        personal chat or when mentioned. Returns ``{"messageId", "postConversationId"?, ...}``."""
        me = self.config["currentUser"]["id"]
        body: dict[str, Any] = {"from": {"id": me}, "text": text, "textFormat": "plain"}
        if mention_bot:
            tag = f"<at>{self.config['bot']['name']}</at>"
            body["text"] = f"{tag} {text}"
            body["mentions"] = [{"mentioned": {"id": self.config["bot"]["id"]}, "text": tag}]
        path = f"/_conversation/v1/conversations/{urllib.parse.quote(conversation_id)}/messages"
        return self.request("POST", path, body)

    def invoke_card_action(
        self,
        conversation_id: str,
        message_id: str,
        user_id: str,
        data: dict | None = None,
        verb: str | None = None,
        title: str | None = None,
    ) -> dict:
        """Click an ``Action.Execute`` on the bot's card ``message_id`` as ``user_id``. Returns the
        bot's invoke answer (``{"type", "value"}``). The playground stores a returned card as the
        message's new content but does NOT push it to an open page (reload to see it)."""
        action: dict[str, Any] = {"type": "Action.Execute", "data": data or {}}
        if verb is not None:
            action["verb"] = verb
        if title is not None:
            action["title"] = title
        body = {
            "name": "adaptiveCard/action",
            "from": {"id": user_id},
            "conversation": {"id": conversation_id},
            "replyToId": message_id,
            "value": {"action": action},
        }
        return self.request("POST", "/_conversation/v1/invoke", body)

    def stream(self) -> ConversationStream:
        """Start recording the bot's messages (createMessage/updateMessage) from the websocket."""
        return ConversationStream(self.base_url).start()


class ConversationStream:
    """Background reader of ``/_ws_conversation/v1/conversations/stream``. Each event is a dict
    ``{"action": "createMessage"|"updateMessage", "actionConversationId", "message": {...}}``;
    only messages written through the mock connector (the bot's) are streamed."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.replace("http://", "ws://", 1) + "/_ws_conversation/v1/conversations/stream"
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self._connected = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> ConversationStream:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._connected.wait(timeout):
            raise PlaygroundError(f"could not connect to {self.url}: {self._error}")
        return self

    def _run(self) -> None:
        import aiohttp

        async def main() -> None:
            self._task = asyncio.current_task()
            try:
                async with aiohttp.ClientSession() as session, session.ws_connect(self.url) as ws:
                    self._connected.set()
                    async for msg in ws:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            with self._cond:
                                self.events.append(json.loads(msg.data))
                                self._cond.notify_all()
            except asyncio.CancelledError:
                pass
            except BaseException as e:  # reported via start()
                self._error = e
                self._connected.set()

        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(main())
        self._loop.close()

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10.0) -> dict:
        """The first event (already received or arriving within ``timeout``) matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for ev in self.events[seen:]:
                    if predicate(ev):
                        return ev
                seen = len(self.events)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching stream event in {timeout}s; got {self.events!r}")
                self._cond.wait(remaining)

    def wait_for_message(
        self, conversation_id: str | None = None, contains: str | None = None, timeout: float = 10.0
    ) -> dict:
        """The first bot message (created or updated) in a conversation (matched by prefix, so a
        channel id also matches its ``;messageid=`` threads) whose text or card JSON has ``contains``."""

        def match(ev: dict) -> bool:
            if conversation_id and not ev.get("actionConversationId", "").startswith(conversation_id):
                return False
            return contains is None or contains in json.dumps(ev.get("message", {}), ensure_ascii=False)

        return self.wait_for(match, timeout)["message"]

    def stop(self) -> None:
        if self._loop and self._task and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> ConversationStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------------------------


def find_chromium(path: str = CHROMIUM_PATH) -> str:
    """Path of Debian's Chromium, or a clear failure (Playwright's own browsers are not used)."""
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    found = shutil.which("chromium")
    if found:
        return found
    raise RuntimeError(
        f"Chromium not found at {path}. Install Debian's package: apt-get update && apt-get install -y chromium "
        "(do not run `playwright install`; the harness launches the system browser via executable_path)."
    )


@contextlib.contextmanager
def open_browser(
    base_url: str, *, headless: bool = True, viewport: tuple[int, int] = (1400, 900), timeout: float = 15.0
) -> Iterator[PlaygroundPage]:
    """Launch Chromium with Playwright, open the playground page and yield a :class:`PlaygroundPage`.

    Opening the page selects the personal chat, which makes the playground send the personal
    chat's installationUpdate + conversationUpdate to the bot.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=headless, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.set_default_timeout(timeout * 1000)
            ui = PlaygroundPage(page, base_url, timeout=timeout)
            ui.open()
            yield ui
        finally:
            browser.close()


class PlaygroundPage:
    """Drives the playground web page. Stable hooks (v0.2.28): left-hand ``role=treeitem``
    named "Personal Chat", "Group Chat", "<team> - <channel>"; the compose box is the Lexical
    editor ``[data-lexical-editor]`` with ``role=textbox`` (in a channel the first one is "Start a
    new post", later ones are thread replies); Enter sends; cards are ``.ac-adaptiveCard`` and
    their buttons ``role=button`` named by the action title; "@" in the box opens
    ``role=menuitem`` entries named after the bot and users."""

    def __init__(self, page: Any, base_url: str, timeout: float = 15.0) -> None:
        self.page = page
        self.base_url = base_url
        self.timeout = timeout

    def _ms(self, timeout: float | None) -> float:
        return (self.timeout if timeout is None else timeout) * 1000

    # ----- navigation -----

    def open(self) -> None:
        """Load (or reload) the page; it opens on the personal chat."""
        # 'load' waits several seconds for fonts/telemetry that cannot be fetched offline.
        self.page.goto(self.base_url, wait_until="domcontentloaded")
        self.compose_box().wait_for(timeout=self._ms(None))

    def _select(self, name: str) -> None:
        # The tree exposes no selected state (only styling): click, then wait for the compose
        # area of that kind of conversation ("Post" button in channels, none in chats).
        self.page.get_by_role("treeitem", name=name, exact=True).click()
        post = self.page.get_by_role("button", name="Post", exact=True)
        if " - " not in name:
            post.wait_for(state="detached", timeout=self._ms(None))
        else:
            post.wait_for(state="visible", timeout=self._ms(None))
        self.compose_box().wait_for(timeout=self._ms(None))
        self.page.wait_for_timeout(200)

    def open_personal_chat(self) -> None:
        self._select("Personal Chat")

    def open_group_chat(self, name: str = "Group Chat") -> None:
        self._select(name)

    def open_channel(self, channel: str = "General", team: str | None = None) -> None:
        """Open a team channel; ``team`` defaults to whichever team has that channel."""
        if team:
            self._select(f"{team} - {channel}")
            return
        items = self.page.get_by_role("treeitem").all()
        for it in items:
            label = it.get_attribute("aria-label") or ""
            if label.endswith(f" - {channel}"):
                self._select(label)
                return
        raise PlaygroundError(f"no channel {channel!r} in {[i.get_attribute('aria-label') for i in items]}")

    # ----- composing -----

    def compose_box(self) -> Any:
        """The message box for a new message/post (first Lexical editor on the page)."""
        return self.page.locator("[data-lexical-editor][role=textbox]").first

    def type(self, text: str) -> None:
        box = self.compose_box()
        box.click()
        self.page.keyboard.type(text)

    def send(self, text: str) -> None:
        """Type ``text`` into the compose box and press Enter (a new post, in a channel)."""
        self.type(text)
        self.page.keyboard.press("Enter")

    def insert_mention(self, name: str) -> None:
        """Type "@", pick ``name`` from the typeahead menu (bot or user)."""
        self.compose_box().click()
        self.page.keyboard.type("@" + name[:3])
        # Items read "<avatar label> <name>" (e.g. "Clusterbot Clusterbot", "M Megan Bowen"), so
        # match on the item's last line of text rather than the accessible name.
        items = self.page.get_by_role("menuitem").filter(has_text=name)
        items.first.wait_for(timeout=self._ms(None))
        for item in items.all():
            if item.inner_text().strip().splitlines()[-1].strip() == name:
                item.click()
                return
        raise PlaygroundError(f"no @mention entry named {name!r}")

    def mention(self, text: str, name: str = BOT_NAME) -> None:
        """Send "@name text" in the open conversation (group chat or channel)."""
        self.insert_mention(name)
        self.page.keyboard.type(" " + text)
        self.page.keyboard.press("Enter")

    def mention_bot_in_channel(self, text: str, channel: str = "General", bot_name: str = BOT_NAME) -> None:
        """Open ``channel`` and start a new post "@bot text" (the bot's reply lands in the thread)."""
        self.open_channel(channel)
        self.mention(text, bot_name)

    # ----- reading -----

    def wait_for_text(self, text: str, timeout: float | None = None) -> Any:
        """Wait until ``text`` (substring) is visible in the conversation; returns the locator."""
        loc = self.page.get_by_text(text).last
        loc.wait_for(state="visible", timeout=self._ms(timeout))
        return loc

    def wait_for_card(self, contains: str, timeout: float | None = None) -> Any:
        """Wait for an Adaptive Card containing ``contains``; returns its locator."""
        loc = self.page.locator(".ac-adaptiveCard", has_text=contains).last
        loc.wait_for(state="visible", timeout=self._ms(timeout))
        return loc

    def card_texts(self) -> list[str]:
        """Visible text of every Adaptive Card on the page, oldest first."""
        return [c.inner_text() for c in self.page.locator(".ac-adaptiveCard").all()]

    def click_button(self, title: str, within: Any = None) -> None:
        """Click the (last) card button titled ``title``, optionally inside a given card locator."""
        scope = within if within is not None else self.page
        scope.get_by_role("button", name=title, exact=True).last.click()

    def screenshot(self, path: str | os.PathLike) -> None:
        self.page.screenshot(path=str(path), full_page=True)
