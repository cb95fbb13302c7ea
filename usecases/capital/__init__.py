"""The Capital Fund's use cases: rounds, the Cluster Panel, the Board, the project, its impact, the report.

The fund is the council's own pot: an application (a capital referral) never touches a cluster's revenue
budget and never goes onto a meeting's agenda. Once the cluster's admin accepts it, it waits for its round's
window to close; then each panel member is sent a scoring card (:mod:`usecases.capital.jobs`). The chair
closes the scoring and records the panel's recommendation; a council officer records the Board's decision;
the SENCO marks the project started and completed and sends its paid invoices; the team around the cluster
records the quality-assurance visit; an officer releases the money once all of that is in; the project's
impact is recorded by its evaluation date.

One module per part of that journey; each use case is one unit of work: the permission
(``cluster.permissions``) checked against the rows the card names, the change, its audit line and the
notices it owes, in one transaction that takes the cluster's and then the application's turn
(``store.db.take_turn``) before reading what it checks; reads are read-only. Views are read in a fixed
number of queries whatever the number of applications (:mod:`usecases.capital.views`). Use cases that read
a form take its command (:mod:`cluster.commands.capital`); what needs fixing is raised as
:class:`~cluster.errors.InvalidInput`, keyed by the form's inputs.
"""

from cluster.commands.capital import NOT_FOUND
from usecases.capital.access import NOT_ON_PANEL, OpenedApplication
from usecases.capital.applications import Overview, on_accepted, open_application, overview
from usecases.capital.board import board_decision
from usecases.capital.evaluation import evaluate
from usecases.capital.jobs import owe_capital_notices
from usecases.capital.journey import (
    add_invoice,
    attach_invoice_file,
    mark_stage,
    record_visit,
    release,
)
from usecases.capital.panel import PanelCard, add_panel_member, close_panel, panel_members, remove_panel_member, score
from usecases.capital.recommendation import recommend
from usecases.capital.report import Report, StageRow, capital_stages, report
from usecases.capital.rounds import round_views, save_round, set_round

__all__ = [
    "NOT_FOUND",
    "NOT_ON_PANEL",
    "OpenedApplication",
    "Overview",
    "PanelCard",
    "Report",
    "StageRow",
    "add_invoice",
    "add_panel_member",
    "attach_invoice_file",
    "board_decision",
    "capital_stages",
    "close_panel",
    "evaluate",
    "mark_stage",
    "on_accepted",
    "open_application",
    "overview",
    "owe_capital_notices",
    "panel_members",
    "recommend",
    "record_visit",
    "release",
    "remove_panel_member",
    "report",
    "round_views",
    "save_round",
    "score",
    "set_round",
]
