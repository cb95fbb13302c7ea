"""Meeting day's rows, loaded in a fixed number of queries however many items a meeting has.

The use cases of ``usecases.meeting_day`` (``agenda``, ``votes``, ``decisions``, ``minutes``) share this:
finding the cluster a card's row belongs to (cheaply, before taking the cluster's turn), loading an item or
a meeting with its cluster and linked channel in one query, and building agenda entries from one query per
kind of row (items with their referrals, decisions and reviews; provision lines) rather than several
queries per item. "The cluster's channel" is one query here (:data:`CLUSTER_CHANNEL`, :data:`MEETING_CHANNEL`),
which the agenda job and the carry-over read too. Ballots, interests, settings and members are
``usecases.meeting_day.ballots``.

Queries are built once, at import: building a SELECT costs more than SQLite takes to run it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel

from cluster.agenda import AgendaEntry, DecisionView
from cluster.card_ids import ITEM_GONE, MEETING_GONE
from cluster.decisions import Outcome, Schedule
from cluster.errors import Refusal
from cluster.impact import MAX_OUTCOMES, Rating, rating_field
from cluster.permissions import Permission, authorize
from cluster.provision import ProvisionRow
from cluster.provision_map import custom_or_costed, custom_rows
from cluster.referrals import Kind, pupil_label, requested_pence
from cluster.roles import Grant
from store.db import take_turn
from store.models import AgendaItem, Cluster, Decision, Meeting
from store.outbox import owe_card

_T = SQLModel.metadata.tables
_ITEM, _MEETING, _REFERRAL, _SETTING = _T["agenda_item"], _T["meeting"], _T["referral"], _T["setting"]
_DECISION, _REVIEW, _LINE, _VOTE = _T["decision"], _T["review"], _T["provision_line"], _T["vote"]
_INTEREST, _PERSON, _ROLE, _REF = _T["interest"], _T["person"], _T["role_assignment"], _T["conversation_ref"]

NOT_LINKED = "This channel is not linked to a cluster yet. A cluster admin can link it."


# --- whose turn: the cluster a card's row belongs to, before the turn is taken ---------------------------

_CLUSTER_OF_ITEM = (
    sa_select(_MEETING.c.cluster_id, _ITEM.c.referral_id, _REFERRAL.c.kind, _REFERRAL.c.setting_id, _ITEM.c.meeting_id)
    .select_from(
        _ITEM.join(_MEETING, _MEETING.c.id == _ITEM.c.meeting_id).join(_REFERRAL, _REFERRAL.c.id == _ITEM.c.referral_id)
    )
    .where(_ITEM.c.id == bindparam("item"))
)
_CLUSTER_OF_MEETING = sa_select(_MEETING.c.cluster_id).where(_MEETING.c.id == bindparam("meeting"))
_CLUSTER_OF_CHANNEL = sa_select(_REF.c.cluster_id).where(_REF.c.conversation_id == bindparam("conversation"))


@dataclass(frozen=True)
class ItemKey:
    """What never changes about an agenda item, so it may be read before the cluster's turn is taken.

    Its meeting's cluster, its referral, the referral's kind, the setting it came from, and its meeting (a
    grant for one meeting, a substitute's or an acting chair's, reaches only that meeting's items).
    """

    cluster_id: int
    referral_id: int
    kind: Kind
    setting_id: int
    meeting_id: int = 0


def cluster_of_item(session: Session, item_id: int) -> ItemKey:
    """The cluster an agenda item's meeting belongs to, and its referral's kind and setting (one query)."""
    row = session.connection().execute(_CLUSTER_OF_ITEM, {"item": item_id}).first()
    if row is None:
        raise Refusal(ITEM_GONE)
    return ItemKey(int(row[0]), int(row[1]), Kind(row[2]), int(row[3]), int(row[4]))


def cluster_of_meeting(session: Session, meeting_id: int) -> int:
    """The cluster a meeting belongs to."""
    cluster_id = session.connection().execute(_CLUSTER_OF_MEETING, {"meeting": meeting_id}).scalar()
    if cluster_id is None:
        raise Refusal(MEETING_GONE)
    return int(cluster_id)


def cluster_of_channel(session: Session, conversation_id: str) -> int:
    """The cluster a channel is linked to; refuses in a channel that is not linked."""
    cluster_id = session.connection().execute(_CLUSTER_OF_CHANNEL, {"conversation": conversation_id}).scalar()
    if cluster_id is None:
        raise Refusal(NOT_LINKED)
    return int(cluster_id)


# --- an item or a meeting, with its cluster and the channel its cards go to, in one query -------------------


def _linked_channel(cluster_id: ColumnElement[Any]) -> Select[Any]:
    """The channel a cluster is linked to (where its cards go): the latest installed reference naming it."""
    return (
        sa_select(_REF.c.conversation_id)
        .where(_REF.c.cluster_id == cluster_id, _REF.c.installed)
        .order_by(_REF.c.updated_at.desc())
        .limit(1)
    )


# The one query of "the cluster's channel", in its two shapes: for a cluster named by its id (the ``cluster``
# parameter), and as the ``channel`` column of a query of meetings (each meeting's cluster's channel).
CLUSTER_CHANNEL = _linked_channel(bindparam("cluster"))
MEETING_CHANNEL = _linked_channel(_MEETING.c.cluster_id).correlate(_MEETING).scalar_subquery().label("channel")
_SETTINGS_IN_CLUSTER = (
    sa_select(func.count(_SETTING.c.id))
    .where(_SETTING.c.cluster_id == _MEETING.c.cluster_id)
    .correlate(_MEETING)
    .scalar_subquery()
)


@dataclass
class MeetingRows:
    """A meeting, its cluster, how many settings the cluster has, and its linked channel (None if none)."""

    meeting: Meeting
    cluster: Cluster
    settings: int
    channel: str | None

    def cards_changed(self, session: Session, now: datetime, *card_keys: str, thread_of: str | None = None) -> None:
        """Owe the cluster's channel a redraw of these cards, in the transaction that changed what they show.

        So a change and the message showing it are stored together or not at all. A cluster whose channel
        is not linked has nowhere to show them.
        """
        if self.channel is None:
            return
        for card_key in card_keys:
            owe_card(session, card_key, self.channel, now, thread_of)


@dataclass
class ItemRows(MeetingRows):
    """An agenda item with its meeting's rows."""

    item: AgendaItem


_LOAD_MEETING = (
    sa_select(Meeting, Cluster, _SETTINGS_IN_CLUSTER, MEETING_CHANNEL)
    .join(Cluster, Cluster.id == Meeting.cluster_id)  # type: ignore[arg-type]
    .where(Meeting.id == bindparam("meeting"))  # type: ignore[arg-type]
)
_LOAD_ITEM = (
    sa_select(AgendaItem, Meeting, Cluster, _SETTINGS_IN_CLUSTER, MEETING_CHANNEL)
    .select_from(AgendaItem)
    .join(Meeting, Meeting.id == AgendaItem.meeting_id)  # type: ignore[arg-type]
    .join(Cluster, Cluster.id == Meeting.cluster_id)  # type: ignore[arg-type]
    .where(AgendaItem.id == bindparam("item"))  # type: ignore[arg-type]
)


def load_meeting(session: Session, meeting_id: int) -> MeetingRows:
    """A meeting with its cluster and channel (after the cluster's turn, when the unit checks what it reads)."""
    row = session.execute(_LOAD_MEETING, {"meeting": meeting_id}).first()
    if row is None:
        raise Refusal(MEETING_GONE)
    meeting, cluster, settings, channel = row
    return MeetingRows(meeting, cluster, int(settings), channel)


def load_item(session: Session, item_id: int) -> ItemRows:
    """An agenda item with its meeting, cluster and channel."""
    row = session.execute(_LOAD_ITEM, {"item": item_id}).first()
    if row is None:
        raise Refusal(ITEM_GONE)
    item, meeting, cluster, settings, channel = row
    return ItemRows(meeting, cluster, int(settings), channel, item)


def item_turn(
    session: Session, grants: Iterable[Grant], permission: Permission, item_id: int
) -> tuple[ItemKey, ItemRows]:
    """Check the actor may act on the item's cluster, wait for the cluster's turn, then load the item.

    Who may act is checked first (a refused click does not wait); the rows are read only once the turn
    is ours, so what the use case checks cannot change before it writes.
    """
    key = cluster_of_item(session, item_id)
    authorize(grants, permission, key.cluster_id, meeting_id=key.meeting_id)
    take_turn(session, "cluster", key.cluster_id)
    return key, load_item(session, item_id)


def meeting_turn(session: Session, grants: Iterable[Grant], permission: Permission, meeting_id: int) -> MeetingRows:
    """As :func:`item_turn`, for a meeting."""
    cluster_id = cluster_of_meeting(session, meeting_id)
    authorize(grants, permission, cluster_id, meeting_id=meeting_id)
    take_turn(session, "cluster", cluster_id)
    return load_meeting(session, meeting_id)


# --- agenda entries: one query for the items, their referrals, decisions and reviews; one for the costs ----

_REVIEWED = aliased(_DECISION, name="reviewed")
_DETAILS = ("title", "pupil_initials", "year_group", "amount")  # all an agenda shows of a referral's answers
_ENTRY_COLUMNS = (
    _ITEM.c.id,
    _ITEM.c.referral_id,
    _ITEM.c.state,
    _ITEM.c.deferred_from,
    _ITEM.c.review_id,
    _REFERRAL.c.reference,
    _REFERRAL.c.kind,
    _REFERRAL.c.contribution_pence,
    *(_REFERRAL.c.details[key] for key in _DETAILS),
    _SETTING.c.name,
    _REFERRAL.c.setting_id,
    _DECISION.c.id,
    _DECISION.c.outcome,
    _DECISION.c.amount_pence,
    _DECISION.c.conditions,
    _DECISION.c.feedback,
    _DECISION.c.information_needed,
    _DECISION.c.review_date,
    _DECISION.c.schedule,
    _DECISION.c.reserve_drawn,
    _REVIEW.c.id,
    _REVIEW.c.answers["recommendation"],
    _REVIEW.c.answers["adjusted_amount"],
    _REVIEWED.c.amount_pence,
    *(_REVIEW.c.answers[rating_field(position)] for position in range(1, MAX_OUTCOMES + 1)),
)
_ENTRY_FROM = (
    _ITEM.join(_REFERRAL, _REFERRAL.c.id == _ITEM.c.referral_id)
    .join(_SETTING, _SETTING.c.id == _REFERRAL.c.setting_id)
    .outerjoin(_DECISION, _DECISION.c.item_id == _ITEM.c.id)
    .outerjoin(_REVIEW, _REVIEW.c.id == _ITEM.c.review_id)
    .outerjoin(_REVIEWED, _REVIEWED.c.id == _REVIEW.c.decision_id)
)
_ENTRIES_OF_MEETING = (
    sa_select(*_ENTRY_COLUMNS)
    .select_from(_ENTRY_FROM)
    .where(_ITEM.c.meeting_id == bindparam("meeting"))
    .order_by(_ITEM.c.id)
)
_ENTRY_OF_ITEM = sa_select(*_ENTRY_COLUMNS).select_from(_ENTRY_FROM).where(_ITEM.c.id == bindparam("item"))
_COST_COLUMNS = (
    _LINE.c.referral_id,
    _LINE.c.minutes_per_session,
    _LINE.c.sessions_per_week,
    _LINE.c.group_size,
    _LINE.c.weeks,
    _LINE.c.hourly_rate_pence,
    _LINE.c.unit,  # issue 21: the document's unit prices the row, and a row not from it is marked with its reason
    _LINE.c.entry_id,
    _LINE.c.provision,
    _LINE.c.custom_reason,
)
_COSTS_OF_MEETING = sa_select(*_COST_COLUMNS).where(
    _LINE.c.referral_id.in_(sa_select(_ITEM.c.referral_id).where(_ITEM.c.meeting_id == bindparam("meeting")))
)
_COSTS_OF_ITEM = sa_select(*_COST_COLUMNS).where(
    _LINE.c.referral_id.in_(sa_select(_ITEM.c.referral_id).where(_ITEM.c.id == bindparam("item")))
)


def decision_view(
    outcome: str,
    amount_pence: int,
    conditions: str,
    feedback: str,
    information_needed: str,
    review_date: date | None,
    schedule: str | None,
    reserve_drawn: bool,
) -> DecisionView:
    """What was decided, from a decision's columns as stored."""
    return DecisionView(
        outcome=Outcome(outcome),
        amount_pence=amount_pence,
        conditions=conditions,
        feedback=feedback,
        information_needed=information_needed,
        review_date=review_date,
        schedule=Schedule(schedule) if schedule else None,
        reserve_drawn=reserve_drawn,
    )


def decided_view(row: Decision) -> DecisionView:
    """What was decided, from a decision row."""
    return decision_view(
        row.outcome,
        row.amount_pence,
        row.conditions,
        row.feedback,
        row.information_needed,
        row.review_date,
        row.schedule,
        row.reserve_drawn,
    )


def _review_request(
    review_id: int | None, recommendation: Any, adjusted: Any, reviewed_amount: int | None
) -> int | None:
    """What a review on the agenda asks for: the adjusted amount, or the same amount again (None: no review)."""
    if review_id is None:
        return None
    if recommendation == "adjust" and isinstance(adjusted, int):
        return adjusted
    return reviewed_amount or 0


_RATINGS_AT = len(_ENTRY_COLUMNS) - MAX_OUTCOMES  # where the review's ratings start in an entry's row
_RATINGS = frozenset(Rating)


def _entry(row: Sequence[Any], rows: Sequence[ProvisionRow]) -> AgendaEntry:
    (item_id, referral_id, state, deferred_from, item_review, reference, kind_value, contribution) = row[:8]
    details = {key: value for key, value in zip(_DETAILS, row[8:12], strict=True) if value is not None}
    (setting, setting_id, decision_id, *decision, review_id, recommendation, adjusted, reviewed) = row[12:_RATINGS_AT]
    kind = Kind(kind_value)
    review_request = _review_request(review_id, recommendation, adjusted, reviewed)
    decided = decision_view(*decision) if decision_id is not None else None
    return AgendaEntry(
        item_id=item_id,
        referral_id=referral_id,
        reference=reference or "",
        kind=kind,
        setting=setting,
        requested_pence=(
            requested_pence(kind, details, rows, contribution) if review_request is None else review_request
        ),
        pupil_label=pupil_label(details),
        state=state,
        deferred=deferred_from is not None,
        title=str(details.get("title", "")) if kind is Kind.PROJECT else "",
        decision=decided,
        review=item_review is not None,
        outcome_ratings=tuple(Rating(r) for r in row[_RATINGS_AT:] if r in _RATINGS),
        setting_id=setting_id,
        custom_rows=custom_rows(rows),
    )


def _costs(session: Session, query: Select[Any], params: Mapping[str, int]) -> dict[int, list[ProvisionRow]]:
    rows: dict[int, list[ProvisionRow]] = defaultdict(list)
    for referral_id, minutes, sessions, group, weeks, rate, *more in session.connection().execute(query, params):
        # The numbers price the row; a row's name is shown on an agenda only when it is not from the document.
        rows[referral_id].append(custom_or_costed(minutes, sessions, group, weeks, rate, *more))
    return rows


def _sorted(entries: Iterable[AgendaEntry]) -> list[AgendaEntry]:
    """Deferred items first, then by kind, then by reference."""
    return sorted(entries, key=lambda e: (not e.deferred, list(Kind).index(e.kind), e.reference))


def meeting_entries(session: Session, meeting_id: int) -> list[AgendaEntry]:
    """Every item on a meeting's agenda, in agenda order (two queries, whatever the number of items)."""
    session.flush()  # the queries below go to the connection, which sees only what the session has flushed
    params = {"meeting": meeting_id}
    costs = _costs(session, _COSTS_OF_MEETING, params)
    found = session.connection().execute(_ENTRIES_OF_MEETING, params).all()
    return _sorted(_entry(row, costs.get(row[1], ())) for row in found)


def item_entry(session: Session, item_id: int) -> AgendaEntry:
    """One item's agenda entry (two queries)."""
    session.flush()
    params = {"item": item_id}
    costs = _costs(session, _COSTS_OF_ITEM, params)
    row = session.connection().execute(_ENTRY_OF_ITEM, params).first()
    if row is None:
        raise Refusal(ITEM_GONE)
    return _entry(row, costs.get(row[1], ()))
