"""The record of the money that no one can quietly rewrite: each entry carries a hash of the one before.

Every decision, payment marked, release and budget change the bot writes is copied, in the same transaction,
into an entry of the chain (``store.chain``): what the row held then, who changed it and when, the hash of the
entry before it, and its own hash over all of that. These are the rules, free of the database:

- :func:`entry_hash` is SHA-256 over one canonical line (keys sorted, no spaces), so the same entry always
  hashes the same on SQLite and PostgreSQL, on any machine;
- :func:`first_problem` walks the entries in order and names the first that does not hold: a hash that does
  not match its contents (an entry edited), a link that does not match the entry before (one removed, added
  or put out of order), or a row that no longer holds what its newest entry says (the row changed without
  the bot, or removed). A row the bot wrote that is missing from the chain is named too.

What a verified chain proves, and what it does not, is in the README ("A record no one can quietly rewrite").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""What the first entry names as the one before it."""

TEXT_DIGEST = "text_sha256"
"""The key under which a row's free text is kept only as a digest (it may hold a pupil's details)."""

NAMES = {"decision": "decision", "instalment": "instalment", "release": "release", "budget": "budget"}
"""How each chained table's rows are named in a sentence."""


def canonical(value: Mapping[str, Any]) -> str:
    """One line for ``value``, the same for the same contents whatever the order of its keys."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def text_digest(*texts: str) -> str:
    """A digest of free text: it shows the text changed without keeping it in a record that cannot be erased."""
    return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One link of the chain as stored."""

    seq: int
    at: str  # UTC, ISO 8601
    actor: str
    action: str
    table: str
    row_id: int
    record: Mapping[str, Any] | None  # None: the row was removed
    prev_hash: str
    hash: str

    def contents(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash itself."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "table": self.table,
            "row_id": self.row_id,
            "record": None if self.record is None else dict(self.record),
            "prev_hash": self.prev_hash,
        }

    def named(self) -> str:
        """How a sentence names the entry: ``entry 7 (decision 3)``."""
        return f"entry {self.seq} ({NAMES.get(self.table, self.table)} {self.row_id})"


def entry_hash(contents: Mapping[str, Any]) -> str:
    """The SHA-256 of an entry's canonical contents, as hex."""
    return hashlib.sha256(canonical(contents).encode()).hexdigest()


def link(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    table: str,
    row_id: int,
    record: Mapping[str, Any] | None,
) -> Entry:
    """The next entry after one whose hash is ``prev_hash``, with its own hash worked out."""
    unhashed = Entry(seq, at, actor, action, table, row_id, record, prev_hash, "")
    return Entry(seq, at, actor, action, table, row_id, record, prev_hash, entry_hash(unhashed.contents()))


@dataclass(frozen=True)
class Problem:
    """The first thing that does not hold, as the sentence an officer reads, and the entry it is about."""

    seq: int | None
    sentence: str


@dataclass(frozen=True)
class Verified:
    """What a check found: how many entries and rows it checked, and the first problem if any."""

    entries: int
    rows: int
    problem: Problem | None


def _differences(kept: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    # Only what the entry kept: a column added to the table later is checked from the row's next change.
    return sorted(k for k in kept if kept[k] != now.get(k))


def first_problem(
    entries: Iterable[Entry], rows: Mapping[tuple[str, int], Mapping[str, Any]], *, head: str | None = None
) -> Verified:
    """Check the chain ``entries`` (in order) against ``rows``, the chained tables' rows as they are now.

    ``head`` is the hash the chain's head says its last entry has (``None`` when not kept): an entry cut
    from the end is then named too. Problems in the chain come before problems in the rows, and each kind
    is named at its lowest entry, so the answer is the same whichever way the database returns the rows.
    """
    newest: dict[tuple[str, int], Entry] = {}
    prev, count, expected_seq = GENESIS, 0, 1
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return Verified(
                count, 0, Problem(entry.seq, f"Entry {expected_seq} is missing: the chain jumps to {entry.seq}.")
            )
        if entry.prev_hash != prev:
            return Verified(
                count,
                0,
                Problem(
                    entry.seq,
                    f"{entry.named().capitalize()} does not follow the entry before it: the chain is broken there.",
                ),
            )
        if entry_hash(entry.contents()) != entry.hash:
            return Verified(
                count,
                0,
                Problem(
                    entry.seq,
                    f"{entry.named().capitalize()} was changed after it was written: its hash does not match.",
                ),
            )
        prev, expected_seq = entry.hash, expected_seq + 1
        newest[(entry.table, entry.row_id)] = entry
    if head is not None and head != prev:
        return Verified(
            count,
            0,
            Problem(
                None,
                f"The chain ends at entry {count}, but its head names a later one: entries were removed from the end.",
            ),
        )
    problems: list[tuple[int, str]] = []
    for key, entry in newest.items():
        now = rows.get(key)
        if entry.record is None:
            if now is not None:
                problems.append((entry.seq, f"{entry.named().capitalize()} says the row was removed, but it is there."))
            continue
        if now is None:
            problems.append((entry.seq, f"{entry.named().capitalize()} records a row that is no longer there."))
            continue
        changed = _differences(entry.record, now)
        if changed:
            fields = ", ".join(c.replace(TEXT_DIGEST, "its text") for c in changed)
            problems.append((entry.seq, f"{entry.named().capitalize()} no longer matches its row: {fields} changed."))
    if problems:
        seq, sentence = min(problems)
        return Verified(count, len(rows), Problem(seq, sentence))
    unchained = sorted(key for key in rows if key not in newest)
    if unchained:
        table, row_id = unchained[0]
        sentence = (
            f"{NAMES.get(table, table).capitalize()} {row_id} is not in the chain: it was written without the bot."
        )
        return Verified(count, len(rows), Problem(None, sentence))
    return Verified(count, len(rows), None)
