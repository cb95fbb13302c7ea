"""Help, who am I and the next meeting: what anyone may ask in the 1:1 chat."""

from __future__ import annotations

from bot.actions.menu import available_commands
from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.guide import roles_in
from cards.meetings import next_meeting_card
from cards.people import help_card, not_registered_card, whoami_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from usecases import citywide_meetings, people


@ACTIONS.personal("help", p.HELP)
@ACTIONS.verb(verbs.HELP, p.HELP)
def show_help(turn: Turn, _: Nothing) -> Reply:
    """Personal help: only the commands this person's roles allow."""
    actor = turn.actor
    if actor.person_id is None:
        return Reply(card=not_registered_card(actor.aad_object_id))
    return Reply(card=help_card(actor.name, available_commands(actor), roles_in(actor.grants, None)))


@ACTIONS.personal("whoami", p.WHOAMI)
@ACTIONS.verb(verbs.WHOAMI, p.WHOAMI)
def who_am_i(turn: Turn, _: Nothing) -> Reply:
    """The person's roles and settings."""
    if turn.actor.person_id is None:
        return Reply(card=not_registered_card(turn.actor.aad_object_id))
    me = people.whoami(turn.actor)
    return Reply(card=whoami_card(me.name, me.aad_object_id, me.grants))


@ACTIONS.personal("next meeting", p.NEXT_MEETING)
@ACTIONS.verb(verbs.NEXT_MEETING, p.NEXT_MEETING)
def next_meeting(turn: Turn, _: Nothing) -> Reply:
    """The next meeting of each of the person's clusters."""
    if turn.actor.person_id is None:
        return Reply(card=not_registered_card(turn.actor.aad_object_id))
    now = turn.now()
    citywide = citywide_meetings.next_citywide_meeting(turn.engine, turn.actor, now)
    return Reply(card=next_meeting_card(people.next_meetings(turn.engine, turn.actor, now), now, citywide))
