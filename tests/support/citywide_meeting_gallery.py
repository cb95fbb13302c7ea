"""One example of every Citywide Meeting card, built by the real card functions (part of the gallery)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from cards.channel import channel_help_card, citywide_linked_card
from cards.citywide_pack import citywide_pack_card, pack_unposted_card
from cards.common import text
from cards.meetings import next_meeting_card
from cluster.citywide_meetings import (
    CitywidePack,
    CitywideSlot,
    ClusterPack,
    PackDecision,
    PackReview,
    PackVisit,
    Section,
)
from cluster.clock import LONDON

CITYWIDE = CitywideSlot(7, date(2026, 2, 12), time(9, 30), time(12, 0), "Spring", "https://teams.microsoft.com/l/x")


def _decisions(count: int) -> Section[PackDecision]:
    rows = (
        PackDecision("CEN-2526-001", "Etruscan Primary School", "individual", "approved", 480000, date(2025, 12, 11)),
        PackDecision(
            "CEN-2526-002", "Haywood [Academy](https://evil.example)", "project", "declined", 0, date(2025, 12, 11)
        ),
        PackDecision("CEN-2526-003", "Waterside Primary School", "discussion", "advice", 0, date(2025, 12, 11)),
    )
    return Section(rows[:count], count if count < 3 else 18)


PACK = CitywidePack(
    meeting=CITYWIDE,
    since=date(2025, 11, 6),
    until=date(2026, 2, 5),
    clusters=(
        ClusterPack(
            "Central",
            _decisions(3),
            Section((PackReview("CEN-2425-014", "Etruscan Primary School", date(2026, 1, 5), 31),), 1),
            Section((PackVisit("CEN-2526-009", "Waterside Primary School", date(2026, 1, 20), True),), 1),
        ),
        ClusterPack("North", _decisions(1), Section(), Section()),
    ),
)
EMPTY_PACK = CitywidePack(
    meeting=CitywideSlot(8, date(2026, 3, 26), time(9, 30), time(12, 0)),
    since=date(2025, 9, 1),
    until=date(2026, 3, 19),
    clusters=(ClusterPack("Central", Section(), Section(), Section()),),
)


def citywide_meeting_gallery() -> dict[str, dict[str, Any]]:
    """The pack (full, and quiet), with the figures and impact elements others provide; the officers' note."""
    return {
        "citywide_pack": citywide_pack_card(
            PACK, [text("Committed: £1,234.00 of £50,000.00")], [text("Outcomes met: 4 of 5 reviews")]
        ),
        "citywide_pack_empty": citywide_pack_card(EMPTY_PACK),
        "citywide_pack_unposted": pack_unposted_card(CITYWIDE),
        "citywide_linked": citywide_linked_card("Olive Officer"),
        "channel_help_citywide": channel_help_card(None, citywide=True),
        "next_meeting_citywide": next_meeting_card([], datetime(2026, 2, 2, 10, 0, tzinfo=LONDON), CITYWIDE),
    }
