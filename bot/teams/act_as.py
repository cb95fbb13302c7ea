"""Demo only: ``act as <person>`` lets the one person at the Agents Playground's page act as any demo person.

The Playground sends every message and card click from its page as the page's own user (Alex Wilber), and in
personal chat it accepts nobody else, so without this a newcomer could never accept a referral as the admin or
vote as another school. After ``act as Isaiah Langer``, every message and click from that page's user, in any
conversation, reaches the rest of the bot as Isaiah Langer's (``from`` is rewritten before anything reads it),
until ``act as me``. Installs are left as they are, so the page's personal chat stays the page user's.

It exists only when the bot runs with ``CLUSTERBOT_PLAYGROUND_DEMO=1`` (``clusterbot playground`` sets it)
and without authentication: :func:`bot.config.check_auth_choice` and :func:`bot.http.app.create_app` refuse the
demo with a ``MicrosoftAppId``, so no real Teams user can ever act as another. Outside the demo the command is
refused, and the attempt logged as a warning. Who acts as whom is kept in memory: the demo is one process.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.actions.demo import NOT_IN_DEMO
from bot.dev.playground import DEMO_PEOPLE, DemoUser
from bot.teams.activities import command_text, sender

log = logging.getLogger("clusterbot.demo")

_COMMAND = re.compile(r"^act as\b\s*(?P<who>.*)$")
_BACK = frozenset({"me", "myself", "nobody", "no one", "stop"})


def act_as_wanted(activity: Activity) -> str | None:
    """Who an ``act as ...`` message names (``""`` for nobody), or None when the message is something else."""
    if activity.type != ActivityTypes.message:
        return None
    found = _COMMAND.match(command_text(activity))
    return found.group("who").strip() if found else None


def refuse_outside_demo(activity: Activity) -> str:
    """The answer to ``act as`` when the demo is off, logged loudly: someone tried it on a real bot."""
    aad, _ = sender(activity)
    log.warning("REFUSED 'act as' from %s: the Playground demo is off (CLUSTERBOT_PLAYGROUND_DEMO unset)", aad or "?")
    return NOT_IN_DEMO


class ActAs:
    """Who each page user acts as; rewrites the sender of their messages and clicks."""

    def __init__(self, people: Sequence[DemoUser] = DEMO_PEOPLE) -> None:
        self._people = tuple(people)
        self._acting: dict[str, DemoUser] = {}
        self._lock = threading.Lock()  # turns run on several worker threads
        log.warning(
            "PLAYGROUND DEMO MODE: 'act as <person>' lets whoever types at the Playground act as any of the %d "
            "demo people. Never with real people or real data; it cannot run with MicrosoftAppId.",
            len(self._people),
        )

    def _find(self, wanted: str) -> DemoUser | None:
        wanted = " ".join(wanted.lower().split())
        exact = [p for p in self._people if p.name.lower() == wanted]
        first = [p for p in self._people if p.name.lower().split()[0] == wanted]
        matches = exact or first
        return matches[0] if len(matches) == 1 else None

    def _who_list(self) -> str:
        return "\n".join(f"- {p.name}: {p.describe()}" for p in self._people)

    def command(self, activity: Activity, wanted: str) -> str:
        """Answer ``act as <wanted>``: start acting as a demo person, stop (``me``), or list who can be chosen."""
        aad, _ = sender(activity)
        if not aad:
            return "I cannot tell who you are, so you cannot act as anyone else."
        if wanted in _BACK:
            with self._lock:
                was = self._acting.pop(aad, None)
            if was is not None:
                log.warning("demo: %s stopped acting as %s", aad, was.name)
            return "You are acting as yourself again."
        person = self._find(wanted) if wanted else None
        if person is None:
            asked = f"There is no demo person called '{wanted}'. " if wanted else ""
            return f"{asked}Type 'act as' and one of these names ('act as me' to stop):\n\n{self._who_list()}"
        with self._lock:
            self._acting[aad] = person
        log.warning("demo: %s now acts as %s (%s)", aad, person.name, person.aad_object_id)
        return (
            f"You are now acting as {person.name} ({person.describe()}). Everything you type or click, here and "
            "in the channel, goes as them until you type 'act as me'. (Playground demo only.)"
        )

    def apply(self, activity: Activity) -> None:
        """Make a message or click from a page user who acts as someone come from that person."""
        if activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            return  # installs stay the page user's: their personal chat is theirs
        aad, _ = sender(activity)
        with self._lock:
            person = self._acting.get(aad)
        if person is None:
            return
        activity.from_property = ChannelAccount(id=person.id, name=person.name, aad_object_id=person.aad_object_id)
