"""The Capital Fund in personal chat: rounds, the panel, the Board, the project, the report.

Each handler calls one use case (``usecases.capital``) and answers with the card it returns; notices the
use case owed (the Board's decision, the release, scoring cards for a newly named member) are delivered
soon after. A form whose input needs fixing comes back through the form it was sent from: the ``capital``
card for the round, the application's card for everything done on an application, the panel card.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import capital as cc
from cards import verbs
from cards.files import file_offer
from cluster import permissions as p
from cluster.commands.capital import (
    AddInvoice,
    Evaluate,
    MarkCompleted,
    MarkStarted,
    NamePanelMember,
    OnApplication,
    Recommend,
    RecordBoardDecision,
    RecordVisit,
    RemovePanelMember,
    ScoreApplication,
    SetRound,
)
from cluster.commands.inputs import Nothing
from reports.capital import capital_filename, capital_xlsx
from usecases import capital as uc
from usecases.people import Actor

C = TypeVar("C")
# A use case on one application: the engine, who clicks, the action's command, when; the application after it.
Step = Callable[[Engine, Actor, C, datetime], uc.OpenedApplication]


def _application(turn: Turn, opened: uc.OpenedApplication) -> Reply:
    card = cc.application_card(
        opened.view, opened.viewer, turn.today(), values=turn.values, errors=turn.errors, notice=opened.notice
    )
    return Reply(card=card)


def _step(turn: Turn, use_case: Step[C], command: C, *, owes: bool = False) -> Reply:
    """Run one use case on an application and answer with the application's card.

    ``owes``: the use case owed notices (the setting told of the Board's decision, of the release), so the
    sender is woken to deliver them soon rather than on its next round.
    """
    opened = use_case(turn.engine, turn.actor, command, turn.now())
    if owes:
        turn.deliver_soon()
    return _application(turn, opened)


def _overview(turn: Turn, notice: str | None = None) -> Reply:
    shown = uc.overview(turn.engine, turn.actor, turn.now())
    card = cc.capital_card(
        shown.rounds,
        shown.applications,
        officer=shown.officer,
        admin=shown.admin,
        to_score=shown.to_score,
        more=shown.more,
        values=turn.values if turn.mistakes else None,  # none typed: the form shows the newest round
        errors=turn.errors,
        notice=notice,
    )
    return Reply(card=card)


def _panel(turn: Turn, panel: uc.PanelCard, notice: str | None = None) -> Reply:
    members = [(m.person_id, m.name, m.how, m.named) for m in panel.members]
    return Reply(card=cc.panel_card(panel.cluster, members, panel.candidates, notice, turn.errors))


# --- rounds and applications ---


@ACTIONS.personal("capital", p.SEE_CAPITAL)
@ACTIONS.verb(verbs.CAPITAL, p.SEE_CAPITAL)
def show_capital(turn: Turn, _: Nothing) -> Reply:
    """The rounds, and the applications the person takes part in (an officer's card has the round form)."""
    return _overview(turn)


@ACTIONS.verb(verbs.CAPITAL_ROUND_SET, p.SET_CAPITAL_ROUND, SetRound, form=show_capital)
def set_round(turn: Turn, command: SetRound) -> Reply:
    """A council officer sets (or corrects) a round; mistakes come back next to their fields."""
    uc.save_round(turn.engine, turn.actor, command, turn.now())
    return _overview(turn, notice="The round is saved.")


@ACTIONS.verb(verbs.CAPITAL_OPEN, p.OPEN_CAPITAL, OnApplication)
def open_application(turn: Turn, command: OnApplication) -> Reply:
    """One application, as this person may see and act on it."""
    return _step(turn, uc.open_application, command)


# --- the panel ---


@ACTIONS.verb(verbs.CAPITAL_SCORE, p.SCORE_CAPITAL, ScoreApplication, form=open_application)
def score(turn: Turn, command: ScoreApplication) -> Reply:
    """A panel member saves their scores."""
    return _step(turn, uc.score, command)


@ACTIONS.verb(verbs.CAPITAL_PANEL_CLOSE, p.CHAIR_PANEL, OnApplication)
def close_panel(turn: Turn, command: OnApplication) -> Reply:
    """The chair closes the scoring; the averages show from then on."""
    return _step(turn, uc.close_panel, command)


@ACTIONS.verb(verbs.CAPITAL_RECOMMEND, p.CHAIR_PANEL, Recommend, form=open_application)
def recommend(turn: Turn, command: Recommend) -> Reply:
    """The chair records the panel's recommendation."""
    return _step(turn, uc.recommend, command)


@ACTIONS.personal("panel members", p.NAME_PANEL)
@ACTIONS.verb(verbs.CAPITAL_PANEL, p.NAME_PANEL)
def show_panel(turn: Turn, _: Nothing) -> Reply:
    """The admin's panel members card."""
    return _panel(turn, uc.panel_members(turn.engine, turn.actor))


@ACTIONS.verb(verbs.CAPITAL_PANEL_ADD, p.NAME_PANEL, NamePanelMember, form=show_panel)
def add_member(turn: Turn, command: NamePanelMember) -> Reply:
    """Name a SENCO or delegate to the panel (they are sent the cards of applications being scored)."""
    panel = uc.add_panel_member(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _panel(turn, panel, "Named to the panel.")


@ACTIONS.verb(verbs.CAPITAL_PANEL_REMOVE, p.NAME_PANEL, RemovePanelMember)
def remove_member(turn: Turn, command: RemovePanelMember) -> Reply:
    """Take a named SENCO off the panel."""
    return _panel(turn, uc.remove_panel_member(turn.engine, turn.actor, command, turn.now()))


# --- the Board, the project, the release, the impact ---


@ACTIONS.verb(verbs.CAPITAL_BOARD, p.BOARD_DECISION, RecordBoardDecision, form=open_application)
def board(turn: Turn, command: RecordBoardDecision) -> Reply:
    """A council officer records the Board's decision; the setting is told."""
    return _step(turn, uc.board_decision, command, owes=True)


@ACTIONS.verb(verbs.CAPITAL_STARTED, p.REPORT_PROJECT, MarkStarted, form=open_application)
@ACTIONS.verb(verbs.CAPITAL_COMPLETED, p.REPORT_PROJECT, MarkCompleted, form=open_application)
def mark_stage(turn: Turn, command: MarkStarted | MarkCompleted) -> Reply:
    """The SENCO marks the project started, or completed."""
    return _step(turn, uc.mark_stage, command)


@ACTIONS.verb(verbs.CAPITAL_INVOICE, p.REPORT_PROJECT, AddInvoice, form=open_application)
def invoice(turn: Turn, command: AddInvoice) -> Reply:
    """The SENCO gives a paid invoice's amount; its file follows in chat. A mistake comes back beside it."""
    return _step(turn, uc.add_invoice, command)


@ACTIONS.verb(verbs.CAPITAL_VISIT, p.QA_VISIT, RecordVisit, form=open_application)
def visit(turn: Turn, command: RecordVisit) -> Reply:
    """The team records the quality-assurance visit."""
    return _step(turn, uc.record_visit, command)


@ACTIONS.verb(verbs.CAPITAL_RELEASE, p.RELEASE_CAPITAL, OnApplication)
def release(turn: Turn, command: OnApplication) -> Reply:
    """A council officer releases the money (refused, naming what is missing, until everything is in)."""
    return _step(turn, uc.release, command, owes=True)


@ACTIONS.verb(verbs.CAPITAL_EVALUATE, p.EVALUATE_CAPITAL, Evaluate, form=open_application)
def evaluate(turn: Turn, command: Evaluate) -> Reply:
    """The project's impact is recorded."""
    return _step(turn, uc.evaluate, command)


@ACTIONS.personal("capital report", p.CAPITAL_REPORT)
@ACTIONS.verb(verbs.CAPITAL_REPORT, p.CAPITAL_REPORT)
def report(turn: Turn, _: Nothing) -> Reply:
    """The capital report as a spreadsheet, offered as a file (Teams asks first)."""
    now = turn.now()
    made = uc.report(turn.engine, turn.actor, now, offer_only=True)  # audited once, on accept (bot.teams.file_desk)
    data = capital_xlsx(made.rounds, made.applications, now)
    offer = file_offer(capital_filename(made.made_on), len(data), {"kind": "capital"})
    count = len(made.applications)
    return Reply(
        text=f"Here is the Capital Fund report: {count} application{'s' if count != 1 else ''}.",
        attachments=(offer,),
    )
