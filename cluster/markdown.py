r"""Text shown as typed in Teams' Markdown: the one escaper every renderer uses.

Teams renders a TextBlock's ``text`` and a FactSet's titles and values as Markdown, and linkifies bare web
addresses; the minutes are a Markdown document; a notice the outbox writes itself quotes a person's name.
All of them show text a person typed, so all of them escape it with :func:`plain`. It lives here, below the
renderers (``cards``, ``reports``) and the tables (``store``), so each imports it downwards.
"""

from __future__ import annotations

import re

from cluster.text import clean_text

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
