"""Builds a city of clusters for the benchmarks, fast, with bulk inserts into the tables of ``store/models/``.

``build_city(engine, plan_for(N), service_url, now)`` adds, beside the seeded Central cluster (run
``clusterbot seed`` first: it applies the migrations), N times the city the issue sizes at N=100: 400
clusters of 30 settings, 500 referrals each (200,000), 250 open reviews each (100,000), a SENCO per setting
and a chair and an admin per cluster, each cluster's channel linked, every person's personal chat known,
twelve meetings per cluster (six held), budgets, and a delivered notice in the outbox per referral. Central
also gets a 300-item agenda on its next meeting and a held meeting with 331 items in its minutes (votes
included). Rows are written with SQLAlchemy Core ``executemany`` in chunks, ids chosen here (and the
PostgreSQL sequences moved past them afterwards), so 100x takes minutes, not hours.

Everything is dated relative to ``now`` (London dates): held meetings every six weeks before today, the next
meeting 20 days ahead (10 days for one cluster in fifty, so a few referral-deadline reminders are owed),
and review due dates spread over the three years ahead except for a small share (``due_share``, 1%) that
fall inside the nudge window (from 21 days overdue to 30 days ahead), so a first run of the reminders job
owes a few hundred nudges at 100x, not a hundred thousand.

``prepare_vote(engine, now)`` makes what ``bench/run.py --scenario vote`` needs on top of a seeded Central
with its people registered: a meeting today with one referral on its agenda.
"""

from __future__ import annotations

import itertools
import time as clock
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables in SQLModel.metadata)

LONDON = ZoneInfo("Europe/London")
CENTRAL = "Central"
CHUNK = 5000
MEETING_START, MEETING_END = time(9, 30), time(13, 0)
HELD_EVERY = timedelta(days=42)

# What the cards store once a form is checked (cluster.referrals.check_details), varied per referral below.
INDIVIDUAL = {
    "pupil_ref": "BEN-0042",
    "primary_need": "CI",
    "need_code": "SLCN",
    "secondary_need": "SEMH",
    "summary": "Limited expressive language; struggles in whole-class teaching.",
    "outcomes": "Uses 3-word phrases to request help by July.",
    "current_provision": "Wave 2 language group since September; two APDR cycles with SALT advice.",
    "apdr_cycles": 2,
    "duration_terms": 3,
    "parental_consent": True,
}
EHCP = {
    "pupil_ref": "BEN-991",
    "plan_reference": "EHCP-2024-1187",
    "section_f": "20 hours 1:1 TA support per week (F3).",
    "need_beyond_funding": "Specialist teacher for sensory regulation, 2 hours a week.",
    "outcomes": "Stays in class for whole lessons by Easter.",
    "period_start": "2026-01-05",
    "period_end": "2026-07-17",
}
PROJECT = {
    "summary": "A shared nurture provision for three schools.",
    "outcomes": "Boxall profiles improve for most pupils.\nNo fixed-term exclusions in Key Stage 1.",
    "impact_measures": "Boxall profiles each term; exclusions down.",
    "timeline": "January to July.",
    "sustainability": "Staff trained; schools fund it from next year.",
}
DISCUSSION = {"question": "How do other schools support a Y2 pupil refusing to enter class?"}
ROWS = (
    ("Language group", "CI", "Teaching assistant", 30, 3, 2, 38, 1500),
    ("SALT consultation", "CI", "Speech and language therapist", 45, 1, 1, 12, 6233),
)
YEARS = ("R", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Y8", "Y9", "Y10", "Y11")
LETTERS = "ABCDEFGHJKLMNPRSTW"

# One cluster's 500 referrals, by what became of them.
MIX = (
    ("funded", 250),  # decided, approved at a held meeting: an open review each
    ("declined", 50),  # decided, declined at a held meeting
    ("accepted", 50),  # accepted onto the next meeting
    ("submitted", 40),  # waiting for the admin's check
    ("draft", 60),
    ("returned", 25),
    ("withdrawn", 25),
)
# Parents before children: a flush writes every table's queued rows in this order (PostgreSQL checks keys).
TABLE_ORDER = (
    "cluster",
    "setting",
    "person",
    "conversation_ref",
    "role_assignment",
    "budget",
    "meeting",
    "referral",
    "provision_line",
    "outbox",
    "agenda_item",
    "vote",
    "decision",
    "review",
    "reference_counter",
)


@dataclass(frozen=True)
class Plan:
    """How big a city to build."""

    scale: float
    clusters: int  # Central included
    settings_per_cluster: int = 30
    mix: tuple[tuple[str, int], ...] = MIX
    agenda_items: int = 300
    minutes_items: int = 331
    due_share: float = 0.01


def plan_for(scale: float, agenda_items: int = 300, minutes_items: int = 331, due_share: float = 0.01) -> Plan:
    """N times the city: 4N clusters of 500 referrals; below N=0.25, Central alone with 2000N referrals."""
    if scale <= 0:
        raise ValueError("the scale must be more than 0")
    clusters = max(1, round(4 * scale))
    mix = tuple((name, max(1, round(n * 4 * scale))) for name, n in MIX) if clusters == 1 and scale < 0.25 else MIX
    return Plan(scale, clusters, mix=mix, agenda_items=agenda_items, minutes_items=minutes_items, due_share=due_share)


@dataclass
class City:
    """What was built, and who and what the benchmarks ask about."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    central_id: int = 0
    central_channel: str = ""
    chair: tuple[str, str] = ("", "")  # Central's chair: aad, name
    admin: tuple[str, str] = ("", "")
    senco: tuple[str, str] = ("", "")  # the SENCO of Central's first setting
    agenda_meeting_id: int = 0
    held_meeting_id: int = 0


def _tables() -> dict[str, Table]:
    return dict(SQLModel.metadata.tables)


def london_noon(day: date) -> datetime:
    """Midday in London on ``day``, as an aware UTC time."""
    return datetime.combine(day, time(12, 0), tzinfo=LONDON).astimezone(UTC)


def deadline_of(day: date, days_before: int = 7) -> datetime:
    """A meeting's referral deadline as the app sets it: 23:59 London, ``days_before`` days before."""
    return datetime.combine(day - timedelta(days=days_before), time(23, 59), tzinfo=LONDON).astimezone(UTC)


def year_start(day: date) -> int:
    """The year the school year of ``day`` starts (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


def year_code(day: date) -> str:
    """'2526' for 2025/26."""
    start = year_start(day)
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def channel_id_for(cluster_id: int, central_id: int) -> str:
    """The channel each cluster's meetings use (Central's is the one bench/common.py's activities use)."""
    if cluster_id == central_id:
        return "19:bench-channel@thread.tacv2"
    return f"19:bench-channel-{cluster_id}@thread.tacv2"


class Writer:
    """Collects rows per table with ids chosen here, and writes them in chunks."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables = _tables()
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}
        self._next: dict[str, Iterator[int]] = {}

    def next_id(self, table: str) -> int:
        """The next free id of ``table`` (after what is there already)."""
        if table not in self._next:
            column = self.tables[table].c.id
            start = self.connection.execute(select(func.coalesce(func.max(column), 0))).scalar_one()
            self._next[table] = itertools.count(int(start) + 1)
        return next(self._next[table])

    def add(self, table: str, **row: Any) -> int:
        """Queue one row; returns its id (assigned here when the table has an ``id`` column)."""
        if "id" in self.tables[table].c and "id" not in row:
            row["id"] = self.next_id(table)
        self.rows.setdefault(table, []).append(row)
        if len(self.rows[table]) >= CHUNK:
            self.flush()
        return int(row.get("id", 0))

    def flush(self) -> None:
        """Write every queued row, parents first (``TABLE_ORDER``), so each row's references exist already."""
        for name in sorted(self.rows, key=lambda t: TABLE_ORDER.index(t) if t in TABLE_ORDER else len(TABLE_ORDER)):
            rows = self.rows.get(name)
            if rows:
                self.connection.execute(self.tables[name].insert(), rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                self.rows[name] = []


def _initials(n: int) -> str:
    return LETTERS[n % len(LETTERS)] + LETTERS[(n // len(LETTERS)) % len(LETTERS)]


def _details(kind: str, n: int, amount: int) -> dict[str, Any]:
    if kind == "individual":
        return {"pupil_initials": _initials(n), "year_group": YEARS[n % len(YEARS)], **INDIVIDUAL}
    if kind == "ehcp":
        return {"pupil_initials": _initials(n), "year_group": YEARS[n % len(YEARS)], **EHCP, "amount": amount}
    if kind == "project":
        return {"title": f"Nurture room {n}", **PROJECT}
    return dict(DISCUSSION)


def _requested(kind: str, n: int) -> int:
    """What a referral asks for, in pence: its cost rows, or an EHCP's amount."""
    if kind in ("individual", "project"):
        return sum(m * s * w * r // (60 * g) for _, _, _, m, s, g, w, r in ROWS)
    if kind == "ehcp":
        return 300_000 + (n % 20) * 10_000
    return 0


Slot = tuple[int, date]
"""A meeting: its id and day."""


@dataclass
class _Cluster:
    id: int
    code: str
    settings: list[tuple[int, int]]  # (setting id, its SENCO's person id)
    chair: int
    admin: int
    held: list[Slot]  # newest first
    upcoming: list[Slot]  # soonest first
    numbers: dict[int, int] = field(default_factory=dict)  # school year -> last reference number


class _Builder:
    def __init__(self, writer: Writer, plan: Plan, service_url: str, now: datetime) -> None:
        self.w = writer
        self.plan = plan
        self.service_url = service_url
        self.now = now
        self.today = now.astimezone(LONDON).date()
        self.n = itertools.count(1)  # varies pupils and amounts from referral to referral

    # --- people and places ---

    def person(self, aad: str, name: str) -> int:
        person_id = self.w.add("person", aad_object_id=aad, name=name, email=None)
        self.w.add(
            "conversation_ref",
            conversation_id=f"a:personal-{aad}",
            kind="personal",
            service_url=self.service_url,
            tenant_id="72f988bf-0000-0000-0000-000000000001",
            bot_id="28:clusterbot-bench-app-id",
            aad_object_id=aad,
            team_id=None,
            channel_id=None,
            cluster_id=None,
            reference={
                "activityId": None,
                "user": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
                "bot": {"id": "28:clusterbot-bench-app-id", "name": "Cluster Funding"},
                "conversation": {"conversationType": "personal", "id": f"a:personal-{aad}"},
                "channelId": "msteams",
                "locale": "en-GB",
                "serviceUrl": self.service_url,
            },
            installed=True,
            updated_at=self.now,
        )
        return person_id

    def role(self, person_id: int, role: str, cluster_id: int | None, setting_id: int | None) -> None:
        self.w.add("role_assignment", person_id=person_id, role=role, cluster_id=cluster_id, setting_id=setting_id)

    def channel(self, cluster_id: int, central_id: int) -> str:
        channel = channel_id_for(cluster_id, central_id)
        team = channel.replace("channel", "team")
        self.w.add(
            "conversation_ref",
            conversation_id=channel,
            kind="channel",
            service_url=self.service_url,
            tenant_id="72f988bf-0000-0000-0000-000000000001",
            bot_id="28:clusterbot-bench-app-id",
            aad_object_id=None,
            team_id=team,
            channel_id=channel,
            cluster_id=cluster_id,
            reference={
                "activityId": None,
                "bot": {"id": "28:clusterbot-bench-app-id", "name": "Cluster Funding"},
                "conversation": {"conversationType": "channel", "id": channel, "isGroup": True},
                "channelId": "msteams",
                "locale": "en-GB",
                "serviceUrl": self.service_url,
            },
            installed=True,
            updated_at=self.now,
        )
        return channel

    def meetings(self, cluster_id: int, index: int, taken: set[date]) -> tuple[list[Slot], list[Slot]]:
        """Six held meetings, six weeks apart, before today; six to come, the first 20 (or 10) days ahead."""
        first = self.today + timedelta(days=10 if index % 50 == 1 else 20)
        held_days = [self.today - HELD_EVERY * k for k in range(1, 7)]
        upcoming_days = [first + HELD_EVERY * k for k in range(6)]
        held: list[Slot] = []
        upcoming: list[Slot] = []
        for days, out, ended in ((held_days, held, True), (upcoming_days, upcoming, False)):
            for day in days:
                while day in taken:  # a seeded meeting that day: the cluster meets once a day at most
                    day += timedelta(days=1)
                taken.add(day)
                start = datetime.combine(day, MEETING_START, tzinfo=LONDON).astimezone(UTC)
                meeting_id = self.w.add(
                    "meeting",
                    cluster_id=cluster_id,
                    title="Held" if ended else "To come",
                    day=day,
                    start=MEETING_START,
                    end=MEETING_END,
                    deadline=deadline_of(day),
                    online_link=None,
                    cancelled=False,
                    started_at=start if ended else None,
                    ended_at=start + timedelta(hours=3) if ended else None,
                )
                out.append((meeting_id, day))
        return held, upcoming

    def budgets(self, cluster_id: int) -> None:
        this_year = year_start(self.today)
        for start in (this_year - 1, this_year):
            self.w.add(
                "budget",
                cluster_id=cluster_id,
                label=f"{start}/{(start + 1) % 100:02d}",
                starts=date(start, 9, 1),
                ends=date(start + 1, 8, 31),
                baseline_pence=60_000_000,
                growth_uplift_pence=2_000_000,
                specialist_allocation_pence=1_000_000,
                reserve_pence=5_000_000,
                updated_at=self.now,
            )

    # --- referrals ---

    def referral(
        self,
        c: _Cluster,
        setting: tuple[int, int],
        kind: str,
        state: str,
        meeting: Slot | None,
    ) -> tuple[int, int, int]:
        """One referral (and its cost rows, and a delivered notice); returns (id, n, requested pence)."""
        n = next(self.n)
        setting_id, senco = setting
        amount = _requested(kind, n)
        when = meeting[1] - timedelta(days=20) if meeting else self.today - timedelta(days=n % 60)
        created = london_noon(when)
        reference = None
        if state != "draft":
            year = year_start(when)
            c.numbers[year] = c.numbers.get(year, 0) + 1
            reference = f"{c.code}-{year_code(when)}-{c.numbers[year]:03d}"
        referral_id = self.w.add(
            "referral",
            cluster_id=c.id,
            setting_id=setting_id,
            created_by=senco,
            kind=kind,
            state=state,
            reference=reference,
            meeting_id=meeting[0] if meeting else None,
            details=_details(kind, n, amount),
            contribution_pence=0,
            returned_reason="Please add the APDR cycles." if state == "returned" else None,
            creation_key=f"bench-{c.id}-{n}",
            version=3,
            created_at=created,
            updated_at=created + timedelta(days=2),
            submitted_at=None if state == "draft" else created + timedelta(days=2),
        )
        if kind in ("individual", "project"):
            for position, row in enumerate(ROWS, start=1):
                provision, need, by, minutes, sessions, group, weeks, rate = row
                self.w.add(
                    "provision_line",
                    referral_id=referral_id,
                    position=position,
                    provision=provision,
                    area_of_need=need,
                    delivered_by=by,
                    minutes_per_session=minutes,
                    sessions_per_week=sessions,
                    group_size=group,
                    weeks=weeks,
                    hourly_rate_pence=rate,
                )
        self.w.add(
            "outbox",
            key=f"bench-history:referral:{referral_id}",
            person_id=senco,
            conversation_id=None,
            activity={"type": "message", "text": "Your referral was received."},
            state="delivered",
            attempts=1,
            not_before=created,
            last_error=None,
            created_at=created,
            delivered_at=created + timedelta(seconds=2),
            card_key=None,
            thread_of=None,
            revision=0,
        )
        return referral_id, n, amount

    def item(self, meeting: Slot, referral_id: int, state: str, voted: bool = True) -> int:
        opened = datetime.combine(meeting[1], time(10, 0), tzinfo=LONDON).astimezone(UTC)
        done = state == "decided" and voted  # a discussion is decided without a vote
        return self.w.add(
            "agenda_item",
            meeting_id=meeting[0],
            referral_id=referral_id,
            deferred_from=None,
            review_id=None,
            state=state,
            casting=None,
            card_activity_id=None,
            opened_at=opened if done else None,
            closed_at=opened + timedelta(minutes=5) if done else None,
            quorum_needed=15 if done else None,
        )

    def decide(
        self,
        c: _Cluster,
        setting: tuple[int, int],
        meeting: Slot,
        kind: str,
        outcome: str,
        due_index: int | None,
        voters: Sequence[tuple[int, int]] = (),
    ) -> None:
        """A referral decided at a held meeting; a funded one owes a review (``due_index`` spreads its date)."""
        referral_id, n, amount = self.referral(c, setting, kind, "decided", meeting)
        item_id = self.item(meeting, referral_id, "decided", voted=kind != "discussion")
        for position, (setting_id, person_id) in enumerate(voters):
            choice = "decline" if (n + position) % 5 == 0 else "approve"
            self.w.add(
                "vote",
                item_id=item_id,
                setting_id=setting_id,
                person_id=person_id,
                choice=choice,
                cast_at=london_noon(meeting[1]),
            )
        funded = outcome in ("approved", "approved_reduced")
        due = self.due_date(due_index) if funded and due_index is not None else None
        decision_id = self.w.add(
            "decision",
            item_id=item_id,
            referral_id=referral_id,
            cluster_id=c.id,
            outcome=outcome,
            amount_pence=(amount * 9 // 10 if outcome == "approved_reduced" else amount) if funded else 0,
            conditions="",
            feedback="" if funded else "Please try the graduated approach first.",
            information_needed="",
            review_date=due,
            schedule="termly" if funded else None,
            reserve_drawn=False,
            decided_by=c.chair,
            decided_at=london_noon(meeting[1]),
        )
        if due is not None:
            self.w.add(
                "review",
                decision_id=decision_id,
                referral_id=referral_id,
                setting_id=setting[0],
                cluster_id=c.id,
                due=due,
                state="open",
                snoozed_until=None,
                answers={},
                submitted_at=None,
                submitted_by=None,
            )

    def due_date(self, index: int) -> date:
        """Most reviews are due 31 to 1,095 days ahead; every (1/due_share)-th one inside the nudge window."""
        every = max(1, round(1 / self.plan.due_share)) if self.plan.due_share > 0 else 0
        if every and (index - 1) % every == 0:  # the first one too, so even a small city has some
            return self.today + timedelta(days=-21 + (index // every) % 52)  # 21 days overdue to 30 ahead
        return self.today + timedelta(days=31 + (index * 7919) % 1065)

    def background(self, c: _Cluster, mix: tuple[tuple[str, int], ...], central: bool, reviews: Iterator[int]) -> None:
        """A cluster's ordinary referrals: ``mix`` of what became of them, spread over its settings."""
        kinds = ("individual", "ehcp", "individual", "project", "individual", "ehcp")
        spread = itertools.cycle(c.settings)
        held = c.held[1:] if central else c.held  # Central's latest held meeting is the long one, added apart
        for state, count in mix:
            for k in range(count):
                setting = next(spread)
                kind = kinds[k % len(kinds)]
                if state == "funded":
                    self.decide(c, setting, held[k % len(held)], kind, "approved", next(reviews))
                elif state == "declined":
                    self.decide(c, setting, held[k % len(held)], kind, "declined", None)
                elif state == "accepted":
                    if not central:  # Central's next meeting has its own long agenda
                        self.referral(c, setting, kind, "accepted", c.upcoming[0])
                elif state in ("submitted", "returned"):
                    self.referral(c, setting, kind, state, c.upcoming[0])
                else:
                    self.referral(c, setting, kind, state, None)


def _central(connection: Connection) -> tuple[int, str, list[int], set[date]]:
    tables = _tables()
    cluster, setting, meeting = tables["cluster"], tables["setting"], tables["meeting"]
    row = connection.execute(select(cluster.c.id, cluster.c.code).where(cluster.c.name == CENTRAL)).first()
    if row is None:
        raise RuntimeError("no Central cluster: run `clusterbot seed` first")
    settings = list(
        connection.execute(select(setting.c.id).where(setting.c.cluster_id == row.id).order_by(setting.c.id)).scalars()
    )
    days = set(connection.execute(select(meeting.c.day).where(meeting.c.cluster_id == row.id)).scalars())
    return int(row.id), str(row.code), [int(s) for s in settings], days


def build_city(engine: Engine, plan: Plan, service_url: str, now: datetime) -> City:
    """Add ``plan``'s city beside the seeded Central cluster, in one transaction; returns what was built."""
    began = clock.monotonic()
    city = City()
    with engine.begin() as connection:
        central_id, central_code, central_settings, central_days = _central(connection)
        writer = Writer(connection)
        b = _Builder(writer, plan, service_url, now)
        reviews = itertools.count(1)
        clusters: list[_Cluster] = []

        for index in range(plan.clusters):
            if index == 0:
                cluster_id, code, taken = central_id, central_code, central_days
                setting_ids = central_settings
            else:
                cluster_id = writer.add(
                    "cluster",
                    name=f"Bench {index:04d}",
                    code=f"B{index:04d}",
                    deadline_days=7,
                    quorum=None,
                    same_trust_recusal=False,
                    agenda_days=5,
                    nudge_plan={},
                )
                code, taken = f"B{index:04d}", set()
                setting_ids = [
                    writer.add(
                        "setting",
                        cluster_id=cluster_id,
                        name=f"Bench School {index:04d}-{s:02d}",
                        urn=None,
                        trust=None,
                        mainstream=True,
                        received_hncg=False,
                    )
                    for s in range(plan.settings_per_cluster)
                ]
            settings = []
            for setting_id in setting_ids:
                aad = f"bench-senco-{setting_id}"
                senco = b.person(aad, f"Senco {setting_id}")
                b.role(senco, "senco", None, setting_id)
                settings.append((setting_id, senco))
            chair = b.person(f"bench-chair-{cluster_id}", f"Chair {cluster_id}")
            admin = b.person(f"bench-admin-{cluster_id}", f"Admin {cluster_id}")
            b.role(chair, "chair", cluster_id, None)
            b.role(admin, "admin", cluster_id, None)
            channel = b.channel(cluster_id, central_id)
            b.budgets(cluster_id)
            held, upcoming = b.meetings(cluster_id, index, taken)
            clusters.append(_Cluster(cluster_id, code, settings, chair, admin, held, upcoming))
            if index == 0:
                city.central_id, city.central_channel = cluster_id, channel
                city.chair = (f"bench-chair-{cluster_id}", f"Chair {cluster_id}")
                city.admin = (f"bench-admin-{cluster_id}", f"Admin {cluster_id}")
                city.senco = (f"bench-senco-{setting_ids[0]}", f"Senco {setting_ids[0]}")
        writer.flush()  # parents before the rows that point at them (PostgreSQL checks as it goes)

        for index, c in enumerate(clusters):
            b.background(c, plan.mix, index == 0, reviews)
            if index == 0:
                _central_meetings(b, c, plan, reviews, city)
            if index % 20 == 19:
                writer.flush()
        writer.flush()
        _counters(writer, clusters)
        writer.flush()
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
        _what_worked(connection, now)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would have by now in a real deployment
    city.counts = dict(writer.counts)
    city.seconds = clock.monotonic() - began
    return city


def _what_worked(connection: Connection, now: datetime) -> None:
    """The what worked index as the review and meeting use cases would leave it, in two set-based inserts.

    Every decided referral's provision rows, rated as if its review had been submitted (the counts vary with
    the row's id), and the advice of one decided referral in ten: about 130,000 rows and 20,000 pieces of
    advice at 100x, so ``what worked`` searches an index of the whole city's size.
    """
    connection.execute(
        text(
            "INSERT INTO what_worked (kind, referral_id, cluster_id, area_of_need, need_code, year_band, "
            "provision_key, provision, cost_pence, achieved, partly, not_achieved, advice, body, scope, indexed_at) "
            "SELECT 'provision', r.id, r.cluster_id, p.area_of_need, 'SLCN', 'KS2', lower(p.provision), p.provision, "
            "p.hourly_rate_pence * 10, 1 + p.id % 3, p.id % 2, p.id % 2, '', "
            "p.provision || ' Communication and interaction SLCN Speech, language and communication needs', "
            "'c' || r.cluster_id, :now "
            "FROM provision_line AS p JOIN referral AS r ON r.id = p.referral_id WHERE r.state = 'decided'"
        ),
        {"now": now.astimezone(UTC).replace(tzinfo=None)},
    )
    connection.execute(
        text(
            "INSERT INTO what_worked (kind, referral_id, cluster_id, area_of_need, need_code, year_band, "
            "provision_key, provision, cost_pence, achieved, partly, not_achieved, advice, body, scope, indexed_at) "
            "SELECT 'advice', r.id, r.cluster_id, '', '', 'KS2', '', '', 0, 0, 0, 0, "
            "'A visual timetable and a calm corner before each transition helped.', "
            "'A visual timetable and a calm corner before each transition helped. Speech and language.', "
            "'c' || r.cluster_id, :now "
            "FROM referral AS r WHERE r.state = 'decided' AND r.id % 10 = 0"
        ),
        {"now": now.astimezone(UTC).replace(tzinfo=None)},
    )


def _central_meetings(b: _Builder, c: _Cluster, plan: Plan, reviews: Iterator[int], city: City) -> None:
    """Central's long agenda on its next meeting and its latest held meeting's long minutes."""
    spread = itertools.cycle(c.settings)
    kinds = ("individual", "ehcp", "individual", "project", "individual", "ehcp", "individual", "discussion")
    upcoming = c.upcoming[0]
    for k in range(plan.agenda_items):
        referral_id, _, _ = b.referral(c, next(spread), kinds[k % len(kinds)], "accepted", upcoming)
        b.item(upcoming, referral_id, "pending")
    held = c.held[0]
    outcomes = ("approved", "approved", "declined", "approved", "approved_reduced", "approved", "declined", "approved")
    for k in range(plan.minutes_items):
        setting = next(spread)
        kind = kinds[k % len(kinds)]
        outcome = "advice" if kind == "discussion" else outcomes[k % len(outcomes)]
        voters = [] if kind == "discussion" else [s for s in c.settings if s != setting][:20]
        b.decide(c, setting, held, kind, outcome, next(reviews), voters)
    city.agenda_meeting_id, city.held_meeting_id = upcoming[0], held[0]


def _counters(writer: Writer, clusters: list[_Cluster]) -> None:
    table = writer.tables["reference_counter"]
    for c in clusters:
        for year, last in c.numbers.items():
            writer.connection.execute(table.delete().where(table.c.cluster_id == c.id, table.c.year_start == year))
            writer.add("reference_counter", cluster_id=c.id, year_start=year, last_number=last)


def _move_sequences(connection: Connection) -> None:
    """Move each PostgreSQL id sequence past the ids written here, so the bot's own inserts don't collide."""
    for name, table in _tables().items():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
            )
        )


# --- the vote scenario ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteSetup:
    """A meeting today with one referral on its agenda, ready for the chair to start it and open the item."""

    meeting_id: int
    item_id: int
    referrer_setting_id: int


def prepare_vote(engine: Engine, now: datetime, referrer_aad: str) -> VoteSetup:
    """Add a meeting today (or use Central's meeting today) and one referral from ``referrer_aad``'s setting.

    Central must be seeded and ``referrer_aad`` registered as a SENCO (``clusterbot roster import``).
    """
    tables = _tables()
    today = now.astimezone(LONDON).date()
    with engine.begin() as connection:
        central_id, code, _, _ = _central(connection)
        person, role, meeting = tables["person"], tables["role_assignment"], tables["meeting"]
        found = connection.execute(
            select(person.c.id, role.c.setting_id)
            .join(role, role.c.person_id == person.c.id)
            .where(person.c.aad_object_id == referrer_aad, role.c.role == "senco")
        ).first()
        if found is None:
            raise RuntimeError(f"{referrer_aad} is not a registered SENCO")
        writer = Writer(connection)
        existing = connection.execute(
            select(meeting.c.id).where(meeting.c.cluster_id == central_id, meeting.c.day == today)
        ).scalar()
        meeting_id = existing or writer.add(
            "meeting",
            cluster_id=central_id,
            title="Bench meeting",
            day=today,
            start=time(0, 0),
            end=time(23, 59),
            deadline=deadline_of(today),
            online_link=None,
            cancelled=False,
            started_at=None,
            ended_at=None,
        )
        writer.flush()
        b = _Builder(writer, plan_for(1), "http://unused", now)
        cluster = _Cluster(central_id, code, [], 0, 0, [], [])
        referral_id, _, _ = b.referral(
            cluster, (int(found.setting_id), int(found.id)), "individual", "accepted", (meeting_id, today)
        )
        writer.flush()
        item_id = b.item((meeting_id, today), referral_id, "pending")
        writer.flush()
        # The quorum is taken from who is present (issue 20): every SENCO of Central is on the register.
        sencos = connection.execute(
            select(person.c.id, person.c.name, role.c.setting_id)
            .join(role, role.c.person_id == person.c.id)
            .where(
                role.c.role == "senco",
                role.c.setting_id.in_(
                    select(tables["setting"].c.id).where(tables["setting"].c.cluster_id == central_id)
                ),
                person.c.id.not_in(
                    select(tables["attendance"].c.person_id).where(
                        tables["attendance"].c.meeting_id == meeting_id, tables["attendance"].c.person_id.is_not(None)
                    )
                ),
            )
        ).all()
        for senco_id, name, setting_id in sencos:
            writer.add(
                "attendance", meeting_id=meeting_id, who=f"person:{senco_id}", person_id=senco_id, name=name,
                setting_id=setting_id, attends_as="senco", presence="present", source="roll_call", updated_at=now,
            )  # fmt: skip
        writer.flush()
        _counters(writer, [cluster])
        writer.flush()
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
    return VoteSetup(meeting_id, item_id, int(found.setting_id))
