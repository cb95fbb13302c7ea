"""The funding formula card: a council officer sees a year's formula, its shares and changes, and sets it."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.funding import funding_card
from cluster import permissions as p
from cluster.commands.funding import SetFunding, ShowFunding
from usecases import funding as uc


def _card(turn: Turn, shown: uc.FundingCard, notice: str | None = None) -> Reply:
    return Reply(card=funding_card(shown.view, shown.labels, turn.values, turn.errors, notice, shown.asked))


@ACTIONS.personal("funding", p.SET_FUNDING, ShowFunding, argument="label")
@ACTIONS.verb(verbs.FUNDING, p.SET_FUNDING, ShowFunding)
def show_funding(turn: Turn, command: ShowFunding) -> Reply:
    """The formula of the year the card names or typed (``funding 2026/27``), else the one covering today."""
    return _card(turn, uc.funding_card(turn.engine, turn.actor, turn.today(), command))


@ACTIONS.verb(verbs.FUNDING_SET, p.SET_FUNDING, SetFunding, form=show_funding)
def set_funding(turn: Turn, command: SetFunding) -> Reply:
    """Save the formula and every cluster's budget from it; what the rules refuse comes back on the form."""
    saved = uc.set_funding_as(turn.engine, turn.actor, command, turn.now())
    return _card(turn, saved, notice=f"Saved the {command.label} formula: every cluster's budget now follows it.")
