"""``what worked``: search the record of funded provisions' outcomes and peers' advice; the council's consent.

SENCOs, chairs, the team around the cluster and council officers search it (``what worked speech`` types the
words straight away); council officers give or withdraw each cluster's consent to share it citywide.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS, MenuEntry
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.what_worked import sharing_card, what_worked_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from cluster.commands.what_worked import SearchWhatWorked, SetSharing
from cluster.roles import CITYWIDE_ROLES
from cluster.what_worked import Query, Scope
from usecases import what_worked as uc
from usecases.what_worked_search import search


@ACTIONS.personal(
    "what worked",
    p.WHAT_WORKED,
    SearchWhatWorked,
    argument="text",
    menu=MenuEntry("What worked", "Search funded provisions' outcomes and peers' advice"),
)
@ACTIONS.verb(verbs.WHAT_WORKED, p.WHAT_WORKED, SearchWhatWorked)
def what_worked(turn: Turn, command: SearchWhatWorked) -> Reply:
    """The search form and what it found: own cluster by default, every sharing cluster when asked."""
    query = Query(
        area_of_need=command.area_of_need,
        need_code=command.need_code,
        year_band=command.year_band,
        provision=command.provision,
        text=command.text,
        scope=Scope(command.scope) if command.scope else Scope.CLUSTER,
    )
    officer = any(g.role in CITYWIDE_ROLES for g in turn.actor.grants)
    return Reply(card=what_worked_card(search(turn.engine, turn.actor, query), officer=officer))


@ACTIONS.verb(verbs.WHAT_WORKED_SHARING, p.SHARE_WHAT_WORKED)
def show_sharing(turn: Turn, _: Nothing) -> Reply:
    """The council officer's card of which clusters share their record."""
    return Reply(card=sharing_card(uc.sharing(turn.engine, turn.actor)))


@ACTIONS.verb(verbs.WHAT_WORKED_SHARE, p.SHARE_WHAT_WORKED, SetSharing, form=show_sharing)
def set_sharing(turn: Turn, command: SetSharing) -> Reply:
    """Give or withdraw the council's consent for one cluster; the card says what changed."""
    share = command.share == "on"
    clusters = uc.set_sharing(turn.engine, turn.actor, command.cluster_id, share, turn.now())
    name = next((c.name for c in clusters if c.cluster_id == command.cluster_id), "The cluster")
    said = f"{name} now shares its record of what worked." if share else f"{name} no longer shares its record."
    return Reply(card=sharing_card(clusters, notice=said))
