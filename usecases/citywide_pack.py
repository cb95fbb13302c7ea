"""The Citywide Meeting's pack: what it holds, the job that posts it when due, and posting it on demand.

The pack covers the period since the previous (not cancelled) citywide meeting's pack day, or since the school
year's start when there was none, up to now: each cluster's decisions, the reviews overdue, and the Capital
Fund's quality-assurance visits, each section at most ``ROWS_PER_CLUSTER`` rows per cluster with the count of
the rest. It is read in a fixed number of queries whatever the size of the city (window functions number each
cluster's rows in the database, so only the rows shown leave it). The citywide figures and the impact come
in as card elements built elsewhere.

The pack job owes the pack to the citywide channel under a key derived from the meeting
(``citywide-pack:{id}``), in one unit, so a doubled run, a second replica or a crash neither doubles nor loses
it. With no citywide channel linked, every council officer is told once per meeting, personally, how to link
one; the pack is posted by the first run after that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Engine, String, bindparam, cast, exists, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cards.citywide_pack import pack_cards, pack_unposted_card
from cluster import keys
from cluster.citywide_meetings import (
    PACK_WORKING_DAYS,
    ROWS_PER_CLUSTER,
    CitywidePack,
    CitywideSlot,
    ClusterPack,
    PackDecision,
    PackReview,
    PackVisit,
    Section,
    next_citywide,
    pack_due,
    period_start,
)
from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.meetings import agenda_horizon
from cluster.permissions import POST_CITYWIDE_PACK, authorize
from cluster.roles import Role
from store import audit
from store.db import take_turn, transaction
from store.models import CitywideMeeting
from store.outbox import owe, owe_notice, owed_already
from store.seed import bank_holidays
from usecases.citywide import city_figures
from usecases.citywide_meetings import citywide_channel, citywide_slots, slot_of
from usecases.people import Actor

_T = SQLModel.metadata.tables
_CITYWIDE, _CLUSTER, _DECISION = _T["citywide_meeting"], _T["cluster"], _T["decision"]
_REFERRAL, _SETTING, _REVIEW, _CAPITAL = _T["referral"], _T["setting"], _T["review"], _T["capital_application"]
_OUTBOX, _ROLE = _T["outbox"], _T["role_assignment"]

# --- what the pack holds ---------------------------------------------------------------------------------

_PREVIOUS = sa_select(func.max(_CITYWIDE.c.day)).where(
    _CITYWIDE.c.day < bindparam("day"), _CITYWIDE.c.cancelled.is_(False)
)
_CLUSTERS = sa_select(_CLUSTER.c.id, _CLUSTER.c.name).order_by(_CLUSTER.c.name)


def _numbered(columns: Sequence[Any], cluster: Any, order: Sequence[Any], source: Any, *where: Any) -> Any:
    """``columns`` of ``source`` with each row's place in its cluster and the cluster's count, first rows only."""
    inner = (
        sa_select(
            cluster.label("cluster_id"),
            *columns,
            func.row_number().over(partition_by=cluster, order_by=order).label("place"),
            func.count().over(partition_by=cluster).label("total"),
        )
        .select_from(source)
        .where(*where)
        .subquery()
    )
    return sa_select(inner).where(inner.c.place <= bindparam("limit")).order_by(inner.c.cluster_id, inner.c.place)


_OF_REFERRAL = _REFERRAL.join(_SETTING, _SETTING.c.id == _REFERRAL.c.setting_id)
# Reference, setting, kind, outcome and amount: nothing from the referral's details (where the pupil is).
_DECISIONS = _numbered(
    (
        func.coalesce(_REFERRAL.c.reference, "").label("reference"),
        _SETTING.c.name.label("setting"),
        _REFERRAL.c.kind,
        _DECISION.c.outcome,
        _DECISION.c.amount_pence,
        _DECISION.c.decided_at,
    ),
    _DECISION.c.cluster_id,
    (_DECISION.c.decided_at, _DECISION.c.id),
    _DECISION.join(_OF_REFERRAL, _REFERRAL.c.id == _DECISION.c.referral_id),
    _DECISION.c.decided_at >= bindparam("since"),
    _DECISION.c.decided_at <= bindparam("until"),
)
# An open review past its due date (cluster.reviews.state_on): most overdue first.
_OVERDUE = _numbered(
    (func.coalesce(_REFERRAL.c.reference, "").label("reference"), _SETTING.c.name.label("setting"), _REVIEW.c.due),
    _REVIEW.c.cluster_id,
    (_REVIEW.c.due, _REVIEW.c.id),
    _REVIEW.join(_OF_REFERRAL, _REFERRAL.c.id == _REVIEW.c.referral_id),
    _REVIEW.c.state == "open",
    _REVIEW.c.due < bindparam("today"),
)
_VISITS = _numbered(
    (
        func.coalesce(_REFERRAL.c.reference, "").label("reference"),
        _SETTING.c.name.label("setting"),
        _CAPITAL.c.visited_on,
        _CAPITAL.c.visit_passed,
    ),
    _CAPITAL.c.cluster_id,
    (_CAPITAL.c.visited_on, _CAPITAL.c.referral_id),
    _CAPITAL.join(_OF_REFERRAL, _REFERRAL.c.id == _CAPITAL.c.referral_id),
    _CAPITAL.c.visited_on >= bindparam("since_day"),
    _CAPITAL.c.visited_on <= bindparam("today"),
)


def _sections(rows: Sequence[Any], make: Callable[[Any], Any]) -> dict[int, Section[Any]]:
    grouped: dict[int, list[Any]] = {}
    totals: dict[int, int] = {}
    for row in rows:
        grouped.setdefault(row.cluster_id, []).append(make(row))
        totals[row.cluster_id] = row.total
    return {cluster: Section(tuple(found), totals[cluster]) for cluster, found in grouped.items()}


def build_pack(session: Session, meeting: CitywideSlot, now: datetime, limit: int = ROWS_PER_CLUSTER) -> CitywidePack:
    """The pack for ``meeting`` as the database holds it now, in five queries however big the city is."""
    connection = session.connection()
    today = now.astimezone(LONDON).date()
    since_day = period_start(connection.execute(_PREVIOUS, {"day": meeting.day}).scalar(), today, bank_holidays())
    since = datetime.combine(since_day, time(0, 0), tzinfo=LONDON)
    clusters = connection.execute(_CLUSTERS).all()
    decisions = _sections(
        connection.execute(_DECISIONS, {"since": since, "until": now, "limit": limit}).all(),
        lambda r: PackDecision(
            r.reference, r.setting, r.kind, r.outcome, r.amount_pence, r.decided_at.astimezone(LONDON).date()
        ),
    )
    overdue = _sections(
        connection.execute(_OVERDUE, {"today": today, "limit": limit}).all(),
        lambda r: PackReview(r.reference, r.setting, r.due, (today - r.due).days),
    )
    visits = _sections(
        connection.execute(_VISITS, {"since_day": since_day, "today": today, "limit": limit}).all(),
        lambda r: PackVisit(r.reference, r.setting, r.visited_on, r.visit_passed),
    )
    empty: Section[Any] = Section()
    return CitywidePack(
        meeting=meeting,
        since=since_day,
        until=today,
        clusters=tuple(
            ClusterPack(name, decisions.get(id_, empty), overdue.get(id_, empty), visits.get(id_, empty))
            for id_, name in clusters
        ),
    )


def pack_of(engine: Engine, meeting_id: int, now: datetime) -> CitywidePack:
    """The pack of one citywide meeting as it stands now (for reading, and for tests)."""
    with transaction(engine, read_only=True) as session:
        meeting = session.get(CitywideMeeting, meeting_id)
        if meeting is None:
            raise Refusal("There is no such citywide meeting.")
        return build_pack(session, slot_of(meeting), now)


# --- owing it --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PacksOwed:
    """What one run of the pack job owed: the meetings whose pack went to the channel, and the officers' notes."""

    packs: tuple[int, ...] = ()
    officer_notes: tuple[str, ...] = ()


_KEY = literal(keys.CITYWIDE_PACK_PREFIX) + cast(_CITYWIDE.c.id, String)  # keys.citywide_pack, in SQL
# Citywide meetings from today to the horizon whose pack was not yet owed: the day index finds the few of the
# coming days, however many meetings there are.
_DUE_SOON = (
    sa_select(_CITYWIDE)
    .where(
        _CITYWIDE.c.day >= bindparam("today"),
        _CITYWIDE.c.day <= bindparam("horizon"),
        _CITYWIDE.c.cancelled.is_(False),
        ~exists().where(_OUTBOX.c.key == _KEY),
    )
    .order_by(_CITYWIDE.c.day)
)
_OFFICERS = sa_select(_ROLE.c.person_id).where(_ROLE.c.role == Role.COUNCIL_OFFICER.value).distinct()
_OWED = sa_select(exists().where(_OUTBOX.c.key == bindparam("key")))


def owe_due_packs(engine: Engine, now: datetime) -> PacksOwed:
    """Owe the pack of every citywide meeting whose pack day has come (five working days before) and not yet owed.

    One indexed read finds the meetings of the coming days still owed a pack; each is then owed in its own
    unit, in the meeting's turn. Without a citywide channel each council officer is told once per meeting.
    """
    holidays = bank_holidays()
    today = now.astimezone(LONDON).date()
    horizon = agenda_horizon(today, PACK_WORKING_DAYS, holidays)
    with transaction(engine, read_only=True) as session:
        rows = session.connection().execute(_DUE_SOON, {"today": today, "horizon": horizon}).all()
    packs: list[int] = []
    notes: list[str] = []
    for row in rows:
        slot = CitywideSlot(row.id, row.day, row.start, row.end, row.title, row.online_link, row.cancelled)
        if not pack_due(slot, now, holidays):
            continue
        posted, told = _owe_pack(engine, slot, now)
        if posted:
            packs.append(slot.id)
        notes.extend(told)
    return PacksOwed(tuple(packs), tuple(notes))


def _owe_pack(engine: Engine, slot: CitywideSlot, now: datetime) -> tuple[bool, list[str]]:
    """Owe one meeting's pack to the citywide channel, or tell the officers there is none (once each)."""
    key = keys.citywide_pack(slot.id)
    with transaction(engine, serial=False) as session:
        take_turn(session, "citywide", slot.id)
        connection = session.connection()
        if connection.execute(_OWED, {"key": key}).scalar():
            return False, []  # another run owed it meanwhile
        channel = citywide_channel(session)
        if channel is None:
            officers = list(connection.execute(_OFFICERS).scalars())
            note = keys.citywide_unposted(slot.id)
            wanted = {keys.for_person(note, p) for p in officers}
            if not officers or wanted <= owed_already(session, wanted):
                return False, []  # each was told already: the read stays a read
            return False, owe_notice(session, note, now, pack_unposted_card(slot), officers)
        _owe_to(session, key, channel, slot, now, "scheduler")
        return True, []


def _owe_to(session: Session, key: str, channel: str, slot: CitywideSlot, now: datetime, actor: str) -> None:
    pack = build_pack(session, slot, now)
    city = city_figures(session, now.astimezone(LONDON).date())
    # The pack card, then each section of the figures as its own card (one card of everything would pass
    # Teams' size limit); all owed in this unit, the later ones keyed from the first.
    for number, card in enumerate(pack_cards(pack, city)):
        part = key if number == 0 else keys.citywide_pack_part(key, number)
        owe(session, part, now, conversation_id=channel, card=card)
    audit.record(session, now, actor, "citywide.pack", f"citywide_meeting:{slot.id}", key=key)


def post_pack_now(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> CitywideSlot:
    """``@citywide pack``: a council officer posts the next citywide meeting's pack in the citywide channel now.

    The first pack owed for a meeting is its pack (so the job does not post a second one on its pack day);
    asking again posts the pack as it then stands, once per minute asked.
    """
    authorize(actor.grants, POST_CITYWIDE_PACK, 0)
    with transaction(engine, serial=False) as session:
        channel = citywide_channel(session)
        if channel != conversation_id:
            raise Refusal(
                "Post the pack from the citywide channel"
                + ("." if channel else ": link this channel first with “link citywide”.")
            )
        slot = next_citywide(citywide_slots(session, now.astimezone(LONDON).date()), now)
        if slot is None:
            raise Refusal(
                "There is no citywide meeting to come. Add one with “clusterbot citywide add --day YYYY-MM-DD”."
            )
        take_turn(session, "citywide", slot.id)
        key = keys.citywide_pack(slot.id)
        if session.connection().execute(_OWED, {"key": key}).scalar():
            key = keys.citywide_pack_asked(slot.id, now)
        _owe_to(session, key, channel, slot, now, actor.tag)
        return slot
