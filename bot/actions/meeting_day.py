"""Meeting day in the cluster's channel: agenda, votes, decisions, minutes.

The agenda, each vote card and the minutes are shared messages. The use cases owe a redraw of the cards
they change, in the same transaction (``usecases.meeting_day``); the handlers here ask for delivery, which
the sender does in the background (``bot.delivery.channel_cards`` draws the cards). Each handler calls one
use case, which returns everything the answer shows: the person who clicks gets their own view back as the
invoke's answer.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.common import plain
from cards.files import file_offer
from cards.meeting_day.agenda import agenda_card
from cards.meeting_day.decision_form import decision_form_card
from cards.meeting_day.hand_over import hand_over_card
from cards.meeting_day.minutes import minutes_card
from cards.meeting_day.votes import vote_card
from cluster import permissions as p
from cluster.agenda import AgendaView
from cluster.commands.inputs import Nothing
from cluster.commands.meetings import (
    CastVote,
    CloseVote,
    DeclareInterest,
    EndMeeting,
    HandOver,
    OpenItem,
    RecordDecision,
    RemindVoters,
    ShowAgenda,
    ShowDecisionForm,
    ShowHandOver,
    ShowVote,
    StartMeeting,
)
from cluster.decisions import default_review_date
from cluster.errors import Refusal
from reports.minutes import minutes_filename, minutes_markdown, minutes_xlsx
from usecases.meeting_day import agenda as agenda_uc
from usecases.meeting_day import decisions as decisions_uc
from usecases.meeting_day import hand_over as hand_over_uc
from usecases.meeting_day import minutes as minutes_uc
from usecases.meeting_day import votes as votes_uc
from usecases.meeting_day.votes import PersonalVote

# Votes come in bursts when the chair opens an item; the shared card is redrawn once for each burst.
VOTE_REDRAW_SECONDS = 0.5


def _in_channel(turn: Turn) -> str:
    if turn.request.kind != "channel":
        raise Refusal("Meetings are run in the cluster's team channel.")
    return turn.request.conversation_id


def _runner_agenda(turn: Turn, view: AgendaView) -> Reply:
    """The agenda for whoever runs the meeting, in answer to their click.

    "Hand this meeting over" only for those who may hand it over (its chair or an admin): an acting chair would
    be refused.
    """
    hands_over = p.covers(turn.actor.grants, p.HAND_OVER_MEETING, view.cluster_id, meeting_id=view.meeting_id)
    return Reply(card=agenda_card(view, for_chair=True, hand_over=hands_over))


# --- the agenda ---------------------------------------------------------------------------------------------


@ACTIONS.channel("agenda", p.POST_AGENDA)
def post_agenda(turn: Turn, _: Nothing) -> Reply:
    """``@bot agenda``: post the next meeting's agenda, replacing the one posted before."""
    agenda_uc.agenda_for_channel(turn.engine, turn.actor, _in_channel(turn), turn.now())
    turn.deliver_soon()
    return Reply()


@ACTIONS.verb(verbs.AGENDA_SHOW, p.SEE_AGENDA, ShowAgenda)
def show_agenda(turn: Turn, command: ShowAgenda) -> Reply:
    """Redraw the agenda card (also the card's refresh): the chair's view for those who run the meeting.

    The shared message carries the member's view; Teams asks each listed person's own view by this verb.
    """
    mine = agenda_uc.agenda_for(turn.engine, turn.actor, command)
    return Reply(card=agenda_card(mine.view, for_chair=mine.chairs, hand_over=mine.hands_over))


@ACTIONS.verb(verbs.MEETING_START, p.RUN_MEETING, StartMeeting)
def start_meeting(turn: Turn, command: StartMeeting) -> Reply:
    """The chair starts the meeting from the agenda card, or from the offer in their chat when Teams' meeting starts."""
    view = agenda_uc.start_meeting(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _runner_agenda(turn, view)


@ACTIONS.verb(verbs.ITEM_OPEN, p.RUN_MEETING, OpenItem)
def open_item(turn: Turn, command: OpenItem) -> Reply:
    """Open an item: its vote card appears in the agenda's thread; the chair sees the agenda."""
    _in_channel(turn)
    view = votes_uc.open_item(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _runner_agenda(turn, view)


# --- votes --------------------------------------------------------------------------------------------------


def _personal(mine: PersonalVote) -> Reply:
    """A member's own view of a vote card: their choice shown, the chair's controls only for the chair."""
    return Reply(card=vote_card(mine.view, user_choice=True, for_chair=mine.chairs))


@ACTIONS.verb(verbs.VOTE_CAST, p.VOTE, CastVote)
def cast_vote(turn: Turn, command: CastVote) -> Reply:
    """Approve, Decline or Abstain: counted once per setting; the shared card follows.

    Also from the chair's reminder in personal chat, which carries the vote card.
    """
    mine = votes_uc.cast_vote(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon(VOTE_REDRAW_SECONDS)
    return _personal(mine)


@ACTIONS.verb(verbs.VOTE_INTEREST, p.DECLARE_INTEREST, DeclareInterest)
def declare_interest(turn: Turn, command: DeclareInterest) -> Reply:
    """Declare an interest: the person does not vote on this item (in the channel, or from a reminder)."""
    mine = votes_uc.declare_interest(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon(VOTE_REDRAW_SECONDS)
    return _personal(mine)


@ACTIONS.verb(verbs.VOTE_REFRESH, p.SEE_AGENDA, ShowVote)
def show_vote(turn: Turn, command: ShowVote) -> Reply:
    """Teams asks for a member's own view of a vote card (their choice shown)."""
    return _personal(votes_uc.personal_vote(turn.engine, turn.actor, command))


@ACTIONS.verb(verbs.ITEM_CLOSE, p.RUN_MEETING, CloseVote)
def close_vote(turn: Turn, command: CloseVote) -> Reply:
    """The chair closes the vote, with the casting vote on a tie."""
    _in_channel(turn)
    view = votes_uc.close_item(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=vote_card(view, user_choice=True))


@ACTIONS.verb(verbs.VOTE_REMIND, p.RUN_MEETING, RemindVoters)
def remind_voters(turn: Turn, command: RemindVoters) -> Reply:
    """The chair reminds the present settings that have not voted: each is sent the vote card 1:1."""
    mine = votes_uc.remind_voters(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _personal(mine)


# --- handing a meeting over ---------------------------------------------------------------------------------


@ACTIONS.verb(verbs.HAND_OVER_FORM, p.HAND_OVER_MEETING, ShowHandOver)
def hand_over_form(turn: Turn, command: ShowHandOver) -> Reply:
    """The chair's (or admin's) card to name who chairs this meeting."""
    form = hand_over_uc.hand_over_form(turn.engine, turn.actor, command)
    return Reply(
        card=hand_over_card(
            form.meeting_id, form.meeting, form.cluster, form.members, form.acting_chair_id, turn.errors, form.myself
        )
    )


@ACTIONS.verb(verbs.HAND_OVER, p.HAND_OVER_MEETING, HandOver, form=hand_over_form)
def hand_over(turn: Turn, command: HandOver) -> Reply:
    """Hand the meeting over: the acting chair is told 1:1 and gets the chair's view of the agenda."""
    mine = hand_over_uc.hand_over(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=agenda_card(mine.view, for_chair=mine.chairs, hand_over=mine.hands_over))


# --- decisions ----------------------------------------------------------------------------------------------


@ACTIONS.verb(verbs.DECISION_FORM, p.RUN_MEETING, ShowDecisionForm)
def decision_form(turn: Turn, command: ShowDecisionForm) -> Reply:
    """The chair's decision form for a closed item, or for a discussion (advice, without a vote).

    It offers only the outcomes the item's vote allows; returned with mistakes, it keeps every input.
    """
    form = decisions_uc.decision_form(turn.engine, turn.actor, command)
    return Reply(
        card=decision_form_card(
            form.vote,
            form.vote.entry.requested_pence,
            turn.values,
            turn.errors,
            default_review_date(form.meeting_day),
            form.position,
            meeting_id=form.meeting_id,
        )
    )


@ACTIONS.verb(verbs.DECISION_RECORD, p.RUN_MEETING, RecordDecision, form=decision_form)
def record_decision(turn: Turn, command: RecordDecision) -> Reply:
    """Record the decision; the shared cards follow and the referrer is told 1:1.

    The use case owes the referrer's notice with the decision, so a doubled click tells them once.
    """
    _in_channel(turn)
    decided = decisions_uc.record_decision(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    if decided.agenda is not None:  # a discussion, decided from the agenda without a vote card
        return _runner_agenda(turn, decided.agenda)
    return Reply(card=vote_card(decided.vote))


# --- the end, and the minutes -------------------------------------------------------------------------------


@ACTIONS.verb(verbs.MEETING_END, p.RUN_MEETING, EndMeeting)
def end_meeting(turn: Turn, command: EndMeeting) -> Reply:
    """End the meeting: the minutes are posted to the channel; the chair sees the agenda.

    What the meeting did not reach goes to the next one, and each referrer is told 1:1. The chair may end it
    from the reminder in their chat when Teams' meeting ends.
    """
    view = minutes_uc.end_meeting(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _runner_agenda(turn, view)


@ACTIONS.channel("minutes", p.MINUTES)
def show_minutes(turn: Turn, _: Nothing) -> Reply:
    """``@bot minutes``: the minutes of the latest meeting."""
    channel = _in_channel(turn)
    return Reply(card=minutes_card(minutes_uc.minutes(turn.engine, turn.actor, channel, turn.now())))


@ACTIONS.personal("minutes", p.MINUTES)
def export_minutes(turn: Turn, _: Nothing) -> Reply:
    """``minutes`` in personal chat: the latest minutes as Markdown and as a spreadsheet (Teams asks first)."""
    # Only offered here: each file accepted writes its one audit line (bot.teams.file_desk).
    now = turn.now()
    view = minutes_uc.member_minutes(turn.engine, turn.actor, now, offer_only=True)
    # Handlers run on a worker thread: building a long meeting's documents holds up no other turn.
    markdown = minutes_markdown(view, now)
    workbook = minutes_xlsx(view, now)
    offers = tuple(
        file_offer(
            minutes_filename(view, extension),
            size,
            {"kind": "minutes", "meeting_id": view.meeting.id, "format": extension},
        )
        for extension, size in (("md", len(markdown.encode("utf-8"))), ("xlsx", len(workbook)))
    )
    return Reply(
        text=f"Here are the minutes of {plain(view.cluster)}'s meeting on {view.meeting.day:%-d %B %Y}.",
        attachments=offers,
    )
