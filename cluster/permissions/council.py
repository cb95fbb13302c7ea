"""The permissions of the council's work: the ledger, the Capital Fund, the citywide view, the clusters themselves."""

from __future__ import annotations

from cluster.permissions.model import CO, REFERRERS, A, C, D, Rows, S, T
from cluster.permissions.model import permission as _p

# --- the revenue ledger (issue 11) ---
RECORD_PAYMENTS = _p(
    "record payments",
    "See the instalments due in every cluster and mark them paid",
    (CO,),
    Rows.CLUSTER,
    "Only a council officer can see and record payments.",
)
FINANCE_EXPORTS = _p(
    "finance exports",
    "Have the finance exports (allocations, instalments due per term, capital applications) as CSV and XLSX",
    (CO,),
    Rows.CLUSTER,
    "Only a council officer can have the finance exports.",
)
DECISION_LETTER = _p(
    "decision letter",
    "Have the letter a decision made for a setting (Word)",
    (S, D, A, CO),
    Rows.SETTING,
    "Only the setting's SENCO or delegate, the cluster's admin or a council officer can have this decision letter.",
)
# The Capital Fund (issue 11): the council's own pot, scored by the Cluster Panel and decided by the Board.
SEE_CAPITAL = _p(
    "see the capital fund",
    "See the Capital Fund's rounds and the applications you take part in",
    (S, D, C, T, A, CO),
    Rows.NONE,
    "Only the Capital Fund's applicants, panel members, admins and council officers have applications to see.",
)
SET_CAPITAL_ROUND = _p(
    "set a capital round",
    "Set a Capital Fund round: its total, window and timeline",
    (CO,),
    Rows.NONE,
    "Only a council officer can set a Capital Fund round.",
)
OPEN_CAPITAL = _p(
    "open a capital application",
    "Open a Capital Fund application with its scores, decision and journey",
    (S, D, C, T, A, CO),
    Rows.CLUSTER,
    "Only the applying cluster's people, or a council officer, can open this Capital Fund application.",
)
SCORE_CAPITAL = _p(
    "score a capital application",
    "Score a Capital Fund application as a member of the Cluster Panel",
    (S, D, C, T),
    Rows.CLUSTER,
    "Only the Cluster Panel's members score Capital Fund applications.",
)
CHAIR_PANEL = _p(
    "chair the panel",
    "Close the Cluster Panel's scoring and record its recommendation",
    (C,),
    Rows.CLUSTER,
    "Only the cluster's chair closes the panel and records its recommendation.",
)
NAME_PANEL = _p(
    "name the panel",
    "Name the SENCOs who sit on the cluster's Capital Fund panel",
    (A,),
    Rows.CLUSTER,
    "Only a cluster's admin names its panel members.",
)
BOARD_DECISION = _p(
    "record the board's decision",
    "Record the Place, Planning and Sufficiency Board's decision on an application",
    (CO,),
    Rows.CLUSTER,
    "Only a council officer records the Board's decision.",
)
REPORT_PROJECT = _p(
    "report a capital project",
    "Mark your setting's Capital Fund project started or completed, and add its paid invoices",
    REFERRERS,
    Rows.SETTING,
    "Only the applying setting's SENCO or delegate reports its project's progress.",
)
QA_VISIT = _p(
    "record a quality-assurance visit",
    "Record the quality-assurance visit to a Capital Fund project",
    (T,),
    Rows.CLUSTER,
    "Only the team around the cluster records quality-assurance visits.",
)
RELEASE_CAPITAL = _p(
    "release capital money",
    "Release a Capital Fund grant once the project is complete, visited and invoiced",
    (CO,),
    Rows.CLUSTER,
    "Only a council officer releases Capital Fund money.",
)
EVALUATE_CAPITAL = _p(
    "evaluate a capital project",
    "Record a Capital Fund project's impact",
    (S, D, C, T),
    Rows.SETTING,
    "Only the applying setting's SENCO or delegate, or the cluster's chair or team, records the project's impact.",
)
CAPITAL_REPORT = _p(
    "capital report",
    "Have the Capital Fund report (a spreadsheet of every application)",
    (CO,),
    Rows.NONE,
    "Only a council officer can have the Capital Fund report.",
)
# The citywide view (issue 12): figures only, for the council and the chairs and teams at the Citywide Meeting.
CITYWIDE = _p(
    "citywide",
    "See every cluster's figures side by side and in total, and have them as a spreadsheet",
    (C, T, CO),
    Rows.CITY,
    "Only council officers, and the chairs and teams around the clusters who attend the Citywide Meeting, can "
    "see the citywide figures.",
)

# --- four clusters (issue 12) ---
MANAGE_CLUSTERS = _p(
    "manage clusters",
    "See every cluster with its counts and add a cluster with its settings, meetings and people",
    (CO,),
    Rows.NONE,
    "Only a council officer can see and add clusters.",
)

# The Citywide Meeting (issue 12): council officers run it; its pack goes to the citywide channel.
LINK_CITYWIDE = _p(
    "link the citywide channel",
    "Make a team channel the citywide channel, where the Citywide Meeting's packs are posted",
    (CO,),
    Rows.NONE,
    "Only a council officer can link the citywide channel.",
)
POST_CITYWIDE_PACK = _p(
    "post the citywide pack",
    "Post the next Citywide Meeting's pack in the citywide channel now",
    (CO,),
    Rows.NONE,
    "Only a council officer can post the citywide pack.",
)
