"""Finding a provision in the council's Costed Provision Document from a provision map's row form (issue 21).

Two ways in: Teams' search as the SENCO types in the row form's choice (a declared search dataset,
``provision:<document id>``), and, for a Teams client without it, a "Look it up" button that draws the row
form again with the matches as the choice's list, keeping what was typed.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import referrals as rc
from cards import verbs
from cluster import permissions as p
from cluster.commands.referrals import FindProvision, SearchProvision
from cluster.errors import Refusal
from cluster.provision_map import ENTRY, FIND, SEARCH_DATASET, ProvisionSource
from cluster.referrals import CONTRIBUTION_FIELD, COSTED, NO_COST_ROWS, ReferralView
from usecases import provision_search as search
from usecases import referrals as uc


def row_source(turn: Turn, view: ReferralView, values: dict[str, str]) -> ProvisionSource | None:
    """What the row form offers of the council's document: its version, and the chosen or looked-up provisions."""
    if view.kind not in COSTED:
        return None
    chosen = values.get(ENTRY, "")
    entry_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    return search.row_form_source(turn.engine, view.id, turn.today(), values.get(FIND, ""), entry_id)


@ACTIONS.search(SEARCH_DATASET, p.FIND_PROVISION, SearchProvision, argument="document_id")
def search_provision(turn: Turn, command: SearchProvision) -> Reply:
    """Up to 15 of the document's provisions whose name or deliverer has every word typed."""
    return Reply(choices=search.search_provision(turn.engine, turn.actor, command, turn.now()))


@ACTIONS.verb(verbs.ROW_FIND, p.EDIT_REFERRAL, FindProvision)
def find_provision(turn: Turn, command: FindProvision) -> Reply:
    """The row form again, as typed, with the provisions matching what was looked up as the choice's list."""
    view = uc.open_for_edit(turn.engine, turn.actor, command, turn.now())
    if view.kind not in COSTED:
        raise Refusal(NO_COST_ROWS)
    typed = dict(command.answers)
    contribution = typed.pop(CONTRIBUTION_FIELD.name, None)
    typed[FIND] = command.find
    editing = command.row_id if command.row_id in view.row_ids else None
    source = row_source(turn, view, typed)
    card = rc.rows_card(view, typed, {}, editing, view.row_ids, contribution, source)
    return Reply(card=card)
