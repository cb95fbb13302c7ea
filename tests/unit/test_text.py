"""The one rule for typed text (``cluster.text``), its log lines (``bot.log_text``) and spreadsheet cells."""

from __future__ import annotations

import dataclasses
import logging
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.http.log_text import clean_record, one_line
from cluster.referrals import Kind
from cluster.text import BIDI_CONTROLS, clean_all, clean_json, clean_text, is_clean
from reports.workbook import put_cell
from usecases.ledger import read_payments
from usecases.roster import parse_csv as parse_roster


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Line one\x0bLine two", "Line one\nLine two"),  # PowerPoint's line break inside a paragraph
        ("Page one\x0cPage two", "Page one\nPage two"),  # Word's page break
        ("a\r\nb\rc\x85d\u2028e\u2029f", "a\nb\nc\nd\ne\nf"),
        ("tab\tstays\nand so does a line feed", "tab\tstays\nand so does a line feed"),
        ("nul\x00 bell\x07 esc\x1b del\x7f c1\x9b", "nul bell esc del c1"),
        ("lone \ud800surrogate and \ufffenon\uffffcharacters", "lone surrogate and noncharacters"),
        ("Uses \u202e3-word phrases\u202c by July", "Uses 3-word phrases by July"),
        ("\u202a\u202b\u202d\u2066\u2067\u2068\u2069isolated", "isolated"),
        ("\u0627\u0644\u0645\u062f\u0631\u0633\u0629\u200f (Urdu/Arabic name with its mark)\u200e\u061c", None),
        ("Ünïcödé £50 — “quotes” 😀", None),
    ],
)
def test_clean_text_keeps_line_breaks_and_tabs_and_removes_controls_and_overrides(typed: str, kept: str | None) -> None:
    assert clean_text(typed) == (typed if kept is None else kept)


def test_ordinary_text_comes_back_as_the_same_object() -> None:
    typed = "Nurture room for Key Stage 1"
    assert clean_text(typed) is typed and is_clean(typed)


@given(st.text())
def test_cleaning_is_idempotent_and_leaves_nothing_python_docx_or_openpyxl_refuse(typed: str) -> None:
    cleaned = clean_text(typed)
    assert clean_text(cleaned) == cleaned and is_clean(cleaned)
    assert not any(c in cleaned for c in BIDI_CONTROLS)
    assert all(c in "\t\n" or 0x20 <= ord(c) < 0x7F or ord(c) >= 0xA0 for c in cleaned)
    assert not any(0xD800 <= ord(c) < 0xE000 or c in "\ufffe\uffff" for c in cleaned)


@dataclasses.dataclass(frozen=True)
class Inner:
    name: str
    kind: Kind


class Pair(NamedTuple):
    left: str
    right: int


@dataclasses.dataclass(frozen=True)
class Outer:
    inner: Inner
    rows: tuple[Inner, ...]
    details: dict[str, object]
    pair: Pair


def test_clean_all_reaches_every_string_however_held_and_keeps_the_shape() -> None:
    dirty = Outer(
        Inner("a\x0bb", Kind.PROJECT),
        (Inner("c\u202ed", Kind.INDIVIDUAL),),
        {"k\x00": ["e\x0cf", 3, None, {"g": "h\x1b"}]},
        Pair("i\x07", 1),
    )
    cleaned = clean_all(dirty)
    assert cleaned == Outer(
        Inner("a\nb", Kind.PROJECT),
        (Inner("cd", Kind.INDIVIDUAL),),
        {"k": ["e\nf", 3, None, {"g": "h"}]},
        Pair("i", 1),
    )
    assert cleaned.inner.kind is Kind.PROJECT and isinstance(cleaned.pair, Pair)
    clean = Outer(Inner("x", Kind.PROJECT), (), {"y": [1]}, Pair("z", 2))
    assert clean_all(clean) is clean, "nothing to clean: nothing copied"


def test_a_log_record_quoting_typed_text_stays_one_clean_line() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "ignored %s (%d)", ("a\nforged\x1b[31m\u202e", 2), None)
    assert clean_record(record).getMessage() == "ignored a\\nforged[31m (2)"
    assert one_line("ok") == "ok"
    bad = logging.LogRecord("t", logging.INFO, __file__, 1, "%d", ("not a number",), None)
    assert clean_record(bad) is bad and bad.args == ("not a number",), "left for logging to report"


def test_a_spreadsheet_cell_is_cleaned_and_stays_text() -> None:
    cell = Workbook().active["A1"]
    put_cell(cell, '=HYPERLINK("x")\x0bnext\u202e line\x00')
    assert cell.value == '=HYPERLINK("x")\nnext line' and cell.data_type == "s" and cell.quotePrefix
    put_cell(cell, "\x00\x1b")
    assert cell.value is None


def test_files_are_cleaned_as_they_are_read() -> None:
    [entry] = parse_roster("name,email,role,cluster\nAda\x0b \u202eAdmin,ada@stoke.example,admin,Central\x00\n")
    assert (entry.name, entry.cluster) == ("Ada\n Admin", "Central")
    payments = "instalment_id,amount,paid_on,payment_reference\n7,329.49,2026-01-06,BACS\u202e-0001\x1b\n"
    [line], problems = read_payments(payments)
    assert problems == [] and line.payment_reference == "BACS-0001"


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x0c", "\r", "\x1f", "\x7f", "\x85", "\u202e", "\ud800"])
def test_a_card_is_walked_only_when_some_string_in_it_needs_cleaning(char: str) -> None:
    card = {"type": "AdaptiveCard", "body": [{"type": "Input.Text", "value": f"typed{char}"}], "n": 1}
    assert clean_json(card) == clean_all(card) != card
    clean = {"type": "AdaptiveCard", "body": [{"text": 'tab\tline\nquote" back\\slash \\b \\r'}]}
    assert clean_json(clean) is clean
