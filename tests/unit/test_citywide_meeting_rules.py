"""The Citywide Meeting's rules and its pack card: when the pack is due, its period, and its size."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from cards.citywide_pack import MAX_BYTES, card_bytes, citywide_pack_card
from cluster.citywide_meetings import (
    CitywidePack,
    CitywideSlot,
    ClusterPack,
    PackDecision,
    PackReview,
    PackVisit,
    Section,
    next_citywide,
    pack_day,
    pack_due,
    period_start,
)
from cluster.clock import LONDON
from store.seed import bank_holidays

MEETING = CitywideSlot(1, date(2026, 2, 12), time(9, 30), time(12, 0))
LONG = "The Very Long Name Of A Federation Of Church Of England Voluntary Aided Primary Schools " * 2


def test_a_pack_is_due_five_working_days_before_its_meeting_until_the_meeting_ends() -> None:
    assert pack_day(MEETING.day) == date(2026, 2, 5)
    assert not pack_due(MEETING, datetime(2026, 2, 4, 23, 0, tzinfo=LONDON))
    assert pack_due(MEETING, datetime(2026, 2, 5, 0, 5, tzinfo=LONDON))
    assert not pack_due(MEETING, datetime(2026, 2, 12, 12, 0, tzinfo=LONDON)), "over"
    cancelled = CitywideSlot(2, MEETING.day, MEETING.start, MEETING.end, cancelled=True)
    assert not pack_due(cancelled, datetime(2026, 2, 6, 9, 0, tzinfo=LONDON))


def test_a_pack_day_does_not_count_bank_holidays_as_working_days() -> None:
    assert pack_day(date(2026, 4, 7), bank_holidays()) == date(2026, 3, 27), "Good Friday and Easter Monday"
    assert pack_day(date(2026, 4, 7)) == date(2026, 3, 31)


def test_the_period_starts_where_the_previous_meetings_pack_ended_or_else_the_school_years_start() -> None:
    # Thursday 13 November's pack was drawn on Thursday 6 November: what was decided after it comes now.
    assert period_start(date(2025, 11, 13), date(2026, 2, 5)) == date(2025, 11, 6)
    assert period_start(None, date(2026, 2, 5)) == date(2025, 9, 1)
    assert period_start(None, date(2025, 9, 10)) == date(2025, 9, 1)


def test_the_next_citywide_meeting_is_the_earliest_not_cancelled_and_not_over() -> None:
    later = CitywideSlot(3, date(2026, 3, 26), time(9, 30), time(12, 0))
    cancelled = CitywideSlot(4, date(2026, 3, 1), time(9, 30), time(12, 0), cancelled=True)
    during = datetime(2026, 2, 12, 11, 0, tzinfo=LONDON)
    assert next_citywide([later, cancelled, MEETING], during) == MEETING
    assert next_citywide([later, cancelled, MEETING], datetime(2026, 2, 12, 12, 0, tzinfo=LONDON)) == later
    assert next_citywide([cancelled], during) is None


def _city(clusters: int, rows: int, total: int, setting: str = LONG) -> CitywidePack:
    def cluster(n: int) -> ClusterPack:
        name = f"Cluster {n} " + LONG[:40]
        return ClusterPack(
            name,
            Section(
                tuple(
                    PackDecision(f"C{n:03d}-2526-{i:03d}", setting, "ehcp", "approved_reduced", 1_234_567, MEETING.day)
                    for i in range(rows)
                ),
                total,
            ),
            Section(tuple(PackReview(f"C{n:03d}-2425-{i:03d}", setting, MEETING.day, 365) for i in range(rows)), total),
            Section(tuple(PackVisit(f"C{n:03d}-2526-{i:03d}", setting, MEETING.day, None) for i in range(rows)), total),
        )

    return CitywidePack(MEETING, date(2025, 9, 1), date(2026, 2, 5), tuple(cluster(n) for n in range(clusters)))


def test_the_pack_card_stays_under_28_kb_at_a_hundred_times_the_city() -> None:
    for clusters in (4, 40, 400):  # the city, ten times its clusters, a hundred times
        drawn = citywide_pack_card(_city(clusters, 15, 1500))
        assert card_bytes(drawn) <= MAX_BYTES == 28 * 1024, clusters
        assert " more: a council officer" in json.dumps(drawn), "it says how many more there are"


def test_the_pack_card_lists_fifteen_rows_per_cluster_when_they_fit() -> None:
    drawn = json.dumps(citywide_pack_card(_city(4, 15, 20, "Etruscan Primary School")), ensure_ascii=False)
    assert drawn.count("C000-2526-0") == 30, "fifteen decisions and fifteen visits of the first cluster"
    assert "…and 5 more" in drawn


def test_typed_text_in_the_pack_stays_text() -> None:
    evil = "<at>Everyone</at> [click](https://evil.example) **bold**"
    pack = CitywidePack(
        CitywideSlot(1, MEETING.day, MEETING.start, MEETING.end, title=evil),
        date(2025, 9, 1),
        date(2026, 2, 5),
        (
            ClusterPack(
                evil,
                Section((PackDecision("C-1", evil, "individual", "approved", 1, MEETING.day),), 1),
                Section(),
                Section(),
            ),
        ),
    )
    drawn = json.dumps(citywide_pack_card(pack))
    assert "<at>" not in drawn and "[click]" not in drawn and "https://evil" not in drawn and "**bold**" not in drawn
