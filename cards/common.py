"""Building blocks shared by every card.

Teams renders a TextBlock's ``text`` and a FactSet's titles and values as Markdown (bold, italic, lists,
links, numbered lists), and linkifies bare web addresses. So text a person typed, or that came from data,
must be escaped before it reaches a card, or "[click](https://evil.example)" in a summary becomes a link.
:func:`text`, :func:`heading` and :func:`facts` escape what they are given by construction; only our own
fixed strings opt in to Markdown with ``markdown=True``, escaping any data inside them with :func:`plain`.
Input values (``Input.Text`` ``value``) are not Markdown and stay as typed.

Every string of every card is also cleaned (``cluster.text.clean_text``) when :func:`card` assembles it:
text is cleaned where it comes in, but a row stored before that may still hold a control character or a
bidi override, which must not reverse the text of an agenda, a vote card or the minutes' card.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from cluster.text import clean_json, clean_text

SCHEMA_VERSION = "1.5"
Card = dict[str, Any]


# Markdown that could start anywhere in a line: emphasis, code, links and images, HTML and entities, strike,
# tables. A backslash before any ASCII punctuation shows that character (CommonMark, honoured by Teams).
_ANYWHERE = re.compile(r"([\\`*_\[\]<>~|&])")
# What means something only at the start of a line (after any indentation): headings, block quotes (">" is
# already escaped anywhere), bullets, setext underlines, and numbered lists ("1." and "1)").
_LINE_START = re.compile(r"^([ \t]*)(?:([#+=-])|(\d{1,9})([.)])(?=[ \t]|$))", re.MULTILINE)
# Autolinks that need no brackets: "https://…" (any scheme), "www.…", "mailto:", "xmpp:" and e-mail addresses.
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?i:(?<=\bmailto)|(?<=\bxmpp))(:)")
_WWW_DOT = re.compile(r"(?i)(\bwww)(\.)")
_EMAIL_AT = re.compile(r"(?<=[A-Za-z0-9._%+-])(@)(?=[A-Za-z0-9])")
# Anything one of the rules above could change. Most text a card shows (names, titles, dates, amounts) has
# none of it, and one search is cheaper than five substitutions (cards are drawn on every click and nudge).
_MAYBE_MARKDOWN = re.compile(r"[\\`*_\[\]<>~|&:@]|(?i:www\.)|^[ \t]*[#+=\-\d]", re.MULTILINE)


def plain(value: str, line_start: bool = True) -> str:
    r"""``value`` escaped so that Teams' Markdown shows it exactly as typed: never bold, a list, a link or a tag.

    Every character that could start Markdown is backslash-escaped, and only those, so ordinary prose stays
    readable in the card JSON:

    - ``\ ` * _ [ ] < > ~ | &`` wherever they are. ``<`` and ``>`` make ``<at>…</at>`` (a mention), ``<b>``
      and ``<https://…>`` plain text; ``&`` keeps ``&lt;`` from turning into ``<``.
    - ``# + - =`` and the ``.`` or ``)`` of ``1.`` / ``1)`` at the start of a line (headings, lists).
    - So that a bare address is not made a link: the ``:`` of ``scheme://`` and of ``mailto:``/``xmpp:``, the
      ``.`` of ``www.`` and the ``@`` of an e-mail address. A bare host name (``evil.example``) is not a link.

    Parentheses, ``!``, ``{`` and ``}`` mean nothing once ``[`` and ``]`` are escaped, so they are left alone.
    Backslash escapes (which Teams honours, as CommonMark does) rather than invisible joiners, so that what a
    person copies from the card is what was typed. Reverse it by dropping each backslash before punctuation.

    ``line_start=False`` leaves out the start-of-line rules, for text that never begins a line of a Markdown
    document (such as a table cell, where "-£20.00" is not a list).

    Control characters and bidi overrides are removed first (:func:`cluster.text.clean_text`).
    """
    value = clean_text(value)
    if not _MAYBE_MARKDOWN.search(value):
        return value
    return escape_markdown(value, line_start)


def escape_markdown(value: str, line_start: bool = True) -> str:
    """Every rule of :func:`plain` applied to ``value``, without first looking whether any could apply."""
    escaped = _ANYWHERE.sub(r"\\\1", value)
    if line_start:
        escaped = _LINE_START.sub(_line_start, escaped)
    escaped = _SCHEME_COLON.sub(lambda m: "\\:", escaped)
    escaped = _WWW_DOT.sub(r"\1\\\2", escaped)
    return _EMAIL_AT.sub(r"\\\1", escaped)


def _line_start(match: re.Match[str]) -> str:
    indent, mark, digits, stop = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{digits}\\{stop}"


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


def message_card(message: str, title: str | None = None, attention: bool = False) -> Card:
    """A card carrying one sentence: how refusals and apologies answer a card click."""
    body: list[dict[str, Any]] = []
    if title:
        body.append(heading(title))
    body.append(text(message, color="Attention") if attention else text(message))
    return card(body)
