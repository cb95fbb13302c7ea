"""Meeting day's votes as rows: ballots, interests, the cluster's settings and members, one query each.

An item's vote view is built from these (:func:`vote_view`), however many settings voted; the agenda and
the minutes read every item's ballots and interests at once (``meeting_ballots``, ``meeting_interests``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from cluster import voting
from cluster.agenda import ItemState, VoteView
from cluster.roles import Grant
from store.models import AgendaItem, Cluster
from usecases.meeting_day.meeting_rows import ItemRows, MeetingRows, item_entry

_T = SQLModel.metadata.tables
_ITEM, _SETTING, _VOTE = _T["agenda_item"], _T["setting"], _T["vote"]
_INTEREST, _PERSON, _ROLE = _T["interest"], _T["person"], _T["role_assignment"]

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
_MEMBERS = (
    sa_select(_PERSON.c.aad_object_id)
    .select_from(
        _PERSON.join(_ROLE, _ROLE.c.person_id == _PERSON.c.id).join(_SETTING, _SETTING.c.id == _ROLE.c.setting_id)
    )
    .where(_SETTING.c.cluster_id == bindparam("cluster"), _PERSON.c.aad_object_id.is_not(None))
    .distinct()
)


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
) -> VoteView:
    """An item's vote card content (personal to a viewer, from their grants: how their setting voted).

    A fixed number of queries: the entry (two), ballots, interests, the cluster's settings and members;
    ``settings`` and ``declared`` save two of them when the use case has just read them.
    """
    session.flush()
    item = rows.item
    assert item.id is not None
    cast = item_ballots(session, item.id)
    if declared is None:
        declared = item_interests(session, item.id)
    names = (settings or cluster_settings(session, rows.cluster.id or 0)).names
    members = session.connection().execute(_MEMBERS, {"cluster": rows.cluster.id}).scalars().all()
    count = tally_of(item, rows, cast)
    result = result_of(item, count)
    mine = None
    if viewer is not None:
        setting = voting.voting_setting(viewer, rows.cluster.id or 0)
        mine = next((b.choice for b in cast if b.setting_id == setting), None) if setting else None
    return VoteView(
        item_id=item.id,
        entry=item_entry(session, item.id),
        state=item.state,
        tally=count,
        voted=tuple(sorted(names.get(b.setting_id, "") for b in cast)),
        interests=declared.names,
        result=result,
        ballots=tuple(sorted((names.get(b.setting_id, ""), b.choice) for b in cast)) if result is not None else (),
        casting=voting.Choice(item.casting) if item.casting else None,
        your_choice=mine,
        refresh_user_ids=tuple(sorted(a if a.startswith("29:") else f"29:{a}" for a in members if a))[:60],
    )
