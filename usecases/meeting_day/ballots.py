"""Meeting day's votes as rows: ballots, interests, the cluster's settings and members, one query each.

An item's vote view is built from these (:func:`vote_view`), however many settings voted; the agenda and
the minutes read every item's ballots and interests at once (``meeting_ballots``, ``meeting_interests``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cluster import voting
from cluster.agenda import ItemState, VoteView
from cluster.attendance import Attendee, not_voted
from cluster.roles import Grant, Role
from store.models import AgendaItem, Cluster
from usecases.meeting_day import register
from usecases.meeting_day.meeting_rows import ItemRows, MeetingRows, item_entry

_T = SQLModel.metadata.tables
_ITEM, _SETTING, _VOTE = _T["agenda_item"], _T["setting"], _T["vote"]
_INTEREST, _PERSON, _ROLE = _T["interest"], _T["person"], _T["role_assignment"]
_MEETING, _SUBSTITUTE = _T["meeting"], _T["substitute"]

_BALLOT_COLUMNS = (_VOTE.c.item_id, _VOTE.c.setting_id, _VOTE.c.person_id, _VOTE.c.choice)
_BALLOTS_OF_ITEM = sa_select(*_BALLOT_COLUMNS).where(_VOTE.c.item_id == bindparam("item")).order_by(_VOTE.c.id)
_BALLOTS_OF_MEETING = (
    sa_select(*_BALLOT_COLUMNS)
    .select_from(_VOTE.join(_ITEM, _ITEM.c.id == _VOTE.c.item_id))
    .where(_ITEM.c.meeting_id == bindparam("meeting"))
    .order_by(_VOTE.c.id)
)
_INTEREST_COLUMNS = (_INTEREST.c.item_id, _INTEREST.c.person_id, _PERSON.c.name)
_INTEREST_FROM = _INTEREST.join(_PERSON, _PERSON.c.id == _INTEREST.c.person_id)
_INTERESTS_OF_ITEM = (
    sa_select(*_INTEREST_COLUMNS).select_from(_INTEREST_FROM).where(_INTEREST.c.item_id == bindparam("item"))
)
_INTERESTS_OF_MEETING = (
    sa_select(*_INTEREST_COLUMNS)
    .select_from(_INTEREST_FROM.join(_ITEM, _ITEM.c.id == _INTEREST.c.item_id))
    .where(_ITEM.c.meeting_id == bindparam("meeting"))
)
_SETTINGS = sa_select(_SETTING.c.id, _SETTING.c.name, _SETTING.c.trust).where(
    _SETTING.c.cluster_id == bindparam("cluster")
)
_SEES_MEETING = _PERSON.c.aad_object_id.is_not(None)
# Who gets a personal view of the meeting's cards (Teams' refresh ``userIds``): those who run the meeting
# first (rank 0: the chairs and the acting chair), then the admins (who may hand it over), then the members
# who vote (the settings' SENCOs and delegates, and the meeting's substitutes). One query.
_REFRESH_PEOPLE = union_all(
    sa_select(_PERSON.c.aad_object_id, literal(0).label("rank"))
    .select_from(_PERSON.join(_ROLE, _ROLE.c.person_id == _PERSON.c.id))
    .where(_ROLE.c.role == Role.CHAIR.value, _ROLE.c.cluster_id == bindparam("cluster"), _SEES_MEETING),
    sa_select(_PERSON.c.aad_object_id, literal(0))
    .select_from(_PERSON.join(_MEETING, _MEETING.c.acting_chair_id == _PERSON.c.id))
    .where(_MEETING.c.id == bindparam("meeting"), _SEES_MEETING),
    sa_select(_PERSON.c.aad_object_id, literal(1))
    .select_from(_PERSON.join(_ROLE, _ROLE.c.person_id == _PERSON.c.id))
    .where(_ROLE.c.role == Role.ADMIN.value, _ROLE.c.cluster_id == bindparam("cluster"), _SEES_MEETING),
    sa_select(_PERSON.c.aad_object_id, literal(2))
    .select_from(
        _PERSON.join(_ROLE, _ROLE.c.person_id == _PERSON.c.id).join(_SETTING, _SETTING.c.id == _ROLE.c.setting_id)
    )
    .where(_SETTING.c.cluster_id == bindparam("cluster"), _SEES_MEETING),
    sa_select(_PERSON.c.aad_object_id, literal(2))
    .select_from(_PERSON.join(_SUBSTITUTE, _SUBSTITUTE.c.person_id == _PERSON.c.id))
    .where(_SUBSTITUTE.c.meeting_id == bindparam("meeting"), _SUBSTITUTE.c.confirmed_at.is_not(None), _SEES_MEETING),
)
# Teams refreshes a card by itself for at most 60 users.
MOST_REFRESHED = 60
_SUBSTITUTES = (
    sa_select(_SUBSTITUTE.c.setting_id, func.coalesce(_PERSON.c.name, _SUBSTITUTE.c.email))
    .select_from(_SUBSTITUTE.outerjoin(_PERSON, _PERSON.c.id == _SUBSTITUTE.c.person_id))
    .where(_SUBSTITUTE.c.meeting_id == bindparam("meeting"), _SUBSTITUTE.c.confirmed_at.is_not(None))
)


def refresh_user_ids(session: Session, cluster_id: int, meeting_id: int) -> tuple[str, ...]:
    """The Teams user ids who get a personal view of a meeting's cards, those who run it first (at most 60)."""
    found = session.connection().execute(_REFRESH_PEOPLE, {"cluster": cluster_id, "meeting": meeting_id}).all()
    ranked = sorted((rank, aad if aad.startswith("29:") else f"29:{aad}") for aad, rank in found if aad)
    return tuple(dict.fromkeys(user for _, user in ranked))[:MOST_REFRESHED]


def meeting_substitutes(session: Session, meeting_id: int) -> dict[int, str]:
    """Who is each setting's confirmed substitute at a meeting (their name, or the e-mail named), by setting."""
    session.flush()
    return {s: str(who) for s, who in session.connection().execute(_SUBSTITUTES, {"meeting": meeting_id})}


@dataclass(frozen=True)
class Interests:
    """Who declared an interest in an item: their ids (for the voting rules) and names (for the cards)."""

    person_ids: frozenset[int] = frozenset()
    names: tuple[str, ...] = ()


def _ballots(session: Session, query: Select[Any], params: Mapping[str, int]) -> dict[int, list[voting.Ballot]]:
    session.flush()  # the connection sees only what the session has flushed
    found: dict[int, list[voting.Ballot]] = defaultdict(list)
    for item, setting_id, person_id, choice in session.connection().execute(query, params):
        found[item].append(voting.Ballot(setting_id, person_id, voting.Choice(choice)))
    return found


def item_ballots(session: Session, item_id: int) -> list[voting.Ballot]:
    """The ballots on one item, in the order they were first cast."""
    return _ballots(session, _BALLOTS_OF_ITEM, {"item": item_id}).get(item_id, [])


def meeting_ballots(session: Session, meeting_id: int) -> dict[int, list[voting.Ballot]]:
    """The ballots on every item of a meeting, by item (one query)."""
    return _ballots(session, _BALLOTS_OF_MEETING, {"meeting": meeting_id})


def _interests(session: Session, query: Select[Any], params: Mapping[str, int]) -> dict[int, Interests]:
    session.flush()
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item, person_id, name in session.connection().execute(query, params):
        people[item].append((person_id, name))
    return {
        item: Interests(frozenset(p for p, _ in found), tuple(sorted(n for _, n in found)))
        for item, found in people.items()
    }


def item_interests(session: Session, item_id: int) -> Interests:
    """Who declared an interest in one item."""
    return _interests(session, _INTERESTS_OF_ITEM, {"item": item_id}).get(item_id, Interests())


def meeting_interests(session: Session, meeting_id: int) -> dict[int, Interests]:
    """The interests declared in every item of a meeting, by item (one query)."""
    return _interests(session, _INTERESTS_OF_MEETING, {"meeting": meeting_id})


@dataclass(frozen=True)
class Settings:
    """A cluster's settings: each one's name and trust."""

    names: dict[int, str]
    trusts: dict[int, str | None]


def cluster_settings(session: Session, cluster_id: int) -> Settings:
    """The cluster's settings' names and trusts (one query)."""
    rows = session.connection().execute(_SETTINGS, {"cluster": cluster_id}).all()
    return Settings({i: name for i, name, _ in rows}, {i: trust for i, _, trust in rows})


def needed_for(item: AgendaItem, cluster: Cluster, settings: int) -> int:
    """The quorum for an item: as it was when its vote closed, or as the cluster's rules say while it is open."""
    if item.quorum_needed is not None:
        return item.quorum_needed
    return voting.quorum_needed(settings, cluster.quorum)


def tally_of(item: AgendaItem, rows: MeetingRows, cast: Sequence[voting.Ballot]) -> voting.Tally:
    """The count on an item."""
    return voting.tally(cast, needed_for(item, rows.cluster, rows.settings))


def result_of(item: AgendaItem, count: voting.Tally) -> voting.Result | None:
    """The result of an item's vote once it is closed (None while pending or open)."""
    if item.state not in (ItemState.CLOSED, ItemState.DECIDED):
        return None
    return voting.result(count, voting.Choice(item.casting) if item.casting else None)


def vote_view(
    session: Session,
    rows: ItemRows,
    viewer: Iterable[Grant] | None = None,
    *,
    settings: Settings | None = None,
    declared: Interests | None = None,
    attending: list[Attendee] | None = None,
) -> VoteView:
    """An item's vote card content (personal to a viewer, from their grants: how their setting voted).

    A fixed number of queries: the entry (two), ballots, interests, the cluster's settings and members;
    ``settings`` and ``declared`` save two of them when the use case has just read them, and ``attending``
    the register's read. While the vote is open the register says how many of the present settings that
    may vote have voted, and which have not.
    """
    session.flush()
    item, meeting_id = rows.item, rows.meeting.id or 0
    assert item.id is not None
    cast = item_ballots(session, item.id)
    if declared is None:
        declared = item_interests(session, item.id)
    settings = settings or cluster_settings(session, rows.cluster.id or 0)
    names = settings.names
    count = tally_of(item, rows, cast)
    result = result_of(item, count)
    mine = None
    if viewer is not None:
        setting = voting.setting_at_meeting(viewer, rows.cluster.id or 0, meeting_id)
        mine = next((b.choice for b in cast if b.setting_id == setting), None) if setting else None
    entry = item_entry(session, item.id)
    here = register.item_presence(session, rows, settings, entry.setting_id, declared.person_ids, attending)
    eligible = here.present - frozenset(here.recusals)
    waiting = not_voted(here.present, here.recusals, count.settings_voted)
    return VoteView(
        item_id=item.id,
        entry=entry,
        state=item.state,
        tally=count,
        voted=tuple(sorted(names.get(b.setting_id, "") for b in cast)),
        interests=declared.names,
        result=result,
        ballots=tuple(sorted((names.get(b.setting_id, ""), b.choice) for b in cast)) if result is not None else (),
        casting=voting.Choice(item.casting) if item.casting else None,
        your_choice=mine,
        refresh_user_ids=refresh_user_ids(session, rows.cluster.id or 0, meeting_id),
        quorum_check=here.check.line(),
        may_vote=len(eligible),
        present_voted=len(eligible & count.settings_voted),
        not_voted=tuple(sorted(names.get(s, "") for s in waiting)),
    )
