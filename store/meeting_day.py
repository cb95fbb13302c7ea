"""Use cases for meeting day: the budget, the agenda, live votes, decisions and minutes.

Each checks the actor's role, writes its change and audit line in one transaction, and returns a plain
view from :mod:`cluster.agenda`. Votes are written with one upsert per setting, so many members clicking
at once, or Teams delivering a click twice, leaves exactly one vote per setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from cluster import decisions as decision_rules
from cluster import voting
from cluster.agenda import AgendaEntry, AgendaView, DecisionView, ItemState, MinutesEntry, MinutesView, VoteView
from cluster.budget import Budget as BudgetRule
from cluster.budget import Position, check_affordable, check_budget, position
from cluster.clock import LONDON
from cluster.decisions import FUNDED, Outcome, Schedule
from cluster.errors import Refusal
from cluster.meetings import MeetingSlot, agenda_due, next_meeting
from cluster.permissions import (
    DECLARE_INTEREST,
    MINUTES,
    POST_AGENDA,
    RUN_MEETING,
    SEE_AGENDA,
    SEE_BUDGET,
    SET_BUDGET,
    VOTE,
    Forbidden,
    Permission,
    authorize,
    covers,
)
from cluster.referrals import Kind, State
from cluster.review_form import GOES_TO_MEETING
from cluster.reviews import ReviewState
from cluster.roles import SETTING_ROLES, Role
from store import audit
from store.db import transaction
from store.models import (
    AgendaItem,
    Budget,
    ChannelPost,
    Cluster,
    ConversationRef,
    Decision,
    Interest,
    Meeting,
    Outbox,
    Person,
    Referral,
    Release,
    Review,
    RoleAssignment,
    Setting,
    Vote,
)
from store.outbox import NoticeCard, owe_card, owe_notice
from store.referral_views import view_of
from store.repo import cluster_by_name, get_or_refuse, meeting_slots, roles_in_cluster, slot_of
from store.seed import bank_holidays
from store.usecases import Actor

DISCUSSION_NOT_VOTED = (
    "A solution-focused discussion asks for no money and is not voted on: record the advice from the agenda."
)


# --- roles ----------------------------------------------------------------------------------------------


def _roles_in(session: Session, actor: Actor, cluster_id: int) -> frozenset[Role]:
    return roles_in_cluster(session, actor.person_id, cluster_id)


def _voter(session: Session, actor: Actor, cluster_id: int) -> voting.Voter:
    roles = _roles_in(session, actor, cluster_id)
    setting = session.exec(
        select(Setting)
        .join(RoleAssignment, col(RoleAssignment.setting_id) == Setting.id)
        .where(
            RoleAssignment.person_id == actor.person_id,
            col(RoleAssignment.role).in_([r.value for r in SETTING_ROLES]),
            Setting.cluster_id == cluster_id,
        )
        .order_by(col(Setting.id))
    ).first()
    return voting.Voter(
        person_id=actor.person_id or 0,
        roles=roles,
        setting_id=setting.id if setting else None,
        trust=setting.trust if setting else None,
    )


# --- budget ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetView:
    """A budget and where it stands."""

    cluster: str
    label: str
    starts: date
    ends: date
    rule: BudgetRule
    position: Position


def set_budget(
    engine: Engine,
    actor_tag: str,
    cluster_name: str,
    label: str,
    starts: date,
    ends: date,
    parts: Sequence[int],
    now: datetime,
) -> BudgetView:
    """Set (or correct) a cluster's budget for a period: baseline, growth uplift, specialist allocation, reserve."""
    rule = check_budget(*parts)
    if ends <= starts:
        raise Refusal("A funding period must end after it starts.")
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        budget = session.exec(select(Budget).where(Budget.cluster_id == cluster.id, Budget.starts == starts)).first()
        if budget is None:
            budget = Budget(
                cluster_id=cluster.id, label=label, starts=starts, ends=ends, baseline_pence=0, updated_at=now
            )
        budget.label, budget.ends = label, ends
        budget.baseline_pence = rule.baseline_pence
        budget.growth_uplift_pence = rule.growth_uplift_pence
        budget.specialist_allocation_pence = rule.specialist_allocation_pence
        budget.reserve_pence = rule.reserve_pence
        budget.updated_at = now
        session.add(budget)
        session.flush()
        audit.record(
            session,
            now,
            actor_tag,
            "budget.set",
            f"cluster:{cluster.name}",
            label=label,
            total=rule.total_pence,
            reserve=rule.reserve_pence,
        )
        found = _budget_on(session, cluster.id, starts)
        assert found is not None
        return found


def _budget_row(session: Session, cluster_id: int, day: date) -> Budget | None:
    return session.exec(
        select(Budget).where(Budget.cluster_id == cluster_id, Budget.starts <= day, Budget.ends >= day)
    ).first()


def _committed(session: Session, cluster_id: int, budget: Budget, excluding_item: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Decision.amount_pence), 0)).where(
        Decision.cluster_id == cluster_id,
        col(Decision.outcome).in_([o.value for o in FUNDED]),
        Decision.decided_at >= datetime.combine(budget.starts, datetime.min.time(), tzinfo=LONDON),
        Decision.decided_at <= datetime.combine(budget.ends, datetime.max.time(), tzinfo=LONDON),
    )
    if excluding_item is not None:
        query = query.where(Decision.item_id != excluding_item)
    released = (
        select(func.coalesce(func.sum(Release.amount_pence), 0))
        .join(Decision, col(Decision.id) == Release.decision_id)
        .where(
            Decision.cluster_id == cluster_id,
            Decision.decided_at >= datetime.combine(budget.starts, datetime.min.time(), tzinfo=LONDON),
            Decision.decided_at <= datetime.combine(budget.ends, datetime.max.time(), tzinfo=LONDON),
        )
    )
    return int(session.exec(query).one()) - int(session.exec(released).one())


def _rule(budget: Budget) -> BudgetRule:
    return BudgetRule(
        budget.baseline_pence, budget.growth_uplift_pence, budget.specialist_allocation_pence, budget.reserve_pence
    )


def _budget_on(session: Session, cluster_id: int, day: date, requested: int = 0) -> BudgetView | None:
    budget = _budget_row(session, cluster_id, day)
    cluster = session.get(Cluster, cluster_id)
    if budget is None or cluster is None:
        return None
    committed = _committed(session, cluster_id, budget)
    return BudgetView(
        cluster.name,
        budget.label,
        budget.starts,
        budget.ends,
        _rule(budget),
        position(_rule(budget), committed, requested),
    )


def budget_for(engine: Engine, cluster_name: str, day: date) -> BudgetView | None:
    """The cluster's budget covering a day, with what is committed and available."""
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or cluster.id is None:
            raise Refusal(f"There is no cluster called '{cluster_name}'.")
        return _budget_on(session, cluster.id, day)


# --- agenda ---------------------------------------------------------------------------------------------


def channel_cluster_id(session: Session, conversation_id: str) -> int:
    """The cluster a channel is linked to; refuses in a channel that is not linked."""
    ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
    if ref is None or ref.cluster_id is None:
        raise Refusal("This channel is not linked to a cluster yet. A cluster admin can link it.")
    return ref.cluster_id


def _linked_channel(session: Session, cluster_id: int) -> str | None:
    """The channel the cluster is linked to (where its cards go), or None."""
    return session.exec(
        select(ConversationRef.conversation_id)
        .where(ConversationRef.cluster_id == cluster_id, ConversationRef.installed)
        .order_by(col(ConversationRef.updated_at).desc())
    ).first()


def _cards_changed(
    session: Session, cluster_id: int, now: datetime, *card_keys: str, thread_of: str | None = None
) -> None:
    """Owe the cluster's channel a redraw of these cards, in the transaction that changed what they show.

    So a change and the message showing it are stored together or not at all. A cluster whose channel is
    not linked has nowhere to show them.
    """
    channel = _linked_channel(session, cluster_id)
    if channel is None:
        return
    for card_key in card_keys:
        owe_card(session, card_key, channel, now, thread_of)


def _meeting_for_agenda(session: Session, cluster_id: int, now: datetime) -> Meeting:
    slot = next_meeting(meeting_slots(session, cluster_id), now)
    if slot is None:
        raise Refusal("There is no upcoming meeting for this cluster.")
    meeting = session.get(Meeting, slot.id)
    assert meeting is not None
    return meeting


def _sync_items(session: Session, meeting: Meeting) -> None:
    """Every referral accepted onto this meeting, and every review waiting for a decision, has an agenda item."""
    have = set(session.exec(select(AgendaItem.referral_id).where(AgendaItem.meeting_id == meeting.id)).all())
    accepted = session.exec(
        select(Referral).where(Referral.meeting_id == meeting.id, Referral.state == State.ACCEPTED.value)
    ).all()
    for referral in accepted:
        if referral.id not in have:
            session.add(AgendaItem(meeting_id=meeting.id or 0, referral_id=referral.id or 0))
            have.add(referral.id or 0)
    if meeting.started_at is None:
        listed = set(session.exec(select(AgendaItem.review_id).where(col(AgendaItem.review_id).is_not(None))).all())
        waiting = session.exec(
            select(Review).where(Review.cluster_id == meeting.cluster_id, Review.state == ReviewState.SUBMITTED.value)
        ).all()
        for review in waiting:
            goes = review.answers.get("recommendation") in GOES_TO_MEETING
            if goes and review.id not in listed and review.referral_id not in have:
                session.add(AgendaItem(meeting_id=meeting.id or 0, referral_id=review.referral_id, review_id=review.id))
                have.add(review.referral_id)
    session.flush()


def _review_request(session: Session, item: AgendaItem) -> int | None:
    """What a review on the agenda asks for: the adjusted amount, or the same amount again."""
    if item.review_id is None:
        return None
    review = session.get(Review, item.review_id)
    if review is None:
        return None
    adjusted = review.answers.get("adjusted_amount")
    if review.answers.get("recommendation") == "adjust" and isinstance(adjusted, int):
        return adjusted
    decision = session.get(Decision, review.decision_id)
    return decision.amount_pence if decision else 0


def _decision_view(decision: Decision | None) -> DecisionView | None:
    if decision is None:
        return None
    return DecisionView(
        outcome=Outcome(decision.outcome),
        amount_pence=decision.amount_pence,
        conditions=decision.conditions,
        feedback=decision.feedback,
        information_needed=decision.information_needed,
        review_date=decision.review_date,
        schedule=Schedule(decision.schedule) if decision.schedule else None,
        reserve_drawn=decision.reserve_drawn,
    )


def _entry(session: Session, item: AgendaItem) -> AgendaEntry:
    referral = session.get(Referral, item.referral_id)
    assert referral is not None and item.id is not None
    view = view_of(session, referral)
    decision = session.exec(select(Decision).where(Decision.item_id == item.id)).first()
    review_request = _review_request(session, item)
    return AgendaEntry(
        item_id=item.id,
        referral_id=view.id,
        reference=view.reference or "",
        kind=view.kind,
        setting=view.setting,
        requested_pence=view.requested_pence if review_request is None else review_request,
        pupil_label=view.pupil_label,
        state=item.state,
        deferred=item.deferred_from is not None,
        title=str(view.details.get("title", "")) if view.kind is Kind.PROJECT else "",
        decision=_decision_view(decision),
        review=item.review_id is not None,
    )


def _agenda(session: Session, meeting: Meeting) -> AgendaView:
    items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(col(AgendaItem.id)))
    entries = [_entry(session, item) for item in items]
    entries.sort(key=lambda e: (not e.deferred, list(Kind).index(e.kind), e.reference))
    cluster = session.get(Cluster, meeting.cluster_id)
    requested = sum(e.requested_pence for e in entries if e.decision is None)
    budget = _budget_on(session, meeting.cluster_id, meeting.day, requested)
    return AgendaView(
        meeting_id=meeting.id or 0,
        meeting=slot_of(meeting),
        cluster=cluster.name if cluster else "",
        entries=tuple(entries),
        position=budget.position if budget else None,
        started=meeting.started_at is not None,
        ended=meeting.ended_at is not None,
    )


def agenda_for_channel(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> AgendaView:
    """Post (or redraw) the next meeting's agenda in the channel (chair, admin or team around the cluster)."""
    with transaction(engine) as session:
        cluster_id = channel_cluster_id(session, conversation_id)
        authorize(actor.grants, POST_AGENDA, cluster_id)
        meeting = _meeting_for_agenda(session, cluster_id, now)
        _sync_items(session, meeting)
        audit.record(session, now, actor.tag, "agenda.post", f"meeting:{meeting.id}")
        owe_card(session, f"agenda:{meeting.id}", conversation_id, now)
        return _agenda(session, meeting)


def agenda(engine: Engine, meeting_id: int) -> AgendaView:
    """A meeting's agenda as it stands (for redrawing cards)."""
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise Refusal("That meeting no longer exists.")
        return _agenda(session, meeting)


def agenda_for(engine: Engine, actor: Actor, meeting_id: Any) -> AgendaView:
    """A meeting's agenda for a member of its cluster who asks to see it again."""
    with transaction(engine, read_only=True) as session:
        meeting = _meeting(session, meeting_id)
        authorize(actor.grants, SEE_AGENDA, meeting.cluster_id)
        return _agenda(session, meeting)


def start_meeting(engine: Engine, actor: Actor, meeting_id: Any, now: datetime) -> AgendaView:
    """The chair starts the meeting; starting it twice is harmless."""
    with transaction(engine) as session:
        meeting = _meeting(session, meeting_id)
        authorize(actor.grants, RUN_MEETING, meeting.cluster_id)
        if meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        if meeting.started_at is None:
            meeting.started_at = now
            session.add(meeting)
            _sync_items(session, meeting)
            audit.record(session, now, actor.tag, "meeting.start", f"meeting:{meeting.id}")
            _cards_changed(session, meeting.cluster_id, now, f"agenda:{meeting.id}")
        return _agenda(session, meeting)


def _meeting(session: Session, meeting_id: Any) -> Meeting:
    return get_or_refuse(session, Meeting, meeting_id, "That meeting no longer exists.")


def _item(session: Session, item_id: Any) -> AgendaItem:
    return get_or_refuse(session, AgendaItem, item_id, "That agenda item no longer exists.")


# --- votes ----------------------------------------------------------------------------------------------


def open_item(engine: Engine, actor: Actor, item_id: Any, now: datetime) -> VoteView:
    """The chair opens an item for voting; one item is open at a time; opening it twice is harmless."""
    with transaction(engine) as session:
        item = _item(session, item_id)
        meeting = _meeting(session, item.meeting_id)
        authorize(actor.grants, RUN_MEETING, meeting.cluster_id)
        if meeting.started_at is None:
            raise Refusal("Start the meeting from the agenda card first.")
        if meeting.ended_at is not None:
            raise Refusal("This meeting has ended.")
        referral = session.get(Referral, item.referral_id)
        if referral is not None and referral.kind == Kind.DISCUSSION.value:
            raise Refusal(DISCUSSION_NOT_VOTED)
        if item.state == ItemState.PENDING:
            other = session.exec(
                select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.state == ItemState.OPEN)
            ).first()
            if other is not None:
                raise Refusal("Another item is open. Close its vote before opening the next one.")
            item.state = ItemState.OPEN
            item.opened_at = now
            session.add(item)
            audit.record(session, now, actor.tag, "vote.open", f"item:{item.id}")
            # The agenda first: the vote card is posted in its thread.
            _cards_changed(session, meeting.cluster_id, now, f"agenda:{meeting.id}")
            _cards_changed(session, meeting.cluster_id, now, f"vote:{item.id}", thread_of=f"agenda:{meeting.id}")
        return _vote_view(session, item, actor)


def _ballots(session: Session, item_id: int) -> list[voting.Ballot]:
    return [
        voting.Ballot(v.setting_id, v.person_id, voting.Choice(v.choice))
        for v in session.exec(select(Vote).where(Vote.item_id == item_id).order_by(col(Vote.id)))
    ]


def _needed(session: Session, cluster: Cluster) -> int:
    settings = session.exec(select(func.count()).select_from(Setting).where(Setting.cluster_id == cluster.id)).one()
    return voting.quorum_needed(int(settings), cluster.quorum)


def _needed_for(session: Session, item: AgendaItem, cluster: Cluster) -> int:
    """The quorum for an item: as it was when its vote closed, or as the cluster's rules say while it is open."""
    return item.quorum_needed if item.quorum_needed is not None else _needed(session, cluster)


def _vote_view(session: Session, item: AgendaItem, viewer: Actor | None = None) -> VoteView:
    assert item.id is not None
    meeting = session.get(Meeting, item.meeting_id)
    assert meeting is not None
    cluster = session.get(Cluster, meeting.cluster_id)
    assert cluster is not None
    ballots = _ballots(session, item.id)
    count = voting.tally(ballots, _needed_for(session, item, cluster))
    names = dict(session.exec(select(Setting.id, Setting.name).where(Setting.cluster_id == cluster.id)).all())
    voted = tuple(sorted(names.get(b.setting_id, "") for b in ballots))
    interests = tuple(
        sorted(
            session.exec(
                select(Person.name)
                .join(Interest, col(Interest.person_id) == Person.id)
                .where(Interest.item_id == item.id)
            ).all()
        )
    )
    casting = voting.Choice(item.casting) if item.casting else None
    closed = item.state in (ItemState.CLOSED, ItemState.DECIDED)
    mine = None
    if viewer is not None and viewer.person_id is not None:
        setting = _voter(session, viewer, cluster.id or 0).setting_id
        mine = next((b.choice for b in ballots if b.setting_id == setting), None)
    members = session.exec(
        select(Person.aad_object_id)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .join(Setting, col(Setting.id) == RoleAssignment.setting_id)
        .where(Setting.cluster_id == cluster.id, col(Person.aad_object_id).is_not(None))
        .distinct()
    ).all()
    return VoteView(
        item_id=item.id,
        entry=_entry(session, item),
        state=item.state,
        tally=count,
        voted=voted,
        interests=interests,
        result=voting.result(count, casting) if closed else None,
        ballots=tuple(sorted((names.get(b.setting_id, ""), b.choice) for b in ballots)) if closed else (),
        casting=casting,
        your_choice=mine,
        refresh_user_ids=tuple(sorted(f"29:{a}" if not a.startswith("29:") else a for a in members if a))[:60],
    )


def shared_vote_view(engine: Engine, item_id: int) -> VoteView:
    """An item's vote card as everyone in the channel sees it (drawn by the bot for the shared message)."""
    with transaction(engine, read_only=True) as session:
        return _vote_view(session, _item(session, item_id))


def vote_view(engine: Engine, item_id: Any, viewer: Actor, permission: Permission = SEE_AGENDA) -> VoteView:
    """An item's vote card content, personal to ``viewer``, who must reach the item's cluster."""
    with transaction(engine, read_only=True) as session:
        item = _item(session, item_id)
        authorize(viewer.grants, permission, _meeting(session, item.meeting_id).cluster_id)
        return _vote_view(session, item, viewer)


def cast_vote(engine: Engine, actor: Actor, item_id: Any, choice: str, now: datetime) -> VoteView:
    """Record the actor's setting's vote; a second vote from the same setting replaces the first."""
    try:
        chosen = voting.Choice(choice)
    except ValueError:
        raise Refusal("Choose Approve, Decline or Abstain.") from None
    with transaction(engine) as session:
        item = _item(session, item_id)
        meeting = _meeting(session, item.meeting_id)
        authorize(actor.grants, VOTE, meeting.cluster_id)
        if item.state != ItemState.OPEN:
            raise Refusal("This vote is closed." if item.state != ItemState.PENDING else "This item is not open yet.")
        cluster = session.get(Cluster, meeting.cluster_id)
        referral = session.get(Referral, item.referral_id)
        assert cluster is not None and referral is not None
        referring = session.get(Setting, referral.setting_id)
        interests = frozenset(session.exec(select(Interest.person_id).where(Interest.item_id == item.id)).all())
        setting_id = voting.check_can_vote(
            _voter(session, actor, cluster.id or 0),
            voting.Item(
                referral.setting_id, referring.trust if referring else None, cluster.same_trust_recusal, interests
            ),
        )
        _upsert_vote(session, item.id or 0, setting_id, actor.person_id or 0, chosen, now)
        audit.record(session, now, actor.tag, "vote.cast", f"item:{item.id}", setting_id=setting_id)
        _cards_changed(session, meeting.cluster_id, now, f"vote:{item.id}")
        return _vote_view(session, item, actor)


def _upsert_vote(
    session: Session, item_id: int, setting_id: int, person_id: int, choice: voting.Choice, now: datetime
) -> None:
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "item_id": item_id,
        "setting_id": setting_id,
        "person_id": person_id,
        "choice": choice.value,
        "cast_at": now,
    }
    statement = insert(Vote).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["item_id", "setting_id"],
            set_={"person_id": person_id, "choice": choice.value, "cast_at": statement.excluded.cast_at},
        )
    )


def declare_interest(engine: Engine, actor: Actor, item_id: Any, now: datetime) -> VoteView:
    """Declare an interest: the person does not vote on this item, and any vote they gave is withdrawn."""
    with transaction(engine) as session:
        item = _item(session, item_id)
        meeting = _meeting(session, item.meeting_id)
        authorize(actor.grants, DECLARE_INTEREST, meeting.cluster_id)
        if item.state not in (ItemState.PENDING, ItemState.OPEN):
            raise Refusal("This vote is closed.")
        if session.get(Interest, (item.id, actor.person_id)) is None:
            session.add(Interest(item_id=item.id or 0, person_id=actor.person_id or 0, declared_at=now))
            for vote in session.exec(select(Vote).where(Vote.item_id == item.id, Vote.person_id == actor.person_id)):
                session.delete(vote)
            audit.record(session, now, actor.tag, "vote.interest", f"item:{item.id}")
            _cards_changed(session, meeting.cluster_id, now, f"vote:{item.id}")
        session.flush()
        return _vote_view(session, item, actor)


def close_item(engine: Engine, actor: Actor, item_id: Any, casting: str | None, now: datetime) -> VoteView:
    """The chair closes the vote, giving the casting vote on a tie; closing twice is harmless."""
    with transaction(engine) as session:
        item = _item(session, item_id)
        meeting = _meeting(session, item.meeting_id)
        authorize(actor.grants, RUN_MEETING, meeting.cluster_id)
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
            cluster = session.get(Cluster, meeting.cluster_id)
            assert cluster is not None
            item.quorum_needed = _needed(session, cluster)
            audit.record(session, now, actor.tag, "vote.close", f"item:{item.id}", casting=item.casting)
        session.add(item)
        _cards_changed(session, meeting.cluster_id, now, f"vote:{item.id}")
        session.flush()
        return _vote_view(session, item, actor)


# --- decisions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """A recorded decision, the refreshed vote view, and who to tell."""

    vote: VoteView
    decision: DecisionView
    referrer: int
    reference: str
    meeting_day: date
    deferred_to: MeetingSlot | None


def record_decision(
    engine: Engine,
    actor: Actor,
    item_id: Any,
    outcome: str,
    *,
    amount_pence: int | None,
    review_date: date | None,
    schedule: str | None,
    conditions: str,
    feedback: str,
    information_needed: str,
    draw_on_reserve: bool,
    now: datetime,
    notice: NoticeCard[Decided] | None = None,
) -> Decided:
    """Record the chair's decision; funded decisions commit money, within the budget unless the reserve is drawn.

    The outcome must follow the vote (:func:`cluster.decisions.check_outcome_follows_vote`): approved only
    when the closed vote carried with quorum, declined only when it was lost, only deferred when inquorate.
    A solution-focused discussion is not voted on: the chair records its advice (or defers it) once the
    meeting has started, without opening it. The referrer is owed ``notice`` (the outcome) in the same
    transaction, under ``notice:decision:{id}``, so a doubled click tells them once.
    """
    try:
        chosen = Outcome(outcome)
        plan = Schedule(schedule) if schedule else None
    except ValueError:
        raise Refusal("Choose one of the outcomes.") from None
    with transaction(engine) as session:
        item = _item(session, item_id)
        meeting = _meeting(session, item.meeting_id)
        authorize(actor.grants, RUN_MEETING, meeting.cluster_id)
        referral = session.get(Referral, item.referral_id)
        assert referral is not None
        existing = session.exec(select(Decision).where(Decision.item_id == item.id)).first()
        if existing is not None:  # the same decision delivered twice, or a second click
            return _decided(session, item, existing, actor, meeting, referral)
        if item.state == ItemState.OPEN:
            raise Refusal("Close the vote before recording the decision.")
        if item.state == ItemState.PENDING:
            if meeting.started_at is None:
                raise Refusal("Start the meeting from the agenda card first.")
            if meeting.ended_at is not None:
                raise Refusal("This meeting has ended.")
        view = view_of(session, referral)
        discussion = view.kind is Kind.DISCUSSION
        result, count = _closed_result(session, item, meeting)
        decision_rules.check_outcome_follows_vote(chosen, discussion, result, count)
        review_request = _review_request(session, item)
        decision = decision_rules.check_decision(
            chosen,
            view.requested_pence if review_request is None else review_request,
            amount_pence,
            review_date,
            plan,
            meeting.day,
            conditions,
            feedback,
            information_needed,
            discussion=discussion,
        )
        drawn = False
        if decision.funded:
            budget = _budget_row(session, meeting.cluster_id, meeting.day)
            if budget is None:
                raise Refusal(
                    "There is no budget for this cluster covering the meeting's date, so nothing can be "
                    "approved. A council officer or admin sets it."
                )
            committed = _committed(session, meeting.cluster_id, budget)
            drawn = check_affordable(_rule(budget), committed, decision.amount_pence, draw_on_reserve)
        row = Decision(
            item_id=item.id or 0,
            referral_id=referral.id or 0,
            cluster_id=meeting.cluster_id,
            outcome=decision.outcome.value,
            amount_pence=decision.amount_pence,
            conditions=decision.conditions,
            feedback=decision.feedback,
            information_needed=decision.information_needed,
            review_date=decision.review_date,
            schedule=decision.schedule.value if decision.schedule else None,
            reserve_drawn=drawn,
            decided_by=actor.person_id or 0,
            decided_at=now,
        )
        session.add(row)
        if decision.funded and decision.review_date is not None:
            session.flush()
            session.add(
                Review(
                    decision_id=row.id or 0,
                    referral_id=referral.id or 0,
                    setting_id=referral.setting_id,
                    cluster_id=meeting.cluster_id,
                    due=decision.review_date,
                )
            )
        item.state = ItemState.DECIDED
        session.add(item)
        if item.review_id is not None and decision.outcome is not Outcome.DEFERRED:
            reviewed = session.get(Review, item.review_id)
            if reviewed is not None:
                reviewed.state = ReviewState.DECIDED.value
                session.add(reviewed)
        if decision.outcome is Outcome.DEFERRED:
            _defer(session, referral, item, meeting, now)
        else:
            referral.state = State.DECIDED.value
            session.add(referral)
        session.flush()
        audit.record(
            session,
            now,
            actor.tag,
            "decision.record",
            f"referral:{referral.id}",
            outcome=decision.outcome.value,
            amount=decision.amount_pence,
            reserve_drawn=drawn,
        )
        # An item decided without a vote (a discussion) has no vote card to redraw.
        voted = (f"vote:{item.id}",) if item.opened_at is not None else ()
        _cards_changed(session, meeting.cluster_id, now, *voted, f"agenda:{meeting.id}")
        decided = _decided(session, item, row, actor, meeting, referral)
        if notice is not None:
            owe_notice(session, f"notice:decision:{row.id}", now, notice(decided), (referral.created_by,))
        return decided


def _closed_result(
    session: Session, item: AgendaItem, meeting: Meeting
) -> tuple[voting.Result | None, voting.Tally | None]:
    """The result of an item's closed vote and its count; (None, None) when it was never opened."""
    if item.opened_at is None:
        return None, None
    cluster = session.get(Cluster, meeting.cluster_id)
    assert cluster is not None and item.id is not None
    count = voting.tally(_ballots(session, item.id), _needed_for(session, item, cluster))
    return voting.result(count, voting.Choice(item.casting) if item.casting else None), count


def _defer(session: Session, referral: Referral, item: AgendaItem, meeting: Meeting, now: datetime) -> None:
    """A deferred referral goes to the next meeting, first on its agenda."""
    later = [s for s in meeting_slots(session, meeting.cluster_id) if s.day > meeting.day and not s.cancelled]
    if not later:
        raise Refusal("There is no later meeting to defer this item to. Add the next meeting first.")
    target = min(later, key=lambda s: s.day)
    if item.review_id is None:  # a deferred review stays submitted; only its agenda item moves
        referral.meeting_id = target.id
        referral.state = State.ACCEPTED.value
        session.add(referral)
    session.add(
        AgendaItem(
            meeting_id=target.id, referral_id=referral.id or 0, deferred_from=meeting.id, review_id=item.review_id
        )
    )
    if session.get(ChannelPost, f"agenda:{target.id}") is not None:  # already posted: it shows the newcomer
        _cards_changed(session, meeting.cluster_id, now, f"agenda:{target.id}")


def _decided(
    session: Session, item: AgendaItem, row: Decision, actor: Actor, meeting: Meeting, referral: Referral
) -> Decided:
    deferred_to = None
    if row.outcome == Outcome.DEFERRED.value and referral.meeting_id and referral.meeting_id != meeting.id:
        target = session.get(Meeting, referral.meeting_id)
        deferred_to = slot_of(target) if target else None
    decision = _decision_view(row)
    assert decision is not None
    return Decided(
        _vote_view(session, item, actor),
        decision,
        referral.created_by,
        referral.reference or "",
        meeting.day,
        deferred_to,
    )


# --- ending and minutes ---------------------------------------------------------------------------------


def end_meeting(engine: Engine, actor: Actor, meeting_id: Any, now: datetime) -> MinutesView:
    """The chair ends the meeting; ending it twice is harmless. Returns the minutes."""
    with transaction(engine) as session:
        meeting = _meeting(session, meeting_id)
        authorize(actor.grants, RUN_MEETING, meeting.cluster_id)
        if session.exec(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.state == ItemState.OPEN)
        ).first():
            raise Refusal("Close the open vote before ending the meeting.")
        if meeting.ended_at is None:
            meeting.ended_at = now
            session.add(meeting)
            audit.record(session, now, actor.tag, "meeting.end", f"meeting:{meeting.id}")
            _cards_changed(session, meeting.cluster_id, now, f"minutes:{meeting.id}", f"agenda:{meeting.id}")
        session.flush()
        return _minutes(session, meeting)


def _minutes(session: Session, meeting: Meeting) -> MinutesView:
    agenda_view = _agenda(session, meeting)
    entries = []
    for entry in agenda_view.entries:
        item = session.get(AgendaItem, entry.item_id)
        assert item is not None
        vote = _vote_view(session, item) if item.opened_at is not None else None  # a discussion: not voted on
        entries.append(
            MinutesEntry(
                entry, vote.tally if vote else None, vote.result if vote else None, vote.interests if vote else ()
            )
        )
    return MinutesView(agenda_view.meeting, agenda_view.cluster, tuple(entries), meeting.ended_at, agenda_view.position)


def minutes_of_meeting(engine: Engine, meeting_id: int) -> MinutesView:
    """The minutes of a meeting as posted in its channel (no pupil names; read by the bot, not a person)."""
    with transaction(engine) as session:
        return _minutes(session, _meeting(session, meeting_id))


def minutes(engine: Engine, actor: Actor, conversation_id: str, now: datetime) -> MinutesView:
    """The minutes of the channel's cluster's most recent meeting that has started (members only)."""
    with transaction(engine) as session:
        cluster_id = channel_cluster_id(session, conversation_id)
        authorize(actor.grants, MINUTES, cluster_id)
        meeting = _latest_held(session, cluster_id)
        audit.record(session, now, actor.tag, "minutes.read", f"meeting:{meeting.id}")
        return _minutes(session, meeting)


# --- channel posts --------------------------------------------------------------------------------------


def meeting_of_item(engine: Engine, item_id: int) -> int:
    """The meeting an agenda item belongs to."""
    with transaction(engine) as session:
        return _item(session, item_id).meeting_id


def meeting_day_of_item(engine: Engine, item_id: int) -> date:
    """The day of the meeting an agenda item belongs to."""
    with transaction(engine) as session:
        return _meeting(session, _item(session, item_id).meeting_id).day


def budget_position_for_item(engine: Engine, item_id: int) -> Position | None:
    """The budget position on the day of an item's meeting."""
    with transaction(engine) as session:
        meeting = _meeting(session, _item(session, item_id).meeting_id)
        found = _budget_on(session, meeting.cluster_id, meeting.day)
        return found.position if found else None


def _latest_held(session: Session, cluster_id: int) -> Meeting:
    meeting = session.exec(
        select(Meeting)
        .where(Meeting.cluster_id == cluster_id, col(Meeting.started_at).is_not(None))
        .order_by(col(Meeting.day).desc())
    ).first()
    if meeting is None:
        raise Refusal("No meeting of your cluster has been held in Teams yet.")
    return meeting


def member_minutes(engine: Engine, actor: Actor, now: datetime, meeting_id: Any = None) -> MinutesView:
    """The minutes of a meeting of the actor's cluster (the latest held, unless one is named); audited."""
    with transaction(engine) as session:
        if meeting_id is not None:
            meeting = _meeting(session, meeting_id)
        else:
            clusters = [c.id for c in session.exec(select(Cluster)) if c.id and covers(actor.grants, MINUTES, c.id)]
            if not clusters:
                raise Forbidden(MINUTES.refusal)
            meeting = _latest_held(session, clusters[0])
        authorize(actor.grants, MINUTES, meeting.cluster_id)
        audit.record(session, now, actor.tag, "minutes.export", f"meeting:{meeting.id}")
        return _minutes(session, meeting)


def owe_due_agendas(engine: Engine, now: datetime) -> list[int]:
    """Owe to its cluster's channel every agenda that is due and not yet posted or owed; returns the meetings.

    An agenda is due (by default) five working days before its meeting, in the channel linked to the
    cluster. Its items are brought up to date with the accepted referrals now; the sender draws the card.
    An agenda owed before is not owed again (the chair's ``agenda`` posts it again on demand).
    """
    owed: list[int] = []
    with transaction(engine) as session:
        for cluster in session.exec(select(Cluster)):
            channel = _linked_channel(session, cluster.id) if cluster.id is not None else None
            if channel is None or cluster.id is None:
                continue
            for slot in meeting_slots(session, cluster.id):
                key = f"agenda:{slot.id}"
                due = agenda_due(slot, now, cluster.agenda_days, bank_holidays())
                if not due or session.get(ChannelPost, key) is not None:
                    continue
                if session.exec(select(Outbox.id).where(Outbox.card_key == key)).first() is not None:
                    continue
                _sync_items(session, _meeting(session, slot.id))
                audit.record(session, now, "scheduler", "agenda.post", f"meeting:{slot.id}")
                owe_card(session, key, channel, now)
                owed.append(slot.id)
    return owed


def prepare_agenda(engine: Engine, meeting_id: int, now: datetime, actor_tag: str = "scheduler") -> AgendaView:
    """Bring a meeting's agenda up to date with its accepted referrals, for posting."""
    with transaction(engine) as session:
        meeting = _meeting(session, meeting_id)
        _sync_items(session, meeting)
        audit.record(session, now, actor_tag, "agenda.post", f"meeting:{meeting.id}")
        return _agenda(session, meeting)


def chairs_item(engine: Engine, actor: Actor, item_id: Any) -> bool:
    """Whether the actor may run the meeting an item belongs to (chair, or team around the cluster)."""
    with transaction(engine) as session:
        meeting = _meeting(session, _item(session, item_id).meeting_id)
        return covers(actor.grants, RUN_MEETING, meeting.cluster_id)


def budget_cluster(engine: Engine, actor: Actor) -> tuple[str, bool]:
    """The cluster whose budget the actor may see, and whether they may set it (admins and council officers)."""
    with transaction(engine, read_only=True) as session:
        for cluster in session.exec(select(Cluster).order_by(col(Cluster.name))):
            if covers(actor.grants, SEE_BUDGET, cluster.id or 0):
                return cluster.name, covers(actor.grants, SET_BUDGET, cluster.id or 0)
    raise Forbidden(SEE_BUDGET.refusal)


def set_budget_as(
    engine: Engine,
    actor: Actor,
    cluster_name: str,
    label: str,
    starts: date,
    ends: date,
    parts: Sequence[int],
    now: datetime,
) -> BudgetView:
    """An admin or council officer sets the budget from Teams."""
    with transaction(engine) as session:
        cluster = cluster_by_name(session, cluster_name)
        if cluster is None or not covers(actor.grants, SET_BUDGET, cluster.id or 0):
            raise Forbidden(SET_BUDGET.refusal)
    return set_budget(engine, actor.tag, cluster_name, label, starts, ends, parts, now)
