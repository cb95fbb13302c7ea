"""The council officer's ``clusters`` command and card: every cluster, and adding one."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.actions.legacy import Routes, text_input
from bot.actions.turn import Reply, Request
from cards import verbs
from cards.clusters import FORM, clusters_card
from cluster.clock import Clock
from usecases import clusters as uc


class ClusterRoutes:
    """List and add clusters."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def install(self, routes: Routes) -> None:
        """Register the command and verbs."""
        routes.personal["clusters"] = self.show
        routes.verbs.update({verbs.CLUSTERS: self.show, verbs.CLUSTER_ADD: self.add})

    @staticmethod
    def _card(shown: uc.ClustersCard) -> Reply:
        return Reply(card=clusters_card(shown.clusters, shown.errors, shown.values, shown.notice))

    async def show(self, request: Request) -> Reply:
        """Every cluster with its counts, and the form."""
        return self._card(uc.clusters_card(self.engine, request.actor))

    async def add(self, request: Request) -> Reply:
        """Add the cluster the form names; mistakes come back next to their fields, nothing half-stored."""
        values = {key: text_input(request.data, key) for key, *_ in FORM}
        return self._card(uc.add_cluster_as(self.engine, request.actor, values, self.clock.now()))
