"""Quality-assurance visits to settings in personal chat: the list, planning, the report, acknowledging it.

Each handler calls one use case (``usecases.qa_visits``); a form that comes back with mistakes is drawn again
by the handler its verb names as ``form=``, with what was typed kept.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.qa_visits import visit_card, visits_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.qa_visits import OneAction, OneVisit, PlanVisit, RecordVisitReport
from usecases import qa_visits as uc


@ACTIONS.personal("visits", p.QA_VISITS)
@ACTIONS.verb(verbs.QA_VISITS, p.QA_VISITS)
def visits(turn: Turn, _: Nothing) -> Reply:
    """The visits the person may see; the team's card plans one too."""
    return Reply(card=visits_card(uc.visits_page(turn.engine, turn.actor), turn.values, turn.errors))


@ACTIONS.verb(verbs.QA_PLAN, p.PLAN_QA_VISIT, PlanVisit, form=visits)
def plan(turn: Turn, command: PlanVisit) -> Reply:
    """The team plans a visit to one of its cluster's settings, then sees it with the form for its report."""
    view = uc.plan_visit(turn.engine, turn.actor, command, turn.now())
    return Reply(card=visit_card(view, turn.today(), notice=f"Visit planned for {command.planned_on:%-d %B %Y}."))


@ACTIONS.verb(verbs.QA_OPEN, p.SEE_QA_REPORT, OneVisit)
def open_visit(turn: Turn, command: OneVisit) -> Reply:
    """A visit's report, as this person may see and act on it."""
    view = uc.open_visit(turn.engine, turn.actor, command)
    return Reply(card=visit_card(view, turn.today(), turn.values, turn.errors))


@ACTIONS.verb(verbs.QA_RECORD, p.PLAN_QA_VISIT, RecordVisitReport, form=open_visit)
def record(turn: Turn, command: RecordVisitReport) -> Reply:
    """The team records the report: the setting is sent it, the chair told of a concern."""
    view = uc.record_report(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=visit_card(view, turn.today(), notice="Report recorded and sent to the setting."))


@ACTIONS.verb(verbs.QA_ACKNOWLEDGE, p.ACKNOWLEDGE_QA_REPORT, OneVisit)
def acknowledge(turn: Turn, command: OneVisit) -> Reply:
    """The setting's SENCO acknowledges the report; the team is told."""
    view = uc.acknowledge(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=visit_card(view, turn.today(), notice="Thank you: the report is acknowledged."))


@ACTIONS.verb(verbs.QA_ACTION_DONE, p.CLOSE_QA_ACTION, OneAction)
def action_done(turn: Turn, command: OneAction) -> Reply:
    """An action from the report is done: its nudges stop."""
    view = uc.close_action(turn.engine, turn.actor, command, turn.now())
    return Reply(card=visit_card(view, turn.today(), notice="Action marked done."))
