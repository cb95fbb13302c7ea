"""The register by hand: "I'm here", apologies, and the chair's or an admin's roll call.

Each click is one unit of work in the cluster's turn: who may act is checked against the meeting the card
names (a meeting-scoped role, a substitute's or an acting chair's, reaches only its own meeting), the line is
written through :mod:`usecases.meeting_day.register` (so a doubled click, or a Teams event saying the same,
leaves one line), and an audit line is written only when the register changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cluster import keys
from cluster.attendance import ATTENDS_AS_TITLES, VOTES_FOR_SETTING, AttendsAs, Presence
from cluster.card_ids import MeetingId
from cluster.clock import LONDON
from cluster.commands.attendance import SETTING_GONE, AddAttendee, MarkSetting, SayHere, SendApologies, ShowRollCall
from cluster.errors import Refusal
from cluster.permissions import ROLL_CALL, SAY_HERE, SEND_APOLOGIES, Forbidden, Permission, authorize
from cluster.register import RollCall, register_of
from cluster.roles import SETTING_ROLES, Grant, Role
from store import audit
from store.db import take_turn, transaction
from store.repo import slot_of
from usecases.meeting_day import register
from usecases.meeting_day.meeting_rows import MeetingRows, cluster_of_channel, cluster_of_meeting, load_meeting
from usecases.people import Actor, require_registered

_T = SQLModel.metadata.tables
_SETTING, _MEETING, _SUBSTITUTE, _PERSON = _T["setting"], _T["meeting"], _T["substitute"], _T["person"]
_ROLE = _T["role_assignment"]

MEETING_ENDED = "This meeting has ended."
MEETING_CANCELLED = "This meeting was cancelled."

_SETTINGS = (
    sa_select(_SETTING.c.id, _SETTING.c.name)
    .where(_SETTING.c.cluster_id == bindparam("cluster"))
    .order_by(_SETTING.c.name, _SETTING.c.id)
)
_SUBSTITUTES = (
    sa_select(
        _SUBSTITUTE.c.setting_id,
        _SUBSTITUTE.c.person_id,
        _PERSON.c.name,
        _SUBSTITUTE.c.email,
        _SUBSTITUTE.c.confirmed_at,
    )
    .select_from(_SUBSTITUTE.outerjoin(_PERSON, _PERSON.c.id == _SUBSTITUTE.c.person_id))
    .where(_SUBSTITUTE.c.meeting_id == bindparam("meeting"))
)
# The people who may vote for a setting, SENCOs first (the roll call marks the first of them present).
_VOTERS = (
    sa_select(_ROLE.c.person_id, _PERSON.c.name, _ROLE.c.role)
    .select_from(_ROLE.join(_PERSON, _PERSON.c.id == _ROLE.c.person_id))
    .where(_ROLE.c.setting_id == bindparam("setting"), _ROLE.c.role.in_([r.value for r in SETTING_ROLES]))
    .order_by((_ROLE.c.role == Role.SENCO.value).desc(), _ROLE.c.person_id)
)
_NEXT_MEETINGS = (
    sa_select(_MEETING.c.id)
    .where(
        _MEETING.c.cluster_id.in_(bindparam("clusters", expanding=True)),
        _MEETING.c.ended_at.is_(None),
        _MEETING.c.cancelled.is_(False),
        _MEETING.c.day >= bindparam("today"),
    )
    .order_by(_MEETING.c.day, _MEETING.c.id)
    .limit(1)
)


def register_turn(session: Session, actor: Actor, permission: Permission, meeting_id: int) -> MeetingRows:
    """Check the actor may act on this meeting (its own meeting's roles count), take the cluster's turn, load it."""
    cluster_id = cluster_of_meeting(session, meeting_id)
    authorize(actor.grants, permission, cluster_id, meeting_id=meeting_id)
    take_turn(session, "cluster", cluster_id)
    return load_meeting(session, meeting_id)


def still_to_come(rows: MeetingRows, ended: str = MEETING_ENDED) -> None:
    """Refuse on a meeting that has ended or was cancelled."""
    if rows.meeting.cancelled:
        raise Refusal(MEETING_CANCELLED)
    if rows.meeting.ended_at is not None:
        raise Refusal(ended)


def settings_of(session: Session, cluster_id: int) -> dict[int, str]:
    """The cluster's settings by name, in the order the register shows them (one query)."""
    return {int(i): name for i, name in session.connection().execute(_SETTINGS, {"cluster": cluster_id})}


def substitutes_shown(session: Session, meeting_id: int) -> dict[int, str]:
    """Each setting's substitute named for the meeting, as the register shows them (one query)."""
    shown = {}
    for setting_id, _, name, email, confirmed_at in session.connection().execute(_SUBSTITUTES, {"meeting": meeting_id}):
        state = "confirmed" if confirmed_at is not None else "awaiting the admin's confirmation"
        shown[int(setting_id)] = f"{name or email} ({state})"
    return shown


def substitute_for(grants: Iterable[Grant], meeting_id: int) -> int | None:
    """The setting the person is a confirmed substitute for at this meeting, if any."""
    return next((g.setting_id for g in grants if g.role is Role.SUBSTITUTE and g.meeting_id == meeting_id), None)


def _own_line(actor: Actor, rows: MeetingRows) -> register.Line:
    assert actor.person_id is not None and rows.meeting.id is not None
    attends_as, setting_id = register.capacity(
        actor.grants, rows.meeting.cluster_id, substitute_for(actor.grants, rows.meeting.id)
    )
    return register.Line(register.who_person(actor.person_id), actor.name, attends_as, setting_id, actor.person_id)


def _as_said(line: register.Line, settings: dict[int, str]) -> str:
    title = ATTENDS_AS_TITLES[line.attends_as]
    return f"{title} for {settings[line.setting_id]}" if line.setting_id in settings else title


def mark_here(engine: Engine, actor: Actor, command: SayHere, now: datetime) -> str:
    """Say "I'm here": the clicker goes on the register as present, in their capacity; a second click changes nothing.

    Returns the sentence the clicker reads.
    """
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, SAY_HERE, command.meeting_id)
        still_to_come(rows)
        if now.astimezone(LONDON).date() < rows.meeting.day:
            raise Refusal("The register opens on the meeting's day.")
        line = _own_line(actor, rows)
        if register.set_presence(session, command.meeting_id, line, Presence.PRESENT, "self", now):
            audit.record(
                session, now, actor.tag, "register.here", f"meeting:{command.meeting_id}", attends_as=line.attends_as
            )
        settings = settings_of(session, rows.meeting.cluster_id)
        return f"You are on the register: present, as {_as_said(line, settings)}."


def send_apologies(engine: Engine, actor: Actor, command: SendApologies, now: datetime) -> str:
    """A SENCO or delegate sends their setting's apologies for a meeting that has not ended.

    Returns the sentence they read.
    """
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, SEND_APOLOGIES, command.meeting_id)
        still_to_come(rows, "This meeting has ended: apologies are sent before it, or while it runs.")
        line = _own_line(actor, rows)
        if line.attends_as not in VOTES_FOR_SETTING:
            raise Forbidden(SEND_APOLOGIES.refusal)
        if register.set_presence(session, command.meeting_id, line, Presence.APOLOGIES, "self", now):
            audit.record(
                session,
                now,
                actor.tag,
                "register.apologies",
                f"meeting:{command.meeting_id}",
                setting_id=line.setting_id,
            )
        settings = settings_of(session, rows.meeting.cluster_id)
        slot = slot_of(rows.meeting)
        return (
            f"Apologies sent for {settings.get(line.setting_id or 0, 'your setting')} for the {rows.cluster.name} "
            f"cluster's meeting on {slot.day:%A %-d %B %Y}."
        )


def next_meeting(engine: Engine, clusters: Iterable[int], now: datetime) -> int | None:
    """The next meeting (not ended, not cancelled, today or later) of any of these clusters."""
    wanted = sorted(set(clusters))
    if not wanted:
        return None
    with transaction(engine, read_only=True) as session:
        found = (
            session.connection()
            .execute(_NEXT_MEETINGS, {"clusters": wanted, "today": now.astimezone(LONDON).date()})
            .scalar()
        )
    return None if found is None else int(found)


def next_meeting_for_apologies(engine: Engine, actor: Actor, now: datetime) -> SendApologies:
    """The apologies command for the next meeting of the cluster where the actor is a SENCO or delegate."""
    require_registered(actor)
    clusters = [g.cluster_id for g in actor.grants if g.role in SETTING_ROLES and g.cluster_id is not None]
    if not clusters:
        raise Forbidden(SEND_APOLOGIES.refusal)
    meeting_id = next_meeting(engine, clusters, now)
    if meeting_id is None:
        raise Refusal("Your cluster has no meeting coming up to send apologies for.")
    return SendApologies(meeting_id=MeetingId(meeting_id))


# --- the roll call -----------------------------------------------------------------------------------------


def roll_call_view(session: Session, rows: MeetingRows) -> RollCall:
    """The register of a meeting, every setting of its cluster with its line (three queries)."""
    meeting_id = rows.meeting.id or 0
    kept = register_of(
        settings_of(session, rows.meeting.cluster_id),
        register.attendees(session, meeting_id),
        substitutes_shown(session, meeting_id),
    )
    live = rows.meeting.ended_at is None and not rows.meeting.cancelled
    return RollCall(meeting_id, rows.cluster.name, slot_of(rows.meeting), kept, live)


def roll_call(engine: Engine, actor: Actor, command: ShowRollCall) -> RollCall:
    """The roll-call card's view (the chair, an acting chair or an admin)."""
    with transaction(engine, read_only=True) as session:
        cluster_id = cluster_of_meeting(session, command.meeting_id)
        authorize(actor.grants, ROLL_CALL, cluster_id, meeting_id=command.meeting_id)
        return roll_call_view(session, load_meeting(session, command.meeting_id))


def roll_call_for_channel(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> ShowRollCall:
    """``@bot roll call``: the roll call of the channel's cluster's next meeting (today's, while it runs)."""
    with transaction(engine, read_only=True) as session:
        cluster_id = cluster_of_channel(session, conversation_id)
    authorize(actor.grants, ROLL_CALL, cluster_id)
    meeting_id = next_meeting(engine, [cluster_id], now)
    if meeting_id is None:
        raise Refusal("This cluster has no meeting coming up.")
    return ShowRollCall(meeting_id=MeetingId(meeting_id))


def _setting_voters(session: Session, setting_id: int, meeting_id: int) -> list[register.Line]:
    """Who the roll call marks present for a setting: its confirmed substitute, else its SENCOs, then delegates."""
    lines = [
        register.Line(register.who_person(int(person_id)), name, AttendsAs.SUBSTITUTE, setting_id, int(person_id))
        for setting, person_id, name, _, confirmed_at in session.connection().execute(
            _SUBSTITUTES, {"meeting": meeting_id}
        )
        if setting == setting_id and confirmed_at is not None and person_id is not None
    ]
    for person_id, name, role in session.connection().execute(_VOTERS, {"setting": setting_id}):
        attends_as = AttendsAs.SENCO if role == Role.SENCO.value else AttendsAs.DELEGATE
        lines.append(register.Line(register.who_person(int(person_id)), name, attends_as, setting_id, int(person_id)))
    return lines


def mark_setting(engine: Engine, actor: Actor, command: MarkSetting, now: datetime) -> RollCall:
    """The roll call marks a setting present (its substitute, else its SENCO, else a delegate) or absent.

    Absent takes every one of its voters present off the register (they have left); apologies stay as sent.
    """
    meeting_id = command.meeting_id
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, ROLL_CALL, meeting_id)
        still_to_come(rows)
        settings = settings_of(session, rows.meeting.cluster_id)
        if command.setting_id not in settings:
            raise Refusal(SETTING_GONE)
        changed = False
        if command.presence == "present":
            on_register = register.attendees(session, meeting_id)
            if not any(a.votes_for == command.setting_id for a in on_register):
                voters = _setting_voters(session, command.setting_id, meeting_id)
                if not voters:
                    raise Refusal(
                        f"{settings[command.setting_id]} has no SENCO or delegate registered with the bot: "
                        "add whoever came for it by name."
                    )
                changed = register.set_presence(session, meeting_id, voters[0], Presence.PRESENT, "roll_call", now)
        else:
            here = {a.person_id for a in register.attendees(session, meeting_id) if a.votes_for == command.setting_id}
            for voter in _setting_voters(session, command.setting_id, meeting_id):
                if voter.person_id in here:
                    changed |= register.set_presence(session, meeting_id, voter, Presence.LEFT, "roll_call", now)
        if changed:
            audit.record(
                session,
                now,
                actor.tag,
                "register.mark",
                f"meeting:{meeting_id}",
                setting_id=command.setting_id,
                presence=command.presence,
            )
            if rows.meeting.started_at is not None:  # the chair's view of the agenda shows the quorum
                rows.cards_changed(session, now, keys.agenda(meeting_id))
        return roll_call_view(session, rows)


def add_attendee(engine: Engine, actor: Actor, command: AddAttendee, now: datetime) -> RollCall:
    """The roll call adds someone present by name (the same name twice is one line)."""
    meeting_id = command.meeting_id
    name = " ".join(command.attendee_name.split())
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, ROLL_CALL, meeting_id)
        still_to_come(rows)
        line = register.Line(register.who_named(name), name, AttendsAs(command.attends_as))
        if register.set_presence(session, meeting_id, line, Presence.PRESENT, "roll_call", now):
            audit.record(
                session, now, actor.tag, "register.add", f"meeting:{meeting_id}", attends_as=command.attends_as
            )
        return roll_call_view(session, rows)
