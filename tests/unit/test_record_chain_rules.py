"""The record chain's rules (``cluster.record_chain``), free of the database."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cluster.record_chain import GENESIS, Entry, canonical, entry_hash, first_problem, link, text_digest

DECISION = {"id": 1, "amount_pence": 98847, "outcome": "approved"}
PAID = {"id": 4, "state": "paid", "amount_pence": 32949}


def chain_of(*changes: tuple[str, int, dict[str, Any] | None]) -> list[Entry]:
    entries: list[Entry] = []
    for table, row_id, record in changes:
        prev = entries[-1].hash if entries else GENESIS
        entries.append(
            link(prev, len(entries) + 1, "2025-12-11T10:00:00+00:00", "person:3", "x", table, row_id, record)
        )
    return entries


def rows_of(entries: list[Entry]) -> dict[tuple[str, int], dict[str, Any]]:
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for e in entries:
        if e.record is None:
            rows.pop((e.table, e.row_id), None)
        else:
            rows[(e.table, e.row_id)] = dict(e.record)
    return rows


def test_the_same_contents_hash_the_same_whatever_the_order_of_their_keys() -> None:
    assert canonical({"b": 1, "a": [2, "£"]}) == canonical({"a": [2, "£"], "b": 1}) == '{"a":[2,"\\u00a3"],"b":1}'
    assert entry_hash({"b": 1, "a": 2}) == entry_hash({"a": 2, "b": 1})


def test_each_entry_names_the_hash_of_the_one_before_and_the_first_names_the_genesis() -> None:
    first, second = chain_of(("decision", 1, DECISION), ("instalment", 4, PAID))
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert len(first.hash) == 64 and first.hash != second.hash


def test_an_untouched_chain_whose_rows_still_match_verifies() -> None:
    entries = chain_of(("decision", 1, DECISION), ("instalment", 4, {**PAID, "state": "due"}), ("instalment", 4, PAID))
    verified = first_problem(entries, rows_of(entries), head=entries[-1].hash)
    assert (verified.entries, verified.rows, verified.problem) == (3, 2, None)


def test_a_row_changed_since_its_newest_entry_is_named_with_what_changed() -> None:
    entries = chain_of(("decision", 1, DECISION), ("instalment", 4, PAID))
    rows = rows_of(entries)
    rows[("decision", 1)]["amount_pence"] = 988470
    problem = first_problem(entries, rows).problem
    assert problem is not None and problem.seq == 1
    assert problem.sentence == "Entry 1 (decision 1) no longer matches its row: amount_pence changed."


def test_of_two_rows_changed_the_one_with_the_lower_entry_is_named_first() -> None:
    entries = chain_of(("decision", 1, DECISION), ("decision", 2, {**DECISION, "id": 2}), ("instalment", 4, PAID))
    rows = rows_of(entries)
    rows[("instalment", 4)]["state"] = "due"
    rows[("decision", 2)]["outcome"] = "declined"
    problem = first_problem(entries, rows).problem
    assert problem is not None and problem.sentence.startswith("Entry 2 (decision 2)")


def test_a_row_removed_from_the_database_is_named() -> None:
    entries = chain_of(("decision", 1, DECISION))
    problem = first_problem(entries, {}).problem
    assert problem is not None and problem.sentence == "Entry 1 (decision 1) records a row that is no longer there."


def test_a_row_written_without_the_bot_is_named_as_not_in_the_chain() -> None:
    entries = chain_of(("decision", 1, DECISION))
    rows = {**rows_of(entries), ("release", 9): {"id": 9, "amount_pence": 500}}
    problem = first_problem(entries, rows).problem
    assert problem is not None and problem.sentence == "Release 9 is not in the chain: it was written without the bot."


def test_an_entry_edited_after_it_was_written_is_named_by_its_hash() -> None:
    entries = chain_of(("decision", 1, DECISION), ("instalment", 4, PAID))
    entries[0] = replace(entries[0], actor="someone else")
    problem = first_problem(entries, rows_of(entries)).problem
    assert problem is not None and problem.seq == 1
    assert "was changed after it was written" in problem.sentence


def test_an_entry_removed_from_the_middle_or_the_end_is_named() -> None:
    entries = chain_of(("decision", 1, DECISION), ("instalment", 4, PAID), ("instalment", 5, PAID))
    middle = first_problem([entries[0], entries[2]], rows_of(entries)).problem
    assert middle is not None and middle.sentence == "Entry 2 is missing: the chain jumps to 3."
    end = first_problem(entries[:2], rows_of(entries[:2]), head=entries[2].hash).problem
    assert end is not None and "entries were removed from the end" in end.sentence


def test_an_entry_rewritten_with_its_hash_worked_out_again_breaks_the_link_after_it() -> None:
    entries = chain_of(("decision", 1, DECISION), ("instalment", 4, PAID))
    forged = link(GENESIS, 1, entries[0].at, "person:3", "x", "decision", 1, {**DECISION, "amount_pence": 1})
    problem = first_problem([forged, entries[1]], rows_of([forged, entries[1]])).problem
    assert problem is not None and problem.sentence.startswith(
        "Entry 2 (instalment 4) does not follow the entry before"
    )


def test_free_text_is_kept_as_a_digest_that_changes_with_the_text() -> None:
    assert text_digest("Weekly speech therapy", "") != text_digest("Weekly speech therapy", " ")
    assert "speech" not in text_digest("Weekly speech therapy")
