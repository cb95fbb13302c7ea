"""The Citywide Meeting's pack, posted in the citywide channel, and the officers' note when it cannot be.

A channel card: it names referrals by reference, setting, kind and amount, and nothing about a pupil. Each
section lists at most a few rows per cluster, then says how many more there are; when the whole card would
come near Teams' limits it lists fewer, so it stays under ``MAX_BYTES`` however big the city grows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from cards.citywide import SECTIONS, city_summary, section_card
from cards.common import Card, card, facts, heading, text
from cluster.citywide import City
from cluster.citywide_meetings import ROWS_PER_CLUSTER, CitywidePack, CitywideSlot, ClusterPack, Section
from cluster.decisions import Outcome
from cluster.provision import format_pence
from cluster.referrals import KIND_TITLES, Kind

MAX_BYTES = 28 * 1024  # Teams takes about 80 KB; the pack leaves room for the figures and impact around it
_FEWER = (ROWS_PER_CLUSTER, 10, 5, 3, 1, 0, -1)  # rows per cluster and section; -1: counts only
_SETTING_LENGTH = 60
_COUNTED_CLUSTERS = 60  # clusters named in a section's line of counts, when the city is too big for more

# Short, so a row stays one line in the channel.
OUTCOME_LABELS: dict[str, str] = {
    Outcome.APPROVED: "Approved",
    Outcome.APPROVED_REDUCED: "Approved (reduced or with conditions)",
    Outcome.DEFERRED: "Deferred",
    Outcome.DECLINED: "Declined",
    Outcome.ADVICE_ONLY: "Advice only",
}


def _day(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def _short(day: date) -> str:
    return f"{day:%-d %b %Y}"


def _setting(name: str) -> str:
    return name if len(name) <= _SETTING_LENGTH else name[: _SETTING_LENGTH - 1].rstrip() + "…"


def _kind(value: str) -> str:
    try:
        return KIND_TITLES[Kind(value)]
    except ValueError:
        return value


def _more(count: int) -> dict[str, Any]:
    # Our own sentence; only the count is data, and it is a number.
    return text(
        f"…and {count} more: a council officer's **citywide** command has the spreadsheet.",
        subtle=True,
        markdown=True,
        spacing="None",
    )


def _section(
    title: str,
    empty: str,
    clusters: Sequence[ClusterPack],
    part: str,
    row: Any,
    shown: int,
) -> list[dict[str, Any]]:
    """One section: for each cluster with rows, its first ``shown`` rows and how many more; then who had none.

    ``shown`` below 0 gives each cluster's count only, on one line.
    """
    body: list[dict[str, Any]] = [text(title, size="Medium", weight="Bolder", separator=True)]
    if shown < 0:
        # A city too big to list even each cluster's heading: one line of counts per section.
        counts = [f"{c.cluster} {getattr(c, part).total}" for c in clusters if getattr(c, part).total]
        listed = " · ".join(counts[:_COUNTED_CLUSTERS])
        if len(counts) > _COUNTED_CLUSTERS:
            listed += f" · {len(counts) - _COUNTED_CLUSTERS} clusters more"
        body.append(text(listed if counts else empty, subtle=not counts))
        if counts:
            body.append(_more(sum(getattr(c, part).total for c in clusters)))
        return body
    quiet: list[str] = []
    for cluster in clusters:
        section: Section[Any] = getattr(cluster, part)
        if not section.total:
            quiet.append(cluster.cluster)
            continue
        rows = section.rows[:shown]
        body.append(text(f"{cluster.cluster} ({section.total})", weight="Bolder"))
        if rows:
            body.append(facts([row(r) for r in rows]))
        if section.total > len(rows):
            body.append(_more(section.total - len(rows)))
    if quiet and len(quiet) == len(clusters):
        body.append(text(empty, subtle=True))
    elif quiet:
        body.append(text(f"None: {', '.join(quiet)}.", subtle=True))
    return body


def _decision(d: Any) -> tuple[str, str]:
    amount = f" · {format_pence(d.amount_pence)}" if d.amount_pence else ""
    label = OUTCOME_LABELS.get(d.outcome, d.outcome)
    return d.reference, f"{_setting(d.setting)} · {_kind(d.kind)} · {label}{amount}"


def _review(r: Any) -> tuple[str, str]:
    days = "1 day" if r.days_overdue == 1 else f"{r.days_overdue} days"
    return r.reference, f"{_setting(r.setting)} · due {_short(r.due)} · {days} overdue"


def _visit(v: Any) -> tuple[str, str]:
    result = {True: "passed", False: "not passed", None: "result not recorded"}[v.passed]
    return v.reference, f"{_setting(v.setting)} · visited {_short(v.visited_on)} · {result}"


def _draw(pack: CitywidePack, figures: Sequence[dict[str, Any]], impact: Sequence[dict[str, Any]], shown: int) -> Card:
    meeting = pack.meeting
    when = f"{meeting.start:%H:%M}–{meeting.end:%H:%M} (UK time)" + (f" · {meeting.title}" if meeting.title else "")
    body: list[dict[str, Any]] = [
        heading(f"Citywide Meeting pack: {_day(meeting.day)}"),
        text(when),
        text(
            f"Decisions and quality-assurance visits since {_day(pack.since)}; reviews overdue on {_day(pack.until)}. "
            "Referrals are named by reference and setting only.",
            subtle=True,
        ),
    ]
    if figures:
        body += [text("The city's figures", size="Medium", weight="Bolder", separator=True), *figures]
    clusters = pack.clusters
    body += _section("Decisions", "No decisions in this period.", clusters, "decisions", _decision, shown)
    body += _section("Reviews overdue", "No review is overdue.", clusters, "overdue", _review, shown)
    body += _section("Quality-assurance visits", "No visits in this period.", clusters, "visits", _visit, shown)
    if impact:
        body += [text("Impact", size="Medium", weight="Bolder", separator=True), *impact]
    actions = [{"type": "Action.OpenUrl", "title": "Join the meeting", "url": meeting.online_link}]
    return card(body, actions if meeting.online_link else None)


def card_bytes(drawn: Card) -> int:
    """The card's size as Teams receives it (compact JSON, UTF-8)."""
    return len(json.dumps(drawn, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def citywide_pack_card(
    pack: CitywidePack, figures: Sequence[dict[str, Any]] = (), impact: Sequence[dict[str, Any]] = ()
) -> Card:
    """The pack for the citywide channel: figures, each cluster's decisions, overdue reviews, QA visits, impact.

    Lists up to ``ROWS_PER_CLUSTER`` rows per cluster in each section, fewer if that is what keeps the card
    under ``MAX_BYTES`` (the counts always say how many there are in all).
    """
    drawn = _draw(pack, figures, impact, _FEWER[0])
    for shown in _FEWER[1:]:
        if card_bytes(drawn) <= MAX_BYTES:
            break
        drawn = _draw(pack, figures, impact, shown)
    return drawn


def pack_unposted_card(meeting: CitywideSlot) -> Card:
    """A council officer's note: the pack is due but no channel is linked as the citywide channel."""
    return card(
        [
            heading("The Citywide Meeting's pack could not be posted"),
            text(
                f"The pack for the Citywide Meeting on {_day(meeting.day)} is due, but no team channel is linked "
                "as the citywide channel."
            ),
            text(
                "In the channel the Citywide Meetings use, mention me with “link citywide”. The pack is posted "
                "there within a few minutes."
            ),
        ]
    )


def pack_cards(pack: CitywidePack, city: City) -> list[Card]:
    """The pack as the channel receives it: the pack card opened by the city's totals, then each figures section."""
    title = f"Citywide Meeting pack {_day(pack.meeting.day)}"
    return [
        citywide_pack_card(pack, city_summary(city)),
        *(section_card(city, section, title) for section in SECTIONS),
    ]
