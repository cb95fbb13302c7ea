"""The permissions of a cluster's own work: help, referrals, the meeting and its votes, the budget, reviews."""

from __future__ import annotations

from cluster.permissions.model import CO, MEMBERS, REFERRERS, RUNNERS, SUB, A, C, D, Rows, S, T
from cluster.permissions.model import permission as _p

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
    "See the agenda and the votes (pupils by initials and year only; an observer sees no pupil's details)",
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
