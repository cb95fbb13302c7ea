"""The meeting's register: "I'm here", apologies, the roll call, and substitutes for one meeting.

"I'm here" is a button on the agenda card; apologies a button on the meeting-morning post and the
``apologies`` command; the roll call ``@bot roll call`` in the channel (and its card's buttons); a SENCO
names a substitute with ``substitute`` in personal chat, and an admin confirms one named by e-mail from
the card the bot sends them. Each click is one use case (``usecases.meeting_day.attendance``,
``usecases.meeting_day.substitutes``); what it owes is delivered in the background.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS, MenuEntry
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.common import plain
from cards.meeting_day.register import roll_call_card, substitute_form_card
from cluster import permissions as p
from cluster.commands.attendance import (
    AddAttendee,
    ConfirmSubstitute,
    MarkSetting,
    NameSubstitute,
    SayHere,
    SendApologies,
    ShowRollCall,
    ShowSubstituteForm,
    WithdrawSubstitute,
)
from cluster.commands.inputs import Nothing
from usecases.meeting_day import attendance as uc
from usecases.meeting_day import substitutes as subs

# --- "I'm here" and apologies -------------------------------------------------------------------------------


@ACTIONS.verb(verbs.REGISTER_HERE, p.SAY_HERE, SayHere)
def say_here(turn: Turn, command: SayHere) -> Reply:
    """The agenda's "I'm here": the clicker is on the register; the card stays as it is, a line says so."""
    return Reply(text=plain(uc.mark_here(turn.engine, turn.actor, command, turn.now())))


@ACTIONS.verb(verbs.REGISTER_APOLOGIES, p.SEND_APOLOGIES, SendApologies)
def send_apologies(turn: Turn, command: SendApologies) -> Reply:
    """The meeting-morning post's "Send apologies"."""
    return Reply(text=plain(uc.send_apologies(turn.engine, turn.actor, command, turn.now())))


@ACTIONS.personal(
    "apologies",
    p.SEND_APOLOGIES,
    menu=MenuEntry("Send apologies", "Send your setting's apologies for your cluster's next meeting"),
)
def apologies(turn: Turn, _: Nothing) -> Reply:
    """``apologies``: the setting's apologies for the next meeting of the sender's cluster."""
    now = turn.now()
    command = uc.next_meeting_for_apologies(turn.engine, turn.actor, now)
    return Reply(text=plain(uc.send_apologies(turn.engine, turn.actor, command, now)))


# --- the roll call ------------------------------------------------------------------------------------------


@ACTIONS.verb(verbs.ROLL_CALL, p.ROLL_CALL, ShowRollCall)
def show_roll_call(turn: Turn, command: ShowRollCall) -> Reply:
    """The roll-call card (drawn again by its own "Roll call" button)."""
    return Reply(card=roll_call_card(uc.roll_call(turn.engine, turn.actor, command), turn.values, turn.errors))


@ACTIONS.channel("roll call", p.ROLL_CALL)
def roll_call(turn: Turn, _: Nothing) -> Reply:
    """``@bot roll call``: the roll call of the channel's cluster's next meeting."""
    command = uc.roll_call_for_channel(turn.engine, turn.actor, turn.request.conversation_id, turn.now())
    return Reply(card=roll_call_card(uc.roll_call(turn.engine, turn.actor, command)))


@ACTIONS.verb(verbs.ROLL_CALL_MARK, p.ROLL_CALL, MarkSetting)
def mark_setting(turn: Turn, command: MarkSetting) -> Reply:
    """Mark a setting present or absent; the card comes back with its line changed."""
    view = uc.mark_setting(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=roll_call_card(view))


@ACTIONS.verb(verbs.ROLL_CALL_ADD, p.ROLL_CALL, AddAttendee, form=show_roll_call)
def add_attendee(turn: Turn, command: AddAttendee) -> Reply:
    """Add someone present by name (dial-in or face to face)."""
    return Reply(card=roll_call_card(uc.add_attendee(turn.engine, turn.actor, command, turn.now())))


# --- substitutes --------------------------------------------------------------------------------------------


@ACTIONS.verb(verbs.SUBSTITUTE_FORM, p.NAME_SUBSTITUTE, ShowSubstituteForm)
def substitute_form(turn: Turn, command: ShowSubstituteForm) -> Reply:
    """The SENCO's substitute card for a meeting."""
    form = subs.substitute_form(turn.engine, turn.actor, command)
    return Reply(card=substitute_form_card(form, turn.values, turn.errors))


@ACTIONS.personal(
    "substitute",
    p.NAME_SUBSTITUTE,
    menu=MenuEntry("Name a substitute", "Send a colleague to vote for your setting at the next meeting"),
)
def substitute(turn: Turn, _: Nothing) -> Reply:
    """``substitute``: the substitute card for the next meeting of the SENCO's cluster."""
    command = subs.next_substitute_form(turn.engine, turn.actor, turn.now())
    return Reply(card=substitute_form_card(subs.substitute_form(turn.engine, turn.actor, command)))


@ACTIONS.verb(verbs.SUBSTITUTE_NAME, p.NAME_SUBSTITUTE, NameSubstitute, form=substitute_form)
def name_substitute(turn: Turn, command: NameSubstitute) -> Reply:
    """Name the substitute; they (or the admins, for an e-mail address) are told."""
    form = subs.name_substitute(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=substitute_form_card(form))


@ACTIONS.verb(verbs.SUBSTITUTE_WITHDRAW, p.NAME_SUBSTITUTE, WithdrawSubstitute)
def withdraw_substitute(turn: Turn, command: WithdrawSubstitute) -> Reply:
    """Withdraw the substitute; a confirmed one is told."""
    form = subs.withdraw_substitute(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=substitute_form_card(form))


@ACTIONS.verb(verbs.SUBSTITUTE_CONFIRM, p.CONFIRM_SUBSTITUTE, ConfirmSubstitute)
def confirm_substitute(turn: Turn, command: ConfirmSubstitute) -> Reply:
    """An admin confirms a substitute named by e-mail; the substitute is told."""
    said = subs.confirm_substitute(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(text=plain(said))
