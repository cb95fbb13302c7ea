"""Decisions on meeting day: the chair's decision form, and recording what the meeting decided.

Recording a decision is one unit of work in the cluster's turn, then the referral's (the order every unit
takes them in): it checks the outcome follows the vote and the money is within the budget, writes the
decision (and the review it owes), a funded decision's instalments on the council's term dates (the first
at the start of the next term), and the decision's letter for the setting; moves a deferred referral to
the next meeting, owes the redraws and the referrer's notice (with the letter offered beside it), and
returns everything the chair's answer shows.

The letter is made here and stored (``decision_letter``) rather than made again when asked for: it is what
the setting was sent, so it must stay the same when the wording of letters changes in a later version, when
instalments are paid or cancelled, or when the setting is renamed; and it is made in the unit, so its offer
never exists without the letter. The cost: about 25 ms of python-docx in a unit that otherwise takes about
10 ms (median on SQLite, 2 shared cores), paid once per decision, never on the vote clicks.

A letter that cannot be made never blocks its decision: the decision is what the meeting did, the letter
only reports it. If making it fails, the failure is logged under a reference (``ERR-…``), the decision is
recorded without a letter or its offer, and the letter is made when someone first asks for it
(:func:`letter_of`, from ``usecases.letters``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cards.common import Card
from cards.files import letter_offer
from cards.meeting_day.notices import outcome_notice_card
from cluster import decisions as decision_rules
from cluster import keys, voting
from cluster.agenda import AgendaView, DecisionView, ItemState, VoteView
from cluster.budget import Position, check_affordable
from cluster.commands.meetings import RecordDecision, ShowDecisionForm
from cluster.decisions import Outcome, Schedule
from cluster.errors import Refusal, new_reference
from cluster.ledger import Payment
from cluster.letters import LetterView, letter_filename
from cluster.meetings import MeetingSlot
from cluster.permissions import RUN_MEETING, authorize
from cluster.referrals import Kind, State
from cluster.reviews import ReviewState
from reports.decision_letter import decision_letter_docx
from store import audit
from store.db import take_turn, transaction
from store.models import AgendaItem, ChannelPost, Decision, DecisionLetter, Meeting, Referral, Review
from store.outbox import owe_attachment, owe_notice
from store.repo import meeting_slots, slot_of
from usecases.budget import budget_on, budget_row, committed, rule_of
from usecases.ledger import payments_of, plan_for, write_instalments
from usecases.meeting_day.agenda import agenda_view
from usecases.meeting_day.ballots import item_ballots, tally_of, vote_view
from usecases.meeting_day.meeting_rows import ItemRows, cluster_of_item, decided_view, item_entry, load_item
from usecases.people import Actor
from usecases.what_worked import index_decision

log = logging.getLogger("clusterbot.letters")

CAPITAL_NOT_DECIDED_HERE = (
    "A Capital Fund application is not decided by the meeting: the Cluster Panel scores it and the council's "
    "Place, Planning and Sufficiency Board decides it."
)


@dataclass(frozen=True)
class Decided:
    """A recorded decision, the refreshed vote view, and who to tell.

    ``agenda`` is the agenda as it then stands when the item was a discussion (decided from the agenda,
    without a vote card, so that is what the chair's answer shows). ``payments`` are a funded decision's
    instalments; ``letter`` the name and size of its letter (None when it has none yet: a decision from
    before letters, or one whose letter could not be made; either is made when first asked for).
    """

    vote: VoteView
    decision: DecisionView
    referrer: int
    reference: str
    meeting_day: date
    deferred_to: MeetingSlot | None
    agenda: AgendaView | None = None
    decision_id: int = 0
    payments: tuple[Payment, ...] = ()
    letter: tuple[str, int] | None = None


def outcome_notice(decided: Decided) -> Card:
    """The referrer's notice of a decision (owed with the decision), with its instalments."""
    return outcome_notice_card(
        decided.vote.entry,
        decided.decision,
        decided.meeting_day,
        decided.deferred_to,
        decided.payments,
        decided.decision_id or None,  # a letter not made with the decision is made when asked for
    )


@dataclass(frozen=True)
class DecisionForm:
    """What the chair's decision form shows: the item's vote, its meeting and the budget on that day."""

    vote: VoteView
    meeting_id: int
    meeting_day: date
    position: Position | None


def decision_form(engine: Engine, actor: Actor, command: ShowDecisionForm) -> DecisionForm:
    """The chair's decision form for a closed item, or for a discussion (advice, without a vote)."""
    with transaction(engine, read_only=True) as session:
        rows = load_item(session, command.item_id)
        authorize(actor.grants, RUN_MEETING, rows.meeting.cluster_id, meeting_id=rows.meeting.id)
        return _form(session, rows, actor)


def _form(session: Session, rows: ItemRows, actor: Actor) -> DecisionForm:
    meeting = rows.meeting
    budget = budget_on(session, meeting.cluster_id, rows.cluster.name, meeting.day)
    return DecisionForm(
        vote_view(session, rows, actor.grants), meeting.id or 0, meeting.day, budget.position if budget else None
    )


def record_decision(engine: Engine, actor: Actor, command: RecordDecision, now: datetime) -> Decided:
    """Record the chair's decision; funded decisions commit money, within the budget unless the reserve is drawn.

    The outcome must follow the vote (:func:`cluster.decisions.check_outcome_follows_vote`): approved only
    when the closed vote carried with quorum, declined only when it was lost, only deferred when inquorate.
    A solution-focused discussion is not voted on: the chair records its advice (or defers it) once the
    meeting has started, without opening it. The referrer is owed their notice (the outcome) in the same
    transaction, under ``notice:decision:{id}``, so a doubled click tells them once, and the offer of the
    decision letter beside it, under ``notice:decision:{id}:letter``.

    A funded decision's instalments are written with it, from the start of the next term; past the loaded
    term dates it is refused, asking for the council's term dates to be loaded.
    """
    item_id = command.item_id
    try:
        chosen = Outcome(command.outcome)
        plan = Schedule(command.schedule) if command.schedule else None
    except ValueError:
        raise Refusal("Choose one of the outcomes.") from None
    with transaction(engine, serial=False) as session:
        key = cluster_of_item(session, item_id)
        authorize(actor.grants, RUN_MEETING, key.cluster_id, meeting_id=key.meeting_id)
        take_turn(session, "cluster", key.cluster_id)
        take_turn(session, "referral", key.referral_id)
        rows = load_item(session, item_id)
        item, meeting = rows.item, rows.meeting
        referral = session.get(Referral, key.referral_id)
        assert referral is not None
        if referral.kind == Kind.CAPITAL.value:
            # The Capital Fund is the council's pot: the panel recommends and the Board decides (usecases.capital).
            raise Refusal(CAPITAL_NOT_DECIDED_HERE)
        existing = session.exec(select(Decision).where(Decision.item_id == item_id)).first()
        if existing is not None:  # the same decision delivered twice, or a second click
            return _decided(session, rows, existing, actor, referral, None)
        if item.state == ItemState.OPEN:
            raise Refusal("Close the vote before recording the decision.")
        if item.state == ItemState.PENDING:
            if meeting.started_at is None:
                raise Refusal("Start the meeting from the agenda card first.")
            if meeting.ended_at is not None:
                raise Refusal("This meeting has ended.")
        discussion = key.kind is Kind.DISCUSSION
        result, count = _closed_result(session, rows)
        decision_rules.check_outcome_follows_vote(chosen, discussion, result, count)
        decision = decision_rules.check_decision(
            chosen,
            item_entry(session, item_id).requested_pence,
            command.amount,
            command.review_date,
            plan,
            meeting.day,
            command.conditions,
            command.feedback,
            command.information_needed,
            discussion=discussion,
        )
        drawn = False
        if decision.funded:
            budget = budget_row(session, meeting.cluster_id, meeting.day)
            if budget is None:
                raise Refusal(
                    "There is no budget for this cluster covering the meeting's date, so nothing can be "
                    "approved. A council officer or admin sets it."
                )
            spent = committed(session, meeting.cluster_id, budget)
            drawn = check_affordable(rule_of(budget), spent, decision.amount_pence, command.draw_on_reserve)
        payments: tuple[Payment, ...] = ()
        if decision.funded and decision.review_date is not None and decision.schedule is not None:
            payments = plan_for(session, decision.amount_pence, decision.schedule, meeting.day, decision.review_date)
        row = Decision(
            item_id=item_id,
            referral_id=key.referral_id,
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
        session.flush()
        index_decision(session, row, now)  # a discussion's advice, for what worked (same transaction)
        write_instalments(session, row.id or 0, meeting.cluster_id, payments)
        if decision.funded and decision.review_date is not None:
            session.add(
                Review(
                    decision_id=row.id or 0,
                    referral_id=key.referral_id,
                    setting_id=key.setting_id,
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
        deferred_to = None
        if decision.outcome is Outcome.DEFERRED:
            deferred_to = _defer(session, referral, rows, now)
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
        voted = (keys.vote(item_id),) if item.opened_at is not None else ()
        rows.cards_changed(session, now, *voted, keys.agenda(meeting.id or 0))
        decided = _decided(session, rows, row, actor, referral, deferred_to, payments, made=True)
        referrer = (referral.created_by,)
        owe_notice(session, keys.decision_notice(decided.decision_id), now, outcome_notice(decided), referrer)
        if decided.letter is not None:  # none when it could not be made: it is made, and offered, when asked for
            filename, size = decided.letter
            offer = letter_offer(decided.decision_id, filename, size)
            owe_attachment(session, keys.decision_letter(decided.decision_id), now, offer, referrer)
        return decided


def _closed_result(session: Session, rows: ItemRows) -> tuple[voting.Result | None, voting.Tally | None]:
    """The result of an item's closed vote and its count; (None, None) when it was never opened."""
    item = rows.item
    if item.opened_at is None or item.id is None:
        return None, None
    count = tally_of(item, rows, item_ballots(session, item.id))
    return voting.result(count, voting.Choice(item.casting) if item.casting else None), count


def _defer(session: Session, referral: Referral, rows: ItemRows, now: datetime) -> MeetingSlot | None:
    """A deferred referral goes to the next meeting, first on its agenda; returns that meeting.

    A deferred review's item moves too, but the referral stays where it was decided (None: nothing moved).
    """
    item, meeting = rows.item, rows.meeting
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
    agenda = keys.agenda(target.id)
    if session.get(ChannelPost, agenda) is not None:  # already posted: it shows the newcomer
        rows.cards_changed(session, now, agenda)
    return target if item.review_id is None else None


def _decided(
    session: Session,
    rows: ItemRows,
    row: Decision,
    actor: Actor,
    referral: Referral,
    deferred_to: MeetingSlot | None,
    payments: tuple[Payment, ...] | None = None,
    *,
    made: bool = False,
) -> Decided:
    """What the chair's answer and the referrer's notice show; with ``made``, the letter is made and kept too."""
    meeting = rows.meeting
    if deferred_to is None and row.outcome == Outcome.DEFERRED.value and referral.meeting_id not in (None, meeting.id):
        target = session.get(Meeting, referral.meeting_id)
        deferred_to = slot_of(target) if target else None
    discussion = referral.kind == Kind.DISCUSSION.value
    vote = vote_view(session, rows, actor.grants)
    view = decided_view(row)
    paid = payments_of(session, row.id or 0) if payments is None else payments
    letter: DecisionLetter | None
    if made:
        letter = _make_letter(session, rows, row, vote, view, paid, deferred_to)
    else:
        letter = session.get(DecisionLetter, row.id)
    return Decided(
        vote,
        view,
        referral.created_by,
        referral.reference or "",
        meeting.day,
        deferred_to,
        agenda_view(session, rows) if discussion else None,
        row.id or 0,
        paid,
        (letter.filename, len(letter.content)) if letter is not None else None,
    )


def _make_letter(
    session: Session,
    rows: ItemRows,
    row: Decision,
    vote: VoteView,
    view: DecisionView,
    payments: tuple[Payment, ...],
    deferred_to: MeetingSlot | None,
) -> DecisionLetter | None:
    """Make the decision's letter for the setting and keep it with the decision (in the decision's unit).

    None when it cannot be made: the failure is logged with a reference and the decision stands without it.
    """
    entry = vote.entry
    letter_view = LetterView(
        decision_id=row.id or 0,
        reference=entry.reference,
        kind=entry.kind,
        title=entry.title,
        setting=entry.setting,
        cluster=rows.cluster.name,
        pupil_label=entry.pupil_label,
        requested_pence=entry.requested_pence,
        meeting=slot_of(rows.meeting),
        decision=view,
        payments=payments,
        decided_at=row.decided_at,
        deferred_to=deferred_to,
    )
    try:
        content = decision_letter_docx(letter_view)
    except Exception:  # a bug in a document must not undo what the meeting decided
        reference = new_reference()
        log.exception("could not make the letter of decision %s; recorded without it ref=%s", row.id, reference)
        return None
    letter = DecisionLetter(
        decision_id=row.id or 0,
        filename=letter_filename(entry.reference, rows.meeting.day),
        content=content,
        made_at=row.decided_at,
    )
    session.add(letter)
    return letter


def letter_of(session: Session, decision: Decision, actor: Actor) -> DecisionLetter | None:
    """The decision's letter, made and kept now if it has none (made too late, or never, at the decision).

    In the caller's unit, which holds the referral's turn, so two people asking at once make one letter.
    None if it still cannot be made (logged with a reference, as when the decision was recorded).
    """
    kept = session.get(DecisionLetter, decision.id)
    if kept is not None:
        return kept
    rows = load_item(session, decision.item_id)
    referral = session.get(Referral, decision.referral_id)
    assert referral is not None
    _decided(session, rows, decision, actor, referral, None, made=True)
    session.flush()
    return session.get(DecisionLetter, decision.id)
