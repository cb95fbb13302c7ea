"""Finding one pupil's records from a request (subject access and erasure both start here).

First the setting named by the person at the terminal, then that setting's referrals naming the school's
pupil reference.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cluster.errors import Refusal
from cluster.privacy import ABOUT_A_PUPIL, is_about
from store.models import Cluster, Referral, Setting

_PUPIL_KINDS = sorted(kind.value for kind in ABOUT_A_PUPIL)


def setting_named(session: Session, name: str, cluster: str | None = None) -> tuple[Setting, Cluster]:
    """The setting called ``name`` or with that URN (case does not matter), in ``cluster`` when given.

    ``cluster`` is a cluster's name or code; refuses no setting, or several clusters' settings of that name.
    """
    wanted = name.strip()
    query = (
        select(Setting, Cluster)
        .join(Cluster, col(Cluster.id) == Setting.cluster_id)
        .where((func.lower(Setting.name) == wanted.lower()) | (col(Setting.urn) == wanted))
    )
    if cluster:
        chosen = cluster.strip().lower()
        query = query.where((func.lower(Cluster.name) == chosen) | (func.lower(Cluster.code) == chosen))
    found = session.exec(query.order_by(col(Cluster.name))).all()
    if not found:
        where = f" in the {cluster.strip()} cluster" if cluster else ""
        raise Refusal(f"No setting is called {wanted}{where}: check its name with the cluster's admin.")
    if len(found) > 1:
        clusters = ", ".join(c.name for _, c in found)
        raise Refusal(f"More than one setting is called {wanted} (clusters {clusters}): say which with --cluster.")
    setting, in_cluster = found[0]
    return setting, in_cluster


def referrals_naming(session: Session, setting_id: int, pupil_ref: str) -> list[Referral]:
    """The setting's referrals whose answers name this pupil reference, oldest first.

    Only the kinds that ask for a pupil reference can name one; an erased referral no longer does.
    """
    found = session.exec(
        select(Referral)
        .where(Referral.setting_id == setting_id, col(Referral.kind).in_(_PUPIL_KINDS))
        .order_by(col(Referral.id))
    ).all()
    return [r for r in found if is_about(r.details or {}, pupil_ref)]
