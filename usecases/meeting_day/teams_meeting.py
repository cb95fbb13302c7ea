"""The Teams meeting held in a cluster's channel, and the cluster meeting of that day, kept together.

Teams tells the bot when the channel's meeting starts and ends and who joins and leaves it
(``cluster.commands.teams_meeting``). Each event finds the cluster by the channel it is held in, and the
cluster's meeting of today (London); a channel that is not linked, or a day without a meeting, changes
nothing. Then:

- start: the Teams meeting's id is kept on the meeting, and the chair (and an acting chair) is offered
  "Start the cluster meeting" in their personal chat, once a meeting however often Teams says so;
- join and leave: the person is put on the register as present, or as having left, in the capacity their
  roles give them (``usecases.meeting_day.register``); someone the bot does not know goes on by name;
- end: with the cluster meeting started and not ended, the chair is reminded to end it.

When an item's vote opens in a meeting held in Teams, :func:`owe_item_notification` owes an in-meeting
notification to the people present, in the opening's own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cards.meeting_day.teams_meeting import end_reminder_card, start_offer_card
from cluster import keys
from cluster.agenda import ItemState
from cluster.attendance import Presence
from cluster.clock import LONDON
from cluster.commands.teams_meeting import ParticipantEvent, TeamsMeetingEvent
from cluster.roles import Role
from store import audit
from store.db import take_turn, transaction
from store.outbox import owe_meeting_notification, owe_notice
from store.repo import person_with_grants, role_holders
from usecases.meeting_day.meeting_rows import MeetingRows, load_meeting
from usecases.meeting_day.register import Line, capacity, set_presence, who_person, who_teams_user

TEAMS = "teams"  # the register's source, and the audit's actor, for what Teams told the bot

_T = SQLModel.metadata.tables
_MEETING, _REF, _ITEM = _T["meeting"], _T["conversation_ref"], _T["agenda_item"]
_ATTENDANCE, _PERSON = _T["attendance"], _T["person"]

# Today's meeting of the cluster the channel is linked to (a cancelled one is not held).
_TODAYS_MEETING = (
    sa_select(_MEETING.c.id, _MEETING.c.cluster_id)
    .select_from(_MEETING.join(_REF, _REF.c.cluster_id == _MEETING.c.cluster_id))
    .where(
        _REF.c.conversation_id == bindparam("channel"),
        _REF.c.installed,
        _MEETING.c.day == bindparam("day"),
        _MEETING.c.cancelled.is_(False),
    )
    .limit(1)
)
_OPEN_ITEM = sa_select(_ITEM.c.id).where(_ITEM.c.meeting_id == bindparam("meeting"), _ITEM.c.state == ItemState.OPEN)
# Who is present, by Entra object id: a known person's, or the one a Teams participant's line is keyed by.
_PRESENT_IDS = (
    sa_select(_ATTENDANCE.c.who, _PERSON.c.aad_object_id)
    .select_from(_ATTENDANCE.outerjoin(_PERSON, _PERSON.c.id == _ATTENDANCE.c.person_id))
    .where(_ATTENDANCE.c.meeting_id == bindparam("meeting"), _ATTENDANCE.c.presence == Presence.PRESENT.value)
)
_TEAMS_USERS = sa_select(_REF.c.reference).where(
    _REF.c.kind == "personal", _REF.c.installed, _REF.c.aad_object_id.in_(bindparam("aads", expanding=True))
)


def _todays_meeting(session: Session, channel: str, now: datetime) -> MeetingRows | None:
    """The meeting of today held by the cluster ``channel`` is linked to, in the cluster's turn; None if none."""
    today = now.astimezone(LONDON).date()
    found = session.connection().execute(_TODAYS_MEETING, {"channel": channel, "day": today}).first()
    if found is None:
        return None
    take_turn(session, "cluster", int(found[1]))
    return load_meeting(session, int(found[0]))


def _same_teams_meeting(rows: MeetingRows, teams_meeting: str) -> bool:
    """Whether an event is about the Teams meeting the cluster meeting is held in (or none is known yet)."""
    known = rows.meeting.teams_meeting_id
    return known is None or known == teams_meeting


def _chairs(session: Session, rows: MeetingRows) -> list[int]:
    """The cluster's chairs and whoever the chair handed this meeting to."""
    cluster_id = rows.meeting.cluster_id
    chairs = role_holders(session, [Role.CHAIR], in_clusters=[cluster_id]).get(cluster_id, [])
    acting = rows.meeting.acting_chair_id
    return [*chairs, acting] if acting is not None and acting not in chairs else chairs


def meeting_started(engine: Engine, event: TeamsMeetingEvent, now: datetime) -> list[str]:
    """The channel's Teams meeting started: keep its id, and offer the chair the start of the cluster meeting.

    Returns the keys of the offers newly owed (none when Teams says it twice, or the meeting has started).
    """
    with transaction(engine, serial=False) as session:
        rows = _todays_meeting(session, event.channel, now)
        if rows is None:
            return []
        meeting = rows.meeting
        if meeting.teams_meeting_id != event.teams_meeting:
            # A later Teams meeting in the channel the same day is the one the cluster meets in now.
            meeting.teams_meeting_id = event.teams_meeting
            session.add(meeting)
            audit.record(session, now, TEAMS, "teams_meeting.start", f"meeting:{meeting.id}")
        if meeting.started_at is not None or meeting.ended_at is not None:
            return []
        offer = start_offer_card(rows.cluster.name, meeting.day, meeting.id or 0)
        return owe_notice(session, keys.teams_meeting_started(meeting.id or 0), now, offer, _chairs(session, rows))


def meeting_ended(engine: Engine, event: TeamsMeetingEvent, now: datetime) -> list[str]:
    """The channel's Teams meeting ended: with the cluster meeting still open, the chair is reminded to end it."""
    with transaction(engine, serial=False) as session:
        rows = _todays_meeting(session, event.channel, now)
        if rows is None or not _same_teams_meeting(rows, event.teams_meeting):
            return []
        meeting = rows.meeting
        if meeting.started_at is None or meeting.ended_at is not None:
            return []
        reminder = end_reminder_card(rows.cluster.name, meeting.day, meeting.id or 0)
        owed = owe_notice(session, keys.teams_meeting_ended(meeting.id or 0), now, reminder, _chairs(session, rows))
        if owed:
            audit.record(session, now, TEAMS, "teams_meeting.end", f"meeting:{meeting.id}", reminded=len(owed))
        return owed


def participant(engine: Engine, event: ParticipantEvent, presence: Presence, now: datetime) -> bool:
    """Someone joined (PRESENT) or left (LEFT) the channel's Teams meeting: their register line says so.

    Returns whether the register changed. A person the bot knows attends in the capacity their roles give
    them (a substitute named for this meeting, for their setting); someone it does not know goes on by name.
    """
    with transaction(engine, serial=False) as session:
        rows = _todays_meeting(session, event.channel, now)
        if rows is None or not _same_teams_meeting(rows, event.teams_meeting) or rows.meeting.ended_at is not None:
            return False
        meeting_id = rows.meeting.id or 0
        line = _line(session, event, rows.meeting.cluster_id, meeting_id)
        if not set_presence(session, meeting_id, line, presence, TEAMS, now):
            return False
        audit.record(session, now, TEAMS, f"register.teams_{presence.value}", f"meeting:{meeting_id}", who=line.who)
        # The agenda and an open vote show who is present (the quorum): both are redrawn.
        rows.cards_changed(session, now, keys.agenda(meeting_id))
        open_item = session.connection().execute(_OPEN_ITEM, {"meeting": meeting_id}).scalar()
        if open_item is not None:
            rows.cards_changed(session, now, keys.vote(int(open_item)))
        return True


def _line(session: Session, event: ParticipantEvent, cluster_id: int, meeting_id: int) -> Line:
    """The register line of a Teams participant: by their roles if the bot knows them, else by name."""
    known = person_with_grants(session, event.aad)
    if known is None:
        return Line(who_teams_user(event.aad), event.name or "A Teams participant", capacity((), cluster_id)[0])
    person_id, name, grants = known
    substitute_for = next(
        (g.setting_id for g in grants if g.role is Role.SUBSTITUTE and g.meeting_id == meeting_id), None
    )
    attends_as, setting_id = capacity(grants, cluster_id, substitute_for)
    return Line(who_person(person_id), name, attends_as, setting_id, person_id)


# --- the in-meeting notification when an item opens ---------------------------------------------------------


def meeting_notification(recipients: list[str]) -> dict[str, object]:
    """A targeted in-meeting notification (``TeamsInfo.send_meeting_notification``'s body) for ``recipients``.

    It badges the app's icon in the meeting window of each recipient (the ``meetingTabIcon`` surface): a
    notification on the meeting stage would need a web page the bot does not serve.
    """
    return {
        "type": "targetedMeetingNotification",
        "value": {"recipients": recipients, "surfaces": [{"surface": "meetingTabIcon"}]},
    }


def _present_teams_users(session: Session, meeting_id: int) -> list[str]:
    """The Teams user ids (``29:…``) of the people present, from their personal chats' references."""
    session.flush()
    aads = {
        aad or who.removeprefix("aad:")
        for who, aad in session.connection().execute(_PRESENT_IDS, {"meeting": meeting_id})
        if aad or who.startswith("aad:")
    }
    if not aads:
        return []
    found = session.connection().execute(_TEAMS_USERS, {"aads": sorted(aads)}).scalars()
    users = {str(reference.get("user", {}).get("id") or "") for reference in found if isinstance(reference, dict)}
    return sorted(user for user in users if user)


def owe_item_notification(session: Session, rows: MeetingRows, item_id: int, now: datetime) -> bool:
    """Owe the Teams meeting an in-meeting notification that an item's vote opened, in the opening's transaction.

    Only for a meeting held in its channel's Teams meeting (its start event named it) with someone present
    whom the bot can reach; once per item (its key), however often the item is opened.
    """
    teams_meeting = rows.meeting.teams_meeting_id
    if teams_meeting is None or rows.channel is None or rows.meeting.id is None:
        return False
    recipients = _present_teams_users(session, rows.meeting.id)
    if not recipients:
        return False
    notification = meeting_notification(recipients)
    return owe_meeting_notification(
        session, keys.meeting_notification(item_id), now, rows.channel, teams_meeting, notification
    )
