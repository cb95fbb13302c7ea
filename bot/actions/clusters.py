"""The council officer's ``clusters`` command and card: every cluster, and adding one."""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.clusters import clusters_card
from cluster import permissions as p
from cluster.commands.clusters import AddCluster
from cluster.commands.inputs import Nothing
from usecases import clusters as uc


@ACTIONS.personal("clusters", p.MANAGE_CLUSTERS)
@ACTIONS.verb(verbs.CLUSTERS, p.MANAGE_CLUSTERS)
def show_clusters(turn: Turn, _: Nothing) -> Reply:
    """Every cluster with its counts, and the add form (with what was typed and its mistakes, when it came back)."""
    shown = uc.clusters_card(turn.engine, turn.actor)
    return Reply(card=clusters_card(shown.clusters, turn.errors, turn.values))


@ACTIONS.verb(verbs.CLUSTER_ADD, p.MANAGE_CLUSTERS, AddCluster, form=show_clusters)
def add_cluster(turn: Turn, command: AddCluster) -> Reply:
    """Add the cluster the form names; mistakes come back next to their fields, nothing half-stored."""
    added = uc.add_cluster_as(turn.engine, turn.actor, command, turn.now())
    return Reply(card=clusters_card(added.clusters, notice=added.notice))
