"""Live votes on meeting day: opening an item, votes, interests, closing it, and each member's own view.

Each click is one unit of work in the cluster's turn: it checks who may act from the grants read at the
start of the turn, writes its change and audit line, owes the shared card's redraw, and returns what the
person's answer shows (their own view of the card, and whether they chair). Votes are written with one
upsert per setting, so many members clicking at once, or Teams delivering a click twice, leaves exactly
one vote per setting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel

from cards.meeting_day.votes import vote_reminder_card
from cluster import keys, voting
from cluster.agenda import AgendaView, ItemState, VoteView
from cluster.attendance import not_quorate_refusal, not_voted, settings_present
from cluster.commands.meetings import CastVote, CloseVote, DeclareInterest, OpenItem, RemindVoters, ShowVote
from cluster.errors import Refusal
from cluster.permissions import DECLARE_INTEREST, RUN_MEETING, SEE_AGENDA, VOTE, authorize, covers
from cluster.referrals import Kind
from cluster.wider_team import entry_without_pupil, sees_pupils
from store import audit
from store.db import transaction
from store.models import Interest, Vote
from store.outbox import owe_notice
from usecases.meeting_day import register, teams_meeting
from usecases.meeting_day.agenda import agenda_view
from usecases.meeting_day.ballots import cluster_settings, item_interests, meeting_substitutes, vote_view
from usecases.meeting_day.meeting_rows import ItemRows, item_turn, load_item
from usecases.people import Actor

DISCUSSION_NOT_VOTED = (
    "A solution-focused discussion asks for no money and is not voted on: record the advice from the agenda."
)
NOT_ON_REGISTER = (
    "Your setting is not on this meeting's register, so its vote cannot count yet. Press \"I'm here\" on the "
    "agenda, or join the cluster's Teams meeting, then vote."
)

_T = SQLModel.metadata.tables
_ITEM, _VOTE = _T["agenda_item"], _T["vote"]
_OPEN_ITEM = (
    sa_select(_ITEM.c.id).where(_ITEM.c.meeting_id == bindparam("meeting"), _ITEM.c.state == ItemState.OPEN).limit(1)
)
_WITHDRAW = _VOTE.delete().where(_VOTE.c.item_id == bindparam("item"), _VOTE.c.person_id == bindparam("person"))


@dataclass(frozen=True)
class PersonalVote:
    """A member's own view of a vote card, and whether they chair (so see the chair's controls)."""

    view: VoteView
    chairs: bool


def _personal(actor: Actor, view: VoteView, rows: ItemRows) -> PersonalVote:
    return PersonalVote(view, covers(actor.grants, RUN_MEETING, rows.cluster.id or 0, meeting_id=rows.meeting.id))


def open_item(engine: Engine, actor: Actor, command: OpenItem, now: datetime) -> AgendaView:
    """The chair opens an item for voting; one item is open at a time; opening it twice is harmless.

    It opens only when quorate from who is on the register now: enough settings present that are not
    recused on it (its own, its trust's where the cluster says so, those that declared an interest).
    Returns the agenda as it then stands (the chair's answer); the vote card is owed to the agenda's thread.
    """
    with transaction(engine, serial=False) as session:
        key, rows = item_turn(session, actor.grants, RUN_MEETING, command.item_id)
        item, meeting = rows.item, rows.meeting
        if meeting.started_at is None:
            raise Refusal("Start the meeting from the agenda card first.")
        if meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        if key.kind is Kind.DISCUSSION:
            raise Refusal(DISCUSSION_NOT_VOTED)
        if item.state == ItemState.PENDING:
            if session.connection().execute(_OPEN_ITEM, {"meeting": meeting.id}).first() is not None:
                raise Refusal("Another item is open. Close its vote before opening the next one.")
            settings = cluster_settings(session, key.cluster_id)
            interests = item_interests(session, command.item_id).person_ids
            here = register.item_presence(session, rows, settings, key.setting_id, interests)
            if not here.check.quorate:
                raise Refusal(not_quorate_refusal(here.check))
            item.state = ItemState.OPEN
            item.opened_at = now
            session.add(item)
            audit.record(session, now, actor.tag, "vote.open", f"item:{item.id}")
            # The agenda first: the vote card is posted in its thread.
            rows.cards_changed(session, now, keys.agenda(meeting.id or 0))
            rows.cards_changed(session, now, keys.vote(item.id or 0), thread_of=keys.agenda(meeting.id or 0))
            teams_meeting.owe_item_notification(session, rows, item.id or 0, now)  # when held in Teams
        return agenda_view(session, rows)


def cast_vote(engine: Engine, actor: Actor, command: CastVote, now: datetime) -> PersonalVote:
    """Record the actor's setting's vote; a second vote from the same setting replaces the first.

    Returns the voter's own view of the card (their choice shown) and whether they chair.
    """
    item_id = command.item_id
    try:
        chosen = voting.Choice(command.choice)
    except ValueError:
        raise Refusal("Choose Approve, Decline or Abstain.") from None
    with transaction(engine, serial=False) as session:
        key, rows = item_turn(session, actor.grants, VOTE, item_id)
        item, cluster = rows.item, rows.cluster
        if item.state != ItemState.OPEN:
            raise Refusal("This vote is closed." if item.state != ItemState.PENDING else "This item is not open yet.")
        settings = cluster_settings(session, key.cluster_id)
        declared = item_interests(session, item_id)
        voter = voting.voter_at_meeting(
            actor.person_id or 0,
            actor.grants,
            key.cluster_id,
            key.meeting_id,
            settings.trusts,
            meeting_substitutes(session, key.meeting_id),
        )
        setting_id = voting.check_can_vote(
            voter,
            voting.Item(
                key.setting_id, settings.trusts.get(key.setting_id), cluster.same_trust_recusal, declared.person_ids
            ),
        )
        attending = register.attendees(session, key.meeting_id)
        if setting_id not in settings_present(attending):
            raise Refusal(NOT_ON_REGISTER)
        _upsert_vote(session, item_id, setting_id, actor.person_id or 0, chosen, now)
        audit.record(session, now, actor.tag, "vote.cast", f"item:{item_id}", setting_id=setting_id)
        rows.cards_changed(session, now, keys.vote(item_id))
        view = vote_view(session, rows, actor.grants, settings=settings, declared=declared, attending=attending)
        return _personal(actor, view, rows)


def _upsert_vote(
    session: Session, item_id: int, setting_id: int, person_id: int, choice: voting.Choice, now: datetime
) -> None:
    dialect = session.get_bind().dialect.name
    statement = _UPSERT_VOTE.get(dialect)
    if statement is None:
        statement = _UPSERT_VOTE[dialect] = _upsert_vote_statement(
            postgres_insert if dialect == "postgresql" else sqlite_insert
        )
    session.execute(
        statement,
        {"item_id": item_id, "setting_id": setting_id, "person_id": person_id, "choice": choice.value, "cast_at": now},
    )


# Built once per database kind with bound parameters, so every click reuses its compiled form.
_UPSERT_VOTE: dict[str, Any] = {}


def _upsert_vote_statement(insert: Any) -> Any:
    statement = insert(Vote).values(
        item_id=bindparam("item_id"),
        setting_id=bindparam("setting_id"),
        person_id=bindparam("person_id"),
        choice=bindparam("choice"),
        cast_at=bindparam("cast_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=["item_id", "setting_id"],
        set_={
            "person_id": statement.excluded.person_id,
            "choice": statement.excluded.choice,
            "cast_at": statement.excluded.cast_at,
        },
    )


def declare_interest(engine: Engine, actor: Actor, command: DeclareInterest, now: datetime) -> PersonalVote:
    """Declare an interest: the person does not vote on this item, and any vote they gave is withdrawn."""
    item_id = command.item_id
    with transaction(engine, serial=False) as session:
        _, rows = item_turn(session, actor.grants, DECLARE_INTEREST, item_id)
        item = rows.item
        if item.state not in (ItemState.PENDING, ItemState.OPEN):
            raise Refusal("This vote is closed.")
        if session.get(Interest, (item_id, actor.person_id)) is None:
            session.add(Interest(item_id=item_id, person_id=actor.person_id or 0, declared_at=now))
            session.connection().execute(_WITHDRAW, {"item": item_id, "person": actor.person_id})
            audit.record(session, now, actor.tag, "vote.interest", f"item:{item_id}")
            rows.cards_changed(session, now, keys.vote(item_id))
        return _personal(actor, vote_view(session, rows, actor.grants), rows)


def close_item(engine: Engine, actor: Actor, command: CloseVote, now: datetime) -> VoteView:
    """The chair closes the vote, giving the casting vote on a tie (none when ``casting`` is empty).

    Closing twice is harmless.
    """
    item_id, casting = command.item_id, command.casting
    with transaction(engine, serial=False) as session:
        key, rows = item_turn(session, actor.grants, RUN_MEETING, item_id)
        item = rows.item
        if item.state == ItemState.PENDING:
            raise Refusal("This item has not been opened.")
        if casting:
            try:
                cast_choice = voting.Choice(casting)
            except ValueError:
                raise Refusal("The casting vote is Approve or Decline.") from None
            if item.state != ItemState.DECIDED:
                item.casting = cast_choice.value
        if item.state == ItemState.OPEN:
            item.state = ItemState.CLOSED
            item.closed_at = now
            # The quorum as it stands now is kept with the item, so a later change of rules leaves it be; and
            # with it who was present, who was recused and why, and the quorum line (for the minutes).
            settings = cluster_settings(session, key.cluster_id)
            interests = item_interests(session, item_id).person_ids
            here = register.item_presence(session, rows, settings, key.setting_id, interests)
            item.quorum_needed = voting.quorum_needed(rows.settings, rows.cluster.quorum)
            item.quorum_record = register.quorum_record(here, settings.names)
            audit.record(session, now, actor.tag, "vote.close", f"item:{item_id}", casting=item.casting)
        session.add(item)
        rows.cards_changed(session, now, keys.vote(item_id))
        return vote_view(session, rows, actor.grants)


def personal_vote(engine: Engine, actor: Actor, command: ShowVote) -> PersonalVote:
    """A member's own view of an item's vote card (Teams asks for it on refresh); they must reach its cluster."""
    with transaction(engine, read_only=True) as session:
        rows = load_item(session, command.item_id)
        authorize(actor.grants, SEE_AGENDA, rows.meeting.cluster_id, meeting_id=rows.meeting.id)
        view = vote_view(session, rows, actor.grants)
        if not sees_pupils(actor.grants, rows.meeting.cluster_id):
            view = replace(view, entry=entry_without_pupil(view.entry))  # the wider team: no pupil's details
        return _personal(actor, view, rows)


def shared_vote_view(engine: Engine, item_id: int) -> VoteView:
    """An item's vote card as everyone in the channel sees it (drawn by the bot for the shared message)."""
    with transaction(engine, read_only=True) as session:
        return vote_view(session, load_item(session, item_id))


def remind_voters(engine: Engine, actor: Actor, command: RemindVoters, now: datetime) -> PersonalVote:
    """The chair reminds the present settings that may vote on the open item and have not.

    Each present voter of those settings (not one who declared an interest) is owed a personal message
    with the vote card, under a key of the item and the minute asked (:func:`cluster.keys.vote_reminder`),
    so a doubled click reminds each once. Returns the chair's view of the vote card.
    """
    with transaction(engine, serial=False) as session:
        key, rows = item_turn(session, actor.grants, RUN_MEETING, command.item_id)
        if rows.item.state != ItemState.OPEN:
            raise Refusal("This vote is not open.")
        settings = cluster_settings(session, key.cluster_id)
        declared = item_interests(session, command.item_id)
        attending = register.attendees(session, key.meeting_id)
        here = register.item_presence(session, rows, settings, key.setting_id, declared.person_ids, attending)
        shared = vote_view(session, rows, settings=settings, declared=declared, attending=attending)
        waiting = not_voted(here.present, here.recusals, shared.tally.settings_voted)
        people = [
            a.person_id
            for a in attending
            if a.votes_for in waiting and a.person_id is not None and a.person_id not in declared.person_ids
        ]
        if not people:
            raise Refusal("Every setting present that may vote has voted.")
        owed = owe_notice(session, keys.vote_reminder(command.item_id, now), now, vote_reminder_card(shared), people)
        audit.record(session, now, actor.tag, "vote.remind", f"item:{command.item_id}", reminded=len(owed))
        return PersonalVote(shared, chairs=True)
