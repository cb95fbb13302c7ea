"""What the provision map reads from the Costed Provision Document: the version in use, a search, one row.

On SQLite and PostgreSQL, with a document of several hundred rows as a city's is.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from cluster.clock import LONDON
from cluster.provision_document import DocumentRow
from store.db import transaction
from store.provision_lookup import current_document, entries, entry
from tests.support.queries import count_queries
from usecases.provision_documents import store_document

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


def row(line: int, provision: str, delivered_by: str = "Teaching assistant", area: str = "CL") -> DocumentRow:
    return DocumentRow(
        line=line,
        area_of_need=area,
        provision=provision,
        delivered_by=delivered_by,
        unit="hour",
        unit_cost_pence=1850 + line,
        group_size=None,
        notes="",
    )


def load(engine: Engine, year: str, rows: list[DocumentRow]) -> int:
    with transaction(engine) as session:
        return store_document(session, rows, year, f"{year}.csv", NOW, "test").version.id


CITY = [row(n, f"Intervention {n:03d}") for n in range(2, 402)] + [
    row(402, "Speech and language group", "Speech and language therapy assistant", "CI"),
    row(403, "Group speech and language therapy", "Speech and language therapist", "CI"),
    row(404, "Precision teaching (100% one to one)", "Teaching assistant"),
    row(405, "Lego-based therapy", "Teaching assistant", "CI"),
]


def test_the_version_in_use_is_the_newest_of_today_s_year_or_else_of_the_last_year_before(engine: Engine) -> None:
    with transaction(engine, read_only=True) as session:
        assert current_document(session, date(2025, 11, 20)) is None
    last_year = load(engine, "2024-25", [row(2, "Group")])
    this_year = load(engine, "2025-26", [row(2, "Group")])
    newer = load(engine, "2025-26", [row(2, "Group"), row(3, "Pairs")])
    next_year = load(engine, "2026-27", [row(2, "Group")])
    with transaction(engine, read_only=True) as session:
        assert current_document(session, date(2025, 3, 31)) == last_year
        assert current_document(session, date(2025, 11, 20)) == newer != this_year
        assert current_document(session, date(2026, 4, 1)) == next_year


def test_a_search_finds_every_word_typed_in_the_provision_or_deliverer_best_first(engine: Engine) -> None:
    document = load(engine, "2025-26", CITY)
    with transaction(engine, read_only=True) as session:
        found = [e.provision for e in entries(session, document, " speech  LANGUAGE ", 15)]
        assert found == ["Speech and language group", "Group speech and language therapy"]
        assert [e.provision for e in entries(session, document, "therapist", 15)] == [
            "Group speech and language therapy"
        ]
        assert [e.provision for e in entries(session, document, "100%", 15)] == ["Precision teaching (100% one to one)"]
        assert [e.provision for e in entries(session, document, "lego", 15, area_of_need="CL")] == []
        assert len(entries(session, document, "", 15)) == 15
        assert len(entries(session, document, "intervention", 1000)) == 50, "a search returns at most 50 rows"


def test_a_search_is_one_query_however_large_the_document(engine: Engine) -> None:
    document = load(engine, "2025-26", CITY)
    with transaction(engine, read_only=True) as session, count_queries(engine) as counted:
        entries(session, document, "intervention 1", 15)
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and counted.count <= 2  # and the BEGIN, where the driver sends one


def test_one_row_is_read_by_its_id_with_its_document_and_price(engine: Engine) -> None:
    document = load(engine, "2025-26", CITY)
    with transaction(engine, read_only=True) as session:
        [found] = entries(session, document, "lego", 15)
        again = entry(session, found.id)
        assert again == found and again.document_id == document and again.unit_cost_pence == 1850 + 405
        assert entry(session, found.id + 10_000) is None
