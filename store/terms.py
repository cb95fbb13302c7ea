"""The council's school term dates as rows: read from a file, stored all or nothing, and read back as terms.

The bot ships indicative dates for 2025/26 to 2027/28 (``store/data/term_dates.json``), loaded on seed
where a year has none; an officer loads the council's published dates with ``clusterbot terms import``
(the same JSON, or a CSV with ``year,term,starts,ends``), which replaces the terms it names. Instalments
already written keep their dates: a ledger entry is not moved by a later change of term dates.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from cluster.errors import Refusal
from cluster.terms import Term, TermName, check_terms, parse_term_rows
from cluster.text import clean_all
from store import audit
from store.models import TermDate

TERM_DATES = Path(__file__).parent / "data" / "term_dates.json"
SHIPPED_SOURCE = "shipped with the bot (indicative)"


class TermsError(ValueError):
    """A term-dates file that cannot be loaded; ``problems`` says what is wrong, line by line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class TermsLoaded:
    """What loading term dates did."""

    added: int
    changed: int
    terms: tuple[Term, ...]  # every term loaded afterwards, in order


def parse_terms(text: str, name: str) -> list[Term]:
    """The terms in a file's text: JSON (``{"terms": [...]}`` or a list) when it looks like JSON, else CSV."""
    stripped = text.lstrip("\ufeff").strip()
    rows: list[dict[str, Any]]
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise TermsError([f"{name} is not valid JSON: {exc}"]) from None
        listed = data.get("terms") if isinstance(data, dict) else data
        if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
            raise TermsError([f"{name}: expected a list of terms, each with year, term, starts and ends"])
        rows = listed
    else:
        reader = csv.DictReader(io.StringIO(stripped))
        rows = [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
    terms, problems = parse_term_rows(clean_all(rows))
    if problems:
        raise TermsError(problems)
    if not terms:
        raise TermsError([f"{name} holds no terms"])
    return terms


def read_terms_file(path: Path) -> list[Term]:
    """The terms in a JSON or CSV file; :class:`TermsError` saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TermsError([f"cannot read {path}: {exc}"]) from None
    return parse_terms(text, path.name)


def loaded_terms(session: Session) -> tuple[Term, ...]:
    """Every loaded term, in order (one query; a handful of rows a year)."""
    rows = session.exec(select(TermDate).order_by(col(TermDate.starts))).all()
    return tuple(Term(r.starts, r.ends, TermName(r.name), r.year) for r in rows)


def store_terms(session: Session, terms: list[Term], now: datetime, actor: str, source: str) -> TermsLoaded:
    """Add or replace the given terms (by year and term), in the caller's unit; refuses overlaps, all or nothing."""
    existing = {(r.year, r.name): r for r in session.exec(select(TermDate))}
    incoming = {(t.year, t.name.value): t for t in terms}
    kept = [Term(r.starts, r.ends, TermName(r.name), r.year) for k, r in existing.items() if k not in incoming]
    try:
        final = check_terms([*kept, *incoming.values()])
    except Refusal as refusal:
        raise TermsError([refusal.message]) from None
    added = changed = 0
    # Rows are replaced in two steps: a new start may equal another row's old one (the start is unique).
    for key, term in incoming.items():
        row = existing.get(key)
        if row is not None and (row.starts, row.ends) != (term.starts, term.ends):
            session.delete(row)
            existing.pop(key)
            changed += 1
    session.flush()
    for key, term in incoming.items():
        if key in existing:
            continue
        session.add(
            TermDate(
                year=term.year, name=term.name.value, starts=term.starts, ends=term.ends, source=source, loaded_at=now
            )
        )
        added += 1
    added -= changed
    session.flush()
    if added or changed:
        audit.record(session, now, actor, "terms.load", "terms", source=source, added=added, changed=changed)
    return TermsLoaded(added, changed, final)


def load_shipped(session: Session, now: datetime, actor: str) -> int:
    """Add the shipped (indicative) terms for school years that have none loaded; returns how many were added.

    Never replaces what an officer loaded: a year with any term loaded is left as it is.
    """
    years = set(session.exec(select(TermDate.year)).all())
    wanted = [t for t in read_terms_file(TERM_DATES) if t.year not in years]
    if not wanted:
        return 0
    return store_terms(session, wanted, now, actor, SHIPPED_SOURCE).added
