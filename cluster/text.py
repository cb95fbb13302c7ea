r"""Text from any keyboard, made safe once: the one rule for control characters and bidi controls.

Text reaches the bot from Teams (messages, card inputs, display names, file names), from files (roster,
cluster and settings files, a finance system's payments CSV, term dates) and from the command line. Some of
it carries characters no person meant to type and that break what is made from it:

- Control characters. PowerPoint and Word paste U+000B (a line break inside a paragraph) and U+000C (a page
  break); python-docx and openpyxl refuse them, and XML cannot hold them at all, so one in a chair's feedback
  used to stop the decision letter being made. Line breaks stay line breaks: U+000B, U+000C, U+0085 (NEL),
  U+2028 and U+2029, "\r\n" and a lone "\r" all become "\n". Tabs stay. Every other C0 control, DEL and
  every C1 control go.
- Characters that are not characters: lone surrogates (a JSON "\ud800" decodes to one) and U+FFFE/U+FFFF.
- Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). A typed U+202E (right-to-left
  override) would show the rest of a line reversed in a channel post or the minutes, so "ECNELAV" could read
  as someone else's words, and a file name "report\u202Excod.exe" as "reportexe.docx". They are removed.
  The three bidi *marks* (U+200E left-to-right, U+200F right-to-left, U+061C Arabic letter mark) stay: they
  reorder nothing beyond the neutral characters beside them, and people writing Urdu, Arabic or Hebrew
  names need them to show punctuation on the right side.

:func:`clean_text` is applied where text comes in (``bot.teams.activities``, the file imports, the CLI), so use cases
never see these characters, and again by every writer (cards, Word, spreadsheets, logs), so rows stored
before the rule existed still make a letter, a pack, the minutes and a spreadsheet.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, TypeVar

T = TypeVar("T")

LINE_BREAKS = "\x0b\x0c\x85\u2028\u2029"
"""Line breaks other than a line feed: each becomes one (PowerPoint's soft return, Word's page break, NEL, and
Unicode's line and paragraph separators)."""
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates with their pops: removed, so typed text never reverses what follows."""

_REMOVED = (
    [c for c in range(0x00, 0x20) if chr(c) not in "\t\n\r\x0b\x0c"]
    + list(range(0x7F, 0xA0))  # DEL and the C1 controls
    + list(range(0xD800, 0xE000))  # surrogates: only ever lone in a str
    + [0xFFFE, 0xFFFF]
    + [ord(c) for c in BIDI_CONTROLS]
)
_TABLE: dict[int, str | None] = {c: None for c in _REMOVED}
_TABLE.update({ord(c): "\n" for c in LINE_BREAKS + "\r"})
# Anything the table changes. Nearly all text has none of it, and one search is cheaper than a translation
# (cards are drawn on every click, each with dozens of strings).
_ANY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    r"""``value`` without control characters (bar line breaks and tabs) or bidi overrides; breaks made "\n".

    Idempotent, and the identity on ordinary text: ``clean_text(clean_text(x)) == clean_text(x)``.
    """
    if not _ANY.search(value):
        return value
    return value.replace("\r\n", "\n").translate(_TABLE)


def is_clean(value: str) -> bool:
    """Whether :func:`clean_text` would leave ``value`` as it is."""
    return _ANY.search(value) is None


def clean_all(value: T) -> T:
    """``value`` with :func:`clean_text` applied to every string in it, however deeply held.

    Goes through dicts (keys and values), lists, tuples and dataclass instances (rebuilt with
    ``dataclasses.replace``); a ``str`` subclass (an enum member) and anything else is kept as it is, so
    the result has the same shape and types. What is already clean comes back as the same object.
    """
    return _clean(value)  # type: ignore[no-any-return]


# What a string needing cleaning looks like in ``json.dumps(..., ensure_ascii=False)``: C0 controls other than
# tab and line feed are escaped (\b, \f, \r, \u00XX in lower case), the rest are written as they are.
_JSON_ANY = re.compile(
    r"\\[bfr]|\\u00(?:0[0-8bcef]|1[0-9a-f])|[\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def clean_json(value: T) -> T:
    """:func:`clean_all` for JSON data (a card), which first looks, at C speed, whether any string needs it.

    Nearly every card is clean, and serialising it once is several times cheaper than walking it in Python.
    """
    try:
        dirty = _JSON_ANY.search(json.dumps(value, ensure_ascii=False)) is not None
    except (TypeError, ValueError):  # not JSON after all: walk it
        dirty = True
    return clean_all(value) if dirty else value


def _clean(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return clean_text(value)
    if kind is dict:
        pairs = [(_clean(k), _clean(v)) for k, v in value.items()]
        same = all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    if kind is list or isinstance(value, tuple):
        items = [_clean(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if kind is list or kind is tuple:
            return kind(items)
        return kind._make(items) if hasattr(kind, "_make") else value  # a named tuple
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if field.init:
                old = getattr(value, field.name)
                new = _clean(old)
                if new is not old:
                    changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def to_json(value: Any) -> str:
    r"""``value`` as compact JSON text with its characters as they are (UTF-8 once encoded), not ``\u`` escapes.

    "é" is two bytes of UTF-8 instead of the six of ``\u00e9``, which alone took an accented draft at its field
    limits from 26 KB to 52 KB. A lone surrogate (only a ``\u`` escape in what was sent can carry one) cannot
    be encoded as UTF-8: that value is escaped as before rather than failing to send. Here, below the cards and
    the outbox, because both serialise what the bot sends with it.
    """
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return out
