"""The budget card: chairs and the team see a cluster's budget; admins and council officers set it."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.budget import budget_card
from cluster import permissions as p
from cluster.commands.budget import SetBudget, ShowBudget
from usecases import budget as uc


def _card(turn: Turn, shown: uc.BudgetCard, notice: str | None = None) -> Reply:
    view = shown.view
    return Reply(
        card=budget_card(
            shown.cluster,
            view.label if view else None,
            view.starts if view else None,
            view.ends if view else None,
            view.rule if view else None,
            view.position if view else None,
            shown.can_set,
            turn.values,
            turn.errors,
            notice,
            shown.cluster_id,
            shown.choices,
            view.basis if view else (),
        )
    )


@ACTIONS.personal("budget", p.SEE_BUDGET, ShowBudget, argument="cluster_name")
@ACTIONS.verb(verbs.BUDGET, p.SEE_BUDGET, ShowBudget)
def show_budget(turn: Turn, command: ShowBudget) -> Reply:
    """The budget covering today: of the cluster the card names or the name typed, else the person's first."""
    return _card(turn, uc.budget_card(turn.engine, turn.actor, turn.today(), command))


@ACTIONS.verb(verbs.BUDGET_SET, p.SET_BUDGET, SetBudget, form=show_budget)
def set_budget(turn: Turn, command: SetBudget) -> Reply:
    """Save the budget; what the rules refuse comes back on the form, nothing half-saved."""
    saved = uc.set_budget_as(turn.engine, turn.actor, command, turn.now())
    return _card(turn, saved, notice=f"Saved the {command.label} budget.")
