"""The personal help card's menu: each command a person can type in the 1:1 chat, in the order it is offered.

Who may use a command is its declaration's permission (``bot.actions``), not this list: the help card shows a
person only the items whose commands their roles allow (``bot.actions.menu``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuItem:
    """A command as the help card offers it: what to type, a button's title, and what it does."""

    text: str
    title: str
    summary: str


MENU: tuple[MenuItem, ...] = (
    MenuItem("help", "Help", "What I can do for you."),
    MenuItem("whoami", "Who am I", "Your roles and settings."),
    MenuItem("next meeting", "Next meeting", "Date, time and referral deadline of your next meeting."),
    MenuItem("new referral", "New referral", "Ask your cluster for funding or advice."),
    MenuItem("my referrals", "My referrals", "Your setting's drafts and referrals, and where they stand."),
    MenuItem("reviews", "Reviews", "Your setting's reviews and when they are due."),
    MenuItem("reviews due", "Reviews due", "Your cluster's reviews that are due or overdue."),
    MenuItem("minutes", "Minutes", "The latest meeting's minutes as Markdown and a spreadsheet."),
    MenuItem("budget", "Budget", "Where your cluster's budget stands (and setting it, for admins)."),
    MenuItem("meetings", "Meetings", "Add, move or cancel your cluster's meetings."),
    MenuItem("settings", "Settings", "Which of your cluster's settings may apply to the Capital Fund."),
    MenuItem("referrals to check", "Referrals to check", "Submitted referrals waiting for your check."),
    MenuItem("payments", "Payments", "Instalments due in each cluster: mark them paid."),
    MenuItem(
        "finance",
        "Finance exports",
        "Allocations, instalments due per term and capital applications, as CSV and XLSX ('finance Central' "
        "for one cluster).",
    ),
    MenuItem("capital", "Capital Fund", "Capital Fund rounds and the applications you take part in."),
    MenuItem("panel members", "Panel members", "Name the SENCOs on your cluster's Capital Fund panel."),
    MenuItem("capital report", "Capital report", "Every Capital Fund application as a spreadsheet."),
    MenuItem("citywide", "Citywide", "Every cluster's money, referrals, reviews and impact, side by side."),
    MenuItem("clusters", "Clusters", "Every cluster with its settings, people and meetings; add a cluster."),
    MenuItem("provision document", "Provision document", "The Costed Provision Document's versions; load a new one."),
    MenuItem("funding", "Funding formula", "The year's funding formula: each cluster's share, its basis and changes."),
)
