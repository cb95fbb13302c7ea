"""A meeting's register as rows: who is on it, setting a person's line, and the quorum check for an item.

The use cases that change the register ("I'm here", apologies, the roll call, the Teams meeting's join and
leave events) and those that read it (opening a vote, the reminder of who has not voted, the minutes) share
these helpers, so the register is written in one way. The rules are :mod:`cluster.attendance`.

Every function here runs inside the caller's unit of work, under the cluster's turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from cluster.attendance import (
    Attendee,
    AttendsAs,
    ItemParties,
    Presence,
    QuorumCheck,
    RecusedBecause,
    quorum_check,
    recused,
    settings_present,
)
from cluster.roles import Grant, Role
from store.models import Attendance
from usecases.meeting_day.meeting_rows import MeetingRows

if TYPE_CHECKING:  # ballots reads the register for the vote card, so this import is for the types only
    from usecases.meeting_day.ballots import Settings

_T = SQLModel.metadata.tables
_ATTENDANCE = _T["attendance"]
_ROLE, _MEETING = _T["role_assignment"], _T["meeting"]

# The service an observer on the register represents in the meeting's cluster (their role's, read now).
_SERVICE = (
    sa_select(func.max(_ROLE.c.service))
    .where(
        _ROLE.c.person_id == _ATTENDANCE.c.person_id,
        _ROLE.c.role == Role.OBSERVER.value,
        _ROLE.c.cluster_id
        == sa_select(_MEETING.c.cluster_id).where(_MEETING.c.id == bindparam("meeting")).scalar_subquery(),
    )
    .correlate(_ATTENDANCE)
    .scalar_subquery()
)

_REGISTER = (
    sa_select(
        _ATTENDANCE.c.name,
        _ATTENDANCE.c.attends_as,
        _ATTENDANCE.c.presence,
        _ATTENDANCE.c.setting_id,
        _ATTENDANCE.c.person_id,
        _SERVICE,
    )
    .where(_ATTENDANCE.c.meeting_id == bindparam("meeting"))
    .order_by(_ATTENDANCE.c.id)
)


def who_person(person_id: int) -> str:
    """The register's key for someone the bot knows."""
    return f"person:{person_id}"


def who_teams_user(aad_object_id: str) -> str:
    """The register's key for a Teams participant the bot does not know."""
    return f"aad:{aad_object_id}"


def who_named(name: str) -> str:
    """The register's key for someone added by name (the same name, however it is spaced or cased, is one line)."""
    return "name:" + " ".join(name.split()).casefold()


def attendees(session: Session, meeting_id: int) -> list[Attendee]:
    """Everyone on a meeting's register, in the order they were first put on it (one query)."""
    session.flush()  # the connection sees only what the session has flushed
    return [
        Attendee(name, AttendsAs(attends_as), Presence(presence), setting_id, person_id, service or "")
        for name, attends_as, presence, setting_id, person_id, service in session.connection().execute(
            _REGISTER, {"meeting": meeting_id}
        )
    ]


@dataclass(frozen=True)
class Line:
    """Who a register line is for, and in what capacity they attend."""

    who: str
    name: str
    attends_as: AttendsAs
    setting_id: int | None = None
    person_id: int | None = None


def set_presence(session: Session, meeting_id: int, line: Line, presence: Presence, source: str, now: datetime) -> bool:
    """Put a person on the register as present, left or sending apologies; True if their line changed.

    Saying the same thing twice (a doubled click, a repeated Teams event) changes nothing. Someone marked
    present by the Teams meeting who then sends apologies keeps the later word.
    """
    found = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.who == line.who)
    ).first()
    if found is None:
        session.add(
            Attendance(
                meeting_id=meeting_id,
                who=line.who,
                person_id=line.person_id,
                name=line.name,
                setting_id=line.setting_id,
                attends_as=line.attends_as.value,
                presence=presence.value,
                source=source,
                updated_at=now,
            )
        )
        return True
    same = (
        found.presence == presence.value
        and found.attends_as == line.attends_as.value
        and found.setting_id == line.setting_id
    )
    if same:
        return False
    found.presence = presence.value
    found.attends_as = line.attends_as.value
    found.setting_id = line.setting_id
    found.name = line.name
    found.source = source
    found.updated_at = now
    session.add(found)
    return True


_CAPACITY_ORDER = (
    Role.SENCO,
    Role.DELEGATE,
    Role.CHAIR,
    Role.TEAM_AROUND_CLUSTER,
    Role.COUNCIL_OFFICER,
    Role.OBSERVER,  # last: someone who is also a SENCO or the chair attends as that
)
_AS: dict[Role, AttendsAs] = {
    Role.SENCO: AttendsAs.SENCO,
    Role.DELEGATE: AttendsAs.DELEGATE,
    Role.CHAIR: AttendsAs.CHAIR,
    Role.TEAM_AROUND_CLUSTER: AttendsAs.TEAM,
    Role.COUNCIL_OFFICER: AttendsAs.OFFICER,
    Role.OBSERVER: AttendsAs.OBSERVER,
}


def capacity(
    grants: Iterable[Grant], cluster_id: int, substitute_for: int | None = None
) -> tuple[AttendsAs, int | None]:
    """In what capacity a person attends a cluster's meeting, and the setting they attend for (if any).

    A substitute named for this meeting attends for that setting; otherwise a SENCO or delegate of one of
    the cluster's settings attends for it (the lowest id, as the voting rules choose), before any other
    role they hold; someone with no role in the cluster is an attendee by name.
    """
    if substitute_for is not None:
        return AttendsAs.SUBSTITUTE, substitute_for
    held = [g for g in grants if g.cluster_id == cluster_id or g.role is Role.COUNCIL_OFFICER]
    for role in _CAPACITY_ORDER:
        mine = sorted(
            (g for g in held if g.role is role), key=lambda g: g.setting_id if g.setting_id is not None else 0
        )
        if mine:
            return _AS[role], mine[0].setting_id
    return AttendsAs.OTHER, None


@dataclass(frozen=True)
class ItemPresence:
    """Who is present for an item's vote, who of them is recused and why, and the quorum check."""

    present: frozenset[int]
    recusals: dict[int, RecusedBecause]
    check: QuorumCheck


def item_presence(
    session: Session,
    rows: MeetingRows,
    settings: Settings,
    setting_id: int,
    interests: frozenset[int],
    attending: list[Attendee] | None = None,
) -> ItemPresence:
    """The quorum check for an item from its meeting's register as it stands.

    ``setting_id`` is the referring setting; ``interests`` the people who declared an interest in the item;
    ``attending`` the register when the caller has read it already (the agenda checks every item from one
    read).
    """
    assert rows.meeting.id is not None
    register = attendees(session, rows.meeting.id) if attending is None else attending
    parties = ItemParties(
        setting_id, settings.trusts.get(setting_id), rows.cluster.same_trust_recusal, interests=interests
    )
    recusals = recused(parties, settings.trusts, register)
    present = settings_present(register)
    return ItemPresence(present, recusals, quorum_check(present, recusals, rows.settings, rows.cluster.quorum))


def quorum_record(presence: ItemPresence, names: Mapping[int, str]) -> dict[str, object]:
    """What an item keeps of who was present and recused, by setting name, with the quorum line."""
    return {
        "present": sorted(names.get(s, "") for s in presence.present),
        "recused": {names.get(s, ""): why.value for s, why in sorted(presence.recusals.items())},
        "line": presence.check.line(),
    }
