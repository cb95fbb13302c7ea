"""Who holds a role, asked once for many clusters or settings: on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster.clock import LONDON
from cluster.roles import Role
from store.models import Cluster, Person, Setting
from store.repo import role_holders
from store.seed import CENTRAL, seed_file
from tests.conftest import ADMIN, CHAIR, ROSTER, SENCO, SENCO_2
from usecases.roster import import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)


def ids(session: Session) -> dict[str, int]:
    people = {p.aad_object_id: p.id for p in session.exec(select(Person))}
    return {name: people[aad] or 0 for aad, name in (SENCO, SENCO_2, CHAIR, ADMIN)}


def test_a_clusters_senco_chair_and_admin_are_found_by_cluster_and_a_sencos_by_setting(engine: Engine) -> None:
    seed_file(engine, CENTRAL, NOW)
    import_entries(engine, ROSTER, NOW, "test")
    with Session(engine) as session:
        who = ids(session)
        central = session.exec(select(Cluster)).one().id or 0
        etruscan = session.exec(select(Setting).where(Setting.name == "Etruscan Primary School")).one().id or 0
        by_cluster = role_holders(session, [Role.SENCO, Role.CHAIR, Role.ADMIN], in_clusters=[central, 999])
        assert set(by_cluster) == {central}
        assert set(by_cluster[central]) >= {who[SENCO[1]], who[SENCO_2[1]], who[CHAIR[1]], who[ADMIN[1]]}
        assert role_holders(session, [Role.ADMIN], in_clusters=[central]) == {central: [who[ADMIN[1]]]}
        assert role_holders(session, ["senco"], at_settings=[etruscan]) == {etruscan: [who[SENCO[1]]]}
        assert role_holders(session, [Role.CHAIR], at_settings=[etruscan]) == {}
