"""The permissions of quality-assurance visits to settings (issue 22).

Only the team around the cluster plans and records visits; a report is seen by the team, the cluster's
chair, council officers and the visited setting (its SENCO and delegates), and no one else: not the
cluster's admins, observers or other settings. The setting's SENCO acknowledges it.
"""

from __future__ import annotations

from cluster.permissions.model import CO, C, D, Rows, S, T
from cluster.permissions.model import permission as _p

QA_VISITS = _p(
    "quality-assurance visits",
    "See the quality-assurance visits to settings you may see (the team's also plan one here)",
    (S, D, C, T, CO),
    Rows.NONE,
    "Only the team around the cluster, its chair, council officers and a visited setting see quality-assurance visits.",
)
PLAN_QA_VISIT = _p(
    "plan a quality-assurance visit",
    "Plan a quality-assurance visit to one of the cluster's settings, and record its report",
    (T,),
    Rows.CLUSTER,
    "Only the team around the cluster plans and records quality-assurance visits to settings.",
)
SEE_QA_REPORT = _p(
    "see a quality-assurance report",
    "See a quality-assurance visit's report",
    (S, D, C, T, CO),
    Rows.SETTING,
    "Only the team around the cluster, its chair, council officers and the visited setting see this report.",
)
ACKNOWLEDGE_QA_REPORT = _p(
    "acknowledge a quality-assurance report",
    "Acknowledge the report of a quality-assurance visit to your setting",
    (S,),
    Rows.SETTING,
    "Only the visited setting's SENCO acknowledges its quality-assurance report.",
)
CLOSE_QA_ACTION = _p(
    "close a quality-assurance action",
    "Mark an action from a quality-assurance visit done",
    (S, D, T),
    Rows.SETTING,
    "Only the visited setting's SENCO or delegate, or the team around the cluster, marks a visit's action done.",
)
