"""A new cluster as a council officer types it: its name, code, referral deadline, settings and meeting days.

Each field's mistakes are said next to it, and nothing is stored unless every field is good. People are
read by the roster's rules (``usecases.roster``), line by line, where the cluster is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

NAME_MAX = 80  # the cluster table's column
CODE_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")  # it prefixes referral references, e.g. NTH-2526-001
SETTING_MAX = 200
# A card's text box can hold anything; a cluster has tens of settings and six meetings a year.
MAX_LINES = 200
DEADLINE_DAYS_MAX = 60
DEFAULT_DEADLINE_DAYS = 7

T = TypeVar("T")
FIELDS = ("name", "code", "deadline_days", "settings", "meetings", "people")


@dataclass(frozen=True)
class NewCluster:
    """A new cluster's checked fields; ``people`` are the typed lines (line number, text), read later."""

    name: str
    code: str
    deadline_days: int
    settings: tuple[str, ...]
    days: tuple[date, ...]
    people: tuple[tuple[int, str], ...]


def lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of a text box, trimmed, with their line numbers (from 1)."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise ValueError("Give the cluster a name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"A cluster's name is at most {NAME_MAX} characters.")
    return name


def _code(raw: str) -> str:
    code = raw.strip().upper()
    if not CODE_RE.fullmatch(code):
        raise ValueError("A code is 2 to 8 letters or digits, starting with a letter (e.g. NTH).")
    return code


def _deadline_days(raw: str) -> int:
    text = raw.strip()
    if not text:
        return DEFAULT_DEADLINE_DAYS
    if not text.isdigit() or int(text) > DEADLINE_DAYS_MAX:
        raise ValueError(f"Enter a whole number of days from 0 to {DEADLINE_DAYS_MAX}.")
    return int(text)


def _settings(raw: str) -> tuple[str, ...]:
    found = lines(raw)
    if len(found) > MAX_LINES:
        raise ValueError(f"At most {MAX_LINES} settings at once.")
    seen: dict[str, int] = {}
    names = []
    for number, line in found:
        name = " ".join(line.split())
        if len(name) > SETTING_MAX:
            raise ValueError(f"line {number}: a setting's name is at most {SETTING_MAX} characters.")
        if name.lower() in seen:
            raise ValueError(f"line {number}: {name} is already on line {seen[name.lower()]}.")
        seen[name.lower()] = number
        names.append(name)
    return tuple(names)


def _days(raw: str) -> tuple[date, ...]:
    found = lines(raw)
    if len(found) > MAX_LINES:
        raise ValueError(f"At most {MAX_LINES} meetings at once.")
    days: list[date] = []
    for number, line in found:
        try:
            day = date.fromisoformat(line) if len(line) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"line {number}: give the day as YYYY-MM-DD, e.g. 2026-02-05.")
        if day in days:
            raise ValueError(f"line {number}: {day.isoformat()} is already on line {days.index(day) + 1}.")
        days.append(day)
    return tuple(days)


def _field(errors: dict[str, str], field: str, reader: Callable[[str], T], values: Mapping[str, str], empty: T) -> T:
    try:
        return reader(values.get(field) or "")
    except ValueError as exc:
        errors[field] = str(exc)
        return empty


def read_new_cluster(values: Mapping[str, str]) -> tuple[NewCluster | None, dict[str, str]]:
    """The form's cluster, or None and each field's mistake (keyed by FIELDS)."""
    errors: dict[str, str] = {}
    name = _field(errors, "name", _name, values, "")
    code = _field(errors, "code", _code, values, "")
    deadline_days = _field(errors, "deadline_days", _deadline_days, values, 0)
    no_settings: tuple[str, ...] = ()
    no_days: tuple[date, ...] = ()
    settings = _field(errors, "settings", _settings, values, no_settings)
    days = _field(errors, "meetings", _days, values, no_days)
    people = lines(values.get("people") or "")
    if len(people) > MAX_LINES:
        errors["people"] = f"At most {MAX_LINES} people at once."
    if errors:
        return None, errors
    return NewCluster(name, code, deadline_days, settings, days, tuple(people)), {}
