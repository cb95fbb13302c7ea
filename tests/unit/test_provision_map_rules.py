"""The provision map's rules when it is priced from the council's Costed Provision Document (issue 21)."""

from __future__ import annotations

import pytest

from cluster.errors import InvalidInput
from cluster.provision import ProvisionRow, totals
from cluster.provision_document import DocumentEntry
from cluster.provision_map import (
    BOTH,
    CHOOSE,
    ENTRY,
    amount_fields,
    choose_or_describe,
    custom_or_costed,
    custom_row,
    custom_rows,
    priced_row,
)
from tests.support.provision_entries import document_row


def document_entry(
    entry_id: int, provision: str, area: str, delivered_by: str, unit: str, cost: int, group: int | None
) -> DocumentEntry:
    """A row of document 1, as the document's reads give it."""
    row = document_row(entry_id, provision, delivered_by, unit, cost, group, area)
    return DocumentEntry(id=entry_id, document_id=1, **row.__dict__)


GROUP = document_entry(7, "Speech and language group", "CI", "Teaching assistant", "hour", 2150, 6)
THERAPY = document_entry(8, "SALT one to one", "CI", "Therapist", "session", 6500, None)
ELSA = document_entry(9, "ELSA", "SEMH", "ELSA assistant", "week", 4000, 1)
ASSESSMENT = document_entry(10, "Assessment", "CL", "Specialist teacher", "item", 32000, 1)


def test_a_row_priced_by_the_hour_takes_the_documents_rate_and_fixed_group() -> None:
    typed = {"minutes_per_session": "30", "sessions_per_week": "3", "weeks": "38", "group_size": "2"}
    row = priced_row(GROUP, typed)
    assert (row.hourly_rate_pence, row.group_size, row.unit, row.entry_id) == (2150, 6, "hour", 7)
    assert row.cost_pence == 20425  # 57 hours at £21.50 shared by 6


def test_a_row_priced_by_the_session_the_week_or_the_item_counts_that_unit() -> None:
    assert priced_row(THERAPY, {"sessions_per_week": "1", "weeks": "10", "group_size": "2"}).cost_pence == 32500
    assert priced_row(ELSA, {"weeks": "12"}).cost_pence == 48000
    assert priced_row(ASSESSMENT, {"weeks": "1"}).cost_pence == 32000


def test_the_senco_gives_only_the_amounts_the_unit_needs_and_the_group_where_the_document_leaves_it() -> None:
    assert [f.name for f in amount_fields("hour", True)] == ["minutes_per_session", "sessions_per_week", "weeks"]
    assert [f.name for f in amount_fields("session", False)] == ["sessions_per_week", "weeks", "group_size"]
    assert [f.name for f in amount_fields("term", True)] == ["weeks"]
    with pytest.raises(InvalidInput) as missing:
        priced_row(THERAPY, {"weeks": "10"})
    assert set(missing.value.errors) == {"sessions_per_week", "group_size"}


def test_an_hourly_row_costs_the_same_as_before_the_document_to_the_penny() -> None:
    row = ProvisionRow("x", "CI", "TA", 45, 1, 1, 12, 6233)
    assert row.cost_pence == 56097 and totals([row]).total_pence == 56097


def test_a_provision_not_in_the_document_needs_its_reason() -> None:
    typed = {
        "provision": "Equine therapy",
        "area_of_need": "SEMH",
        "delivered_by": "Farm partner",
        "minutes_per_session": "60",
        "sessions_per_week": "1",
        "group_size": "1",
        "weeks": "6",
        "hourly_rate": "40",
    }
    with pytest.raises(InvalidInput) as missing:
        custom_row(typed)
    assert set(missing.value.errors) == {"custom_reason"}
    row = custom_row({**typed, "custom_reason": "Nothing in the document works outdoors."})
    assert (row.entry_id, row.custom_reason, row.cost_pence) == (None, "Nothing in the document works outdoors.", 24000)


def test_a_row_names_a_document_provision_or_describes_one_never_both_or_neither() -> None:
    with pytest.raises(InvalidInput) as neither:
        choose_or_describe(False, {"weeks": "3"})
    assert neither.value.errors == {ENTRY: CHOOSE}
    with pytest.raises(InvalidInput) as both:
        choose_or_describe(True, {"provision": "Equine therapy"})
    assert both.value.errors == {ENTRY: BOTH}
    choose_or_describe(True, {"weeks": "3"})
    choose_or_describe(False, {"provision": "Equine therapy"})


def test_an_agenda_names_only_the_rows_the_document_lacks() -> None:
    document_row = custom_or_costed(30, 3, 2, 38, 1500, "hour", 7, "Speech group", "")
    typed_row = custom_or_costed(60, 1, 1, 6, 4000, "hour", None, "Equine therapy", "Works outdoors.")
    assert document_row.provision == "" and typed_row.provision == "Equine therapy"
    assert [(r.provision, r.reason) for r in custom_rows([document_row, typed_row])] == [
        ("Equine therapy", "Works outdoors.")
    ]
