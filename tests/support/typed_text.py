"""Typed text that tries to be Markdown, a mention, HTML or a formula, and how to read it back as a person would.

Cards are read as Teams' Markdown would show them; Word documents and spreadsheets as their XML holds them.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx

# CommonMark: a backslash before any ASCII punctuation character shows that character.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Characters that start Markdown (or HTML) wherever they stand unescaped.
_LIVE = frozenset("`*_[]<>~|&")
_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
_BARE_ADDRESS = re.compile(r"(?i)[a-z0-9](?<!\\):(?=//)|\bwww\.|[a-z0-9._%+-]@[a-z0-9]")

EVIL_LINK = "[click](https://evil.example)"
EVIL_MENTION = "<at>Chris Chair</at>"
EVIL_HTML = "<b>bold</b><script>x</script>"
EVIL_FORMULA = '=HYPERLINK("https://evil.example","pay")'
EVIL = f"{EVIL_FORMULA} {EVIL_LINK} {EVIL_MENTION} {EVIL_HTML}"
"""Everything at once, starting with a formula: 124 characters."""
EVIL_LINES = f"{EVIL}\n- a list\n1. a numbered list\n# a heading\n**bold** _italic_ ~~gone~~ `code` www.evil.example"


def unescape(shown: str) -> str:
    """What Teams shows for text escaped with backslashes (the reverse of ``cluster.markdown.plain``)."""
    return _ESCAPE.sub(r"\1", shown)


def live_markup(shown: str) -> list[str]:
    """Every Markdown special in ``shown`` that is not backslash-escaped, so Teams would act on it.

    Also an unescaped link ``[x](y)`` and a bare address Teams would make a link (``https://``, ``www.``,
    an e-mail address). Empty when Teams would show ``unescape(shown)`` literally.
    """
    found: list[str] = []
    i = 0
    while i < len(shown):
        if shown[i] == "\\" and i + 1 < len(shown) and _ESCAPE.match(shown, i):
            i += 2
            continue
        if shown[i] in _LIVE:
            found.append(shown[i])
        i += 1
    found += [m.group(0) for m in _LINK.finditer(shown)]
    found += [m.group(0) for m in _BARE_ADDRESS.finditer(shown)]
    for line in shown.split("\n"):
        if re.match(r"[ \t]*([#+=-]|\d{1,9}[.)](?=[ \t]|$))", line):
            found.append(line[:12])
    return found


def card_texts(card: Any) -> list[str]:
    """Every string Teams renders as Markdown in a card: TextBlock texts and FactSet titles and values."""
    found: list[str] = []
    if isinstance(card, dict):
        if card.get("type") == "TextBlock" and isinstance(card.get("text"), str):
            found.append(card["text"])
        if card.get("type") == "FactSet":
            for fact in card.get("facts", []):
                found += [fact.get("title", ""), fact.get("value", "")]
        for value in card.values():
            if isinstance(value, dict | list):
                found += card_texts(value)
    elif isinstance(card, list):
        for value in card:
            found += card_texts(value)
    return found


def shown_as_typed(card: Any, typed: str) -> bool:
    """Whether some text of ``card`` shows ``typed`` literally (after Teams removes the escapes)."""
    return any(typed in unescape(shown) for shown in card_texts(card))


def docx_text_and_links(data: bytes) -> tuple[list[str], list[str], str]:
    """A Word document as a person reads it: the text of each paragraph and table cell; the addresses of its
    hyperlinks; and its body's XML, to look for fields (such as HYPERLINK) and links that show no text."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.footer.paragraphs + section.header.paragraphs]
    links = [rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return texts, links, xml
