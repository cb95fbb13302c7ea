"""Who may do what: every permission a command or card verb needs, as data, and the two checks on it.

A :class:`Permission` names the roles that may use it and what rows it acts on. How far a role reaches
follows from the role and the rows (:func:`reach`): a SENCO or delegate reaches their own setting's rows
(or their setting's cluster, for cluster rows such as a vote); a chair, admin, team-around-the-cluster
member or observer reaches their cluster; a council officer reaches every cluster.

Two checks use the same object, so they cannot drift apart:

- :func:`allows`, before any use case runs (the router): does the person hold one of the roles at all?
- :func:`authorize`, inside the use case, against the rows the card's data names: does one of those
  roles reach *this* row? A forged id that names another setting's draft or another cluster's vote gets
  the same sentence as a missing role.

The table that maps every command and verb to its permission is ``bot.actions.permissions.TABLE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cluster.errors import Refusal
from cluster.roles import CITYWIDE_ROLES, SETTING_ROLES, Grant, Role


class Rows(StrEnum):
    """What a permission acts on, which decides how far each role reaches."""

    NONE = "none"  # nothing the card names: help, lists of one's own things
    SETTING = "setting"  # a setting's own rows: drafts, referrals, reviews
    CLUSTER = "cluster"  # a cluster's rows: meetings, agenda items, votes, the budget
    CITY = "city"  # figures of every cluster, no pupil's rows: the citywide view for the Citywide Meeting


class Forbidden(Refusal):
    """A refusal because of who is asking: the same for a missing role and for a row out of reach."""


@dataclass(frozen=True)
class Permission:
    """One thing people may do, who may do it, and on what.

    ``roles`` is None for something any registered person may do; ``public`` lets people the bot does
    not know use it too (help, who am I). ``pupil_data`` says whether what it shows or changes holds a
    pupil's details (special category data).
    """

    name: str
    summary: str
    roles: frozenset[Role] | None
    rows: Rows
    pupil_data: bool
    refusal: str
    public: bool = False

    def holds(self, role: Role) -> bool:
        """Whether this role is one the permission names (any registered role when it names none)."""
        return self.roles is None or role in self.roles


def reach(role: Role, rows: Rows) -> str:
    """How far a role reaches for these rows, as the README says it."""
    if role in CITYWIDE_ROLES or rows is Rows.CITY:
        return "citywide"
    if role in SETTING_ROLES and rows is not Rows.CLUSTER:
        return "own setting"
    return "their cluster"


def allows(grants: Iterable[Grant], permission: Permission, registered: bool) -> bool:
    """Whether someone with these grants may use the permission at all (before any row is looked at)."""
    if permission.public:
        return True
    if not registered:
        return False
    return permission.roles is None or any(g.role in permission.roles for g in grants)


def covers(
    grants: Iterable[Grant],
    permission: Permission,
    cluster_id: int,
    setting_id: int | None = None,
    meeting_id: int | None = None,
) -> bool:
    """Whether one of the person's grants for this permission reaches the row (its cluster and setting).

    A grant for one meeting (a substitute's, an acting chair's) reaches only rows of that meeting: the
    caller names the meeting its row belongs to, and a caller that names none is not reached by it.
    """
    for grant in grants:
        if not permission.holds(grant.role):
            continue
        if grant.meeting_id is not None and grant.meeting_id != meeting_id:
            continue
        if grant.role in CITYWIDE_ROLES or permission.rows is Rows.CITY:
            return True
        if grant.role in SETTING_ROLES and permission.rows is Rows.SETTING:
            if setting_id is not None and grant.setting_id == setting_id:
                return True
        elif grant.cluster_id == cluster_id:
            return True
    return False


def clusters_reached(grants: Iterable[Grant], permission: Permission) -> frozenset[int] | None:
    """The clusters whose cluster rows the person's grants for this permission reach; None means every cluster.

    So a list ("referrals to check", "reviews due") asks the database for those clusters' rows only,
    instead of walking every cluster in the city and asking :func:`covers` of each.
    """
    reached: set[int] = set()
    for grant in grants:
        if not permission.holds(grant.role) or grant.meeting_id is not None:  # one meeting's role lists nothing
            continue
        if grant.role in CITYWIDE_ROLES or permission.rows is Rows.CITY:
            return None
        if grant.cluster_id is not None:
            reached.add(grant.cluster_id)
    return frozenset(reached)


def settings_reached(grants: Iterable[Grant], permission: Permission) -> frozenset[int]:
    """The settings whose own rows the person reaches through a setting role (SENCO, delegate) for this permission."""
    return frozenset(
        g.setting_id
        for g in grants
        if g.setting_id is not None and g.role in SETTING_ROLES and permission.holds(g.role)
    )


def authorize(
    grants: Iterable[Grant],
    permission: Permission,
    cluster_id: int,
    setting_id: int | None = None,
    meeting_id: int | None = None,
) -> None:
    """Refuse, with the permission's own sentence, unless one of the person's roles reaches this row."""
    if not covers(grants, permission, cluster_id, setting_id, meeting_id):
        raise Forbidden(permission.refusal)


def _p(
    name: str,
    summary: str,
    roles: Iterable[Role] | None,
    rows: Rows,
    refusal: str,
    *,
    pupil_data: bool = False,
    public: bool = False,
) -> Permission:
    return Permission(
        name, summary, None if roles is None else frozenset(roles), rows, pupil_data, refusal, public=public
    )


S, D, C, T, A, OB, CO = (
    Role.SENCO,
    Role.DELEGATE,
    Role.CHAIR,
    Role.TEAM_AROUND_CLUSTER,
    Role.ADMIN,
    Role.OBSERVER,
    Role.COUNCIL_OFFICER,
)
SUB, ACT = Role.SUBSTITUTE, Role.ACTING_CHAIR  # for one meeting: reach only that meeting's rows
REFERRERS = (S, D)
MEMBERS = (S, D, C, T, A, OB)
# The chair runs the cluster's meetings; someone else runs one only when it is handed to them (an acting chair).
RUNNERS = (C, ACT)

HELP = _p("help", "See what the bot can do for you", None, Rows.NONE, "", public=True)
WHOAMI = _p("whoami", "See your roles and settings", None, Rows.NONE, "", public=True)
# Not a permission of a real bot: ``act as`` is answered by the Teams edge before routing (bot/teams/act_as.py),
# and only when the Agents Playground demo runs; anywhere else it is refused. Declared so the table lists it.
DEMO_ONLY = _p(
    "demo only",
    "Demo only: act as another demo person in the Agents Playground (clusterbot playground)",
    None,
    Rows.NONE,
    "",
    public=True,
)
NEXT_MEETING = _p(
    "next meeting",
    "See your next meeting's date and deadline",
    None,
    Rows.NONE,
    "Only people registered with the bot have meetings.",
)
START_REFERRAL = _p(
    "start a referral",
    "Start a referral for your setting",
    REFERRERS,
    Rows.SETTING,
    "Only a setting's SENCO or delegate can make or change its referrals.",
    pupil_data=True,
)
EDIT_REFERRAL = _p(
    "edit a referral",
    "Fill in, change, submit or withdraw your setting's referral",
    REFERRERS,
    Rows.SETTING,
    "Only the setting's SENCO or delegate can change its referrals.",
    pupil_data=True,
)
READ_REFERRAL = _p(
    "read a referral",
    "Read a referral in full, or export its pack (drafts only by their own setting)",
    (S, D, A, T),
    Rows.SETTING,
    "Only the setting's SENCO or delegate, or the cluster's admin or team once it is submitted, can read "
    "this referral.",
    pupil_data=True,
)
MY_REFERRALS = _p(
    "my referrals",
    "List your setting's drafts and referrals",
    REFERRERS,
    Rows.NONE,
    "Only a setting's SENCO or delegate has referrals to list.",
    pupil_data=True,
)
CHECK_REFERRALS = _p(
    "check referrals",
    "Accept submitted referrals onto the agenda or return them",
    (A,),
    Rows.CLUSTER,
    "Only the cluster's admin can check referrals.",
    pupil_data=True,
)
POST_AGENDA = _p(
    "post the agenda",
    "Post the next meeting's agenda in the cluster's channel",
    (C, A, T),
    Rows.CLUSTER,
    "Only the chair or an admin can post the agenda.",
)
SEE_AGENDA = _p(
    "see the agenda",
    "See the agenda and the votes (pupils by initials and year only)",
    (*MEMBERS, SUB),
    Rows.CLUSTER,
    "Only members of this cluster can see its agenda and votes.",
)
RUN_MEETING = _p(
    "run the meeting",
    "Start the meeting, open and close votes, record decisions, end the meeting",
    RUNNERS,
    Rows.CLUSTER,
    "Only the chair, or the person the chair handed this meeting to, can do that.",
)
VOTE = _p(
    "vote",
    "Vote for your setting on an item (a substitute: at their one meeting)",
    (*REFERRERS, SUB),
    Rows.CLUSTER,
    "Only a setting's SENCO or delegate votes; the team around the cluster, admins and observers do not.",
)
DECLARE_INTEREST = _p(
    "declare an interest",
    "Declare an interest in an item",
    (S, D, C, T, SUB),
    Rows.CLUSTER,
    "Only members of this cluster who take part in its decisions can declare an interest.",
)
MINUTES = _p(
    "minutes",
    "Have the minutes of your cluster's latest meeting",
    (*MEMBERS, CO),
    Rows.CLUSTER,
    "Only members of this cluster can have its minutes.",
)
MANAGE_MEETINGS = _p(
    "manage meetings",
    "Add, move and cancel meetings and set their links",
    (A,),
    Rows.CLUSTER,
    "Only a cluster's admin can manage its meetings.",
)
LINK_CHANNEL = _p(
    "link a channel",
    "Make a team channel the cluster's meeting channel (one linked to another cluster: that cluster's admin too)",
    (A, CO),
    Rows.CLUSTER,
    "Only an admin of the cluster or a council officer can link a channel to it.",
)
SEE_BUDGET = _p(
    "see the budget",
    "See where the cluster's budget stands",
    (A, C, T, CO),
    Rows.CLUSTER,
    "Only a cluster's chair, admin or team, or a council officer, can see its budget.",
)
SET_BUDGET = _p(
    "set the budget",
    "Set the cluster's budget for a period",
    (A, CO),
    Rows.CLUSTER,
    "Only the cluster's admin or a council officer can set its budget.",
)
MY_REVIEWS = _p(
    "my reviews",
    "List your setting's reviews",
    REFERRERS,
    Rows.NONE,
    "Only a setting's SENCO or delegate has reviews to do.",
    pupil_data=True,
)
DO_REVIEW = _p(
    "do a review",
    "Open and submit your setting's review",
    REFERRERS,
    Rows.SETTING,
    "Only the setting's SENCO or delegate can do its reviews.",
    pupil_data=True,
)
SNOOZE_REVIEW = _p(
    "snooze a review's nudges",
    "Pause a review's nudges for a week",
    REFERRERS,
    Rows.SETTING,
    "Only the setting's SENCO or delegate can snooze this review's nudges.",
)
REVIEWS_DUE = _p(
    "reviews due",
    "List the cluster's reviews that are due or overdue",
    (C, A),
    Rows.NONE,
    "Only a cluster's chair or admin can see all of its reviews.",
)
MANAGE_SETTINGS = _p(
    "manage settings",
    "Record the cluster's settings' Capital Fund facts (mainstream, earlier capital funding)",
    (A,),
    Rows.CLUSTER,
    "Only a cluster's admin can change its settings' Capital Fund facts.",
)

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

# --- issue 20 (the vote and the chair): the lead moves these where they belong ---------------------------------
HAND_OVER_MEETING = _p(
    "hand over a meeting",
    "Hand one meeting to a vice-chair named for it (the acting chair)",
    (C, A),
    Rows.CLUSTER,
    "Only the cluster's chair or admin can hand a meeting to someone else.",
)

ALL: tuple[Permission, ...] = (
    HELP,
    WHOAMI,
    DEMO_ONLY,
    NEXT_MEETING,
    START_REFERRAL,
    EDIT_REFERRAL,
    READ_REFERRAL,
    MY_REFERRALS,
    CHECK_REFERRALS,
    POST_AGENDA,
    SEE_AGENDA,
    RUN_MEETING,
    VOTE,
    DECLARE_INTEREST,
    MINUTES,
    MANAGE_MEETINGS,
    LINK_CHANNEL,
    SEE_BUDGET,
    SET_BUDGET,
    MY_REVIEWS,
    DO_REVIEW,
    SNOOZE_REVIEW,
    REVIEWS_DUE,
    MANAGE_SETTINGS,
    RECORD_PAYMENTS,
    FINANCE_EXPORTS,
    DECISION_LETTER,
    SEE_CAPITAL,
    SET_CAPITAL_ROUND,
    OPEN_CAPITAL,
    SCORE_CAPITAL,
    CHAIR_PANEL,
    NAME_PANEL,
    BOARD_DECISION,
    REPORT_PROJECT,
    QA_VISIT,
    RELEASE_CAPITAL,
    EVALUATE_CAPITAL,
    CAPITAL_REPORT,
    CITYWIDE,
    MANAGE_CLUSTERS,
    LINK_CITYWIDE,
    POST_CITYWIDE_PACK,
    HAND_OVER_MEETING,
)
