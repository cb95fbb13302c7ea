"""Building blocks shared by every card.

Teams renders a TextBlock's ``text`` and a FactSet's titles and values as Markdown (bold, italic, lists,
links, numbered lists), and linkifies bare web addresses. So text a person typed, or that came from data,
must be escaped before it reaches a card, or "[click](https://evil.example)" in a summary becomes a link.
:func:`text`, :func:`heading` and :func:`facts` escape what they are given by construction; only our own
fixed strings opt in to Markdown with ``markdown=True``, escaping any data inside them with :func:`plain`
(``cluster.markdown``: the reports and the outbox escape with it too).
Input values (``Input.Text`` ``value``) are not Markdown and stay as typed.

Every string of every card is also cleaned (``cluster.text.clean_text``) when :func:`card` assembles it:
text is cleaned where it comes in, but a row stored before that may still hold a control character or a
bidi override, which must not reverse the text of an agenda, a vote card or the minutes' card.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from cluster.markdown import plain as plain  # re-exported: the cards and their handlers escape with it
from cluster.text import clean_json

SCHEMA_VERSION = "1.5"
Card = dict[str, Any]


def link(label: str, url: str) -> str:
    """A Markdown link for a ``markdown=True`` text: the label escaped, the address unable to break out of it."""
    return f"[{plain(label)}]({quote(url, safe=_URL_SAFE)})"


# Everything an address may hold except what could end the link's "(…)" or start other Markdown.
_URL_SAFE = "!#$%&'*+,/:;=?@-._~"  # never ( ) < > [ ] backslash, backtick nor a space


def meeting_name(title: str) -> str:
    """'Autumn 2 meeting' from a meeting's title; a title that already says 'meeting' is not said twice."""
    return title if re.search(r"\bmeeting\b", title, re.IGNORECASE) else f"{title} meeting"


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    """An Adaptive Card at schema 1.5 that uses the full width of a Teams message; every string in it cleaned."""
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": SCHEMA_VERSION,
        "body": clean_json(body),
        "msteams": {"width": "Full"},
    }
    if actions:
        result["actions"] = clean_json(actions)
    return result


def heading(text: str) -> dict[str, Any]:
    """A card's title line, shown as given (escaped)."""
    return {"type": "TextBlock", "text": plain(text), "size": "Large", "weight": "Bolder", "wrap": True}


def text(value: str, subtle: bool = False, markdown: bool = False, **extra: Any) -> dict[str, Any]:
    """A wrapping paragraph, shown as given (escaped); ``markdown=True`` only for our own Markdown."""
    block: dict[str, Any] = {"type": "TextBlock", "text": value if markdown else plain(value), "wrap": True}
    if subtle:
        block["isSubtle"] = True
    block.update(extra)
    return block


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A two-column list of labels and values, each shown as given (escaped)."""
    return {"type": "FactSet", "facts": [{"title": plain(t), "value": plain(v)} for t, v in pairs]}


def execute(title: str, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Universal Action button, falling back to Action.Submit on clients without Action.Execute."""
    payload = {"verb": verb, **(data or {})}
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": payload,
        "fallback": {"type": "Action.Submit", "title": title, "data": payload},
    }


def button(title: str, verb: str, data: dict[str, Any] | None = None, inputs: bool = False) -> dict[str, Any]:
    """An :func:`execute` button that sends none of the card's inputs (so validates none), unless ``inputs``.

    A button that only moves between steps or opens something must work on a half-filled form; only a
    button that submits the form (``inputs=True``) takes its inputs with it.
    """
    action = execute(title, verb, data)
    if not inputs:
        action["associatedInputs"] = "None"
        action["fallback"]["associatedInputs"] = "None"
    return action


def message_card(message: str, title: str | None = None, attention: bool = False) -> Card:
    """A card carrying one sentence: how refusals and apologies answer a card click."""
    body: list[dict[str, Any]] = []
    if title:
        body.append(heading(title))
    body.append(text(message, color="Attention") if attention else text(message))
    return card(body)
