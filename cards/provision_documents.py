"""The council officer's Costed Provision Document card: every version loaded, and how to load a new one.

The versions are a table (year, version, provisions, loaded); the file each came from and who loaded it follow
as a line under the table, so the table stays four columns wide on a phone. The made-up example document is
named as such wherever it is listed.
"""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.charts import table
from cards.common import Card, button, card, heading, text
from cluster.clock import LONDON
from cluster.provision_document import HEADINGS, DocumentsView, DocumentVersion

SHOWN_VERSIONS = 12  # the newest; `clusterbot provision list` lists them all
SHOWN_PROBLEMS = 20  # the refusal already holds at most this many (usecases.csv_files.bounded)


def _row(v: DocumentVersion) -> list[str]:
    marks = " (in use)" * v.current + " (made-up example)" * v.example
    return [v.financial_year, f"{v.version}{marks}", f"{v.rows:,}", f"{v.loaded_at.astimezone(LONDON):%-d %b %Y}"]


def provision_documents_card(view: DocumentsView) -> Card:
    """Every version (newest first), what the last file did, and how to send a new version."""
    body: list[dict[str, Any]] = [heading("Costed Provision Document")]
    if view.notice:
        body.append(text(view.notice, weight="Bolder", color="Attention" if view.problems else "Default"))
    for problem in view.problems[:SHOWN_PROBLEMS]:
        body.append(text(problem, color="Attention", spacing="None"))
    shown = view.versions[:SHOWN_VERSIONS]
    if shown:
        body.append(table(("Year", "Version", "Provisions", "Loaded"), [_row(v) for v in shown]))
        for v in shown:
            body.append(
                text(
                    f"{v.financial_year} version {v.version}: {v.source_name}, loaded by {v.loaded_by}.",
                    subtle=True,
                    spacing="None",
                )
            )
        if len(view.versions) > len(shown):
            body.append(text(f"And {len(view.versions) - len(shown)} older versions.", subtle=True))
    else:
        body.append(text("No document is loaded yet: provision maps are priced by hand until one is."))
    body.append(text("Load a new version", weight="Bolder", size="Medium", separator=True))
    body.append(
        text(
            "Send the document here in this chat as a CSV or Excel (.xlsx) file, one provision a row, with the "
            f"headings: {HEADINGS}. The unit is hour, session, week, term or item."
        )
    )
    body.append(
        text(
            "Put the financial year in the file's name (as in costed-provision-2027-28.xlsx); without one it "
            f"is loaded for {view.year}. Each file is a new version: referrals already priced keep theirs. "
            "A file with any bad row loads nothing, and each bad row is named by its line.",
            subtle=True,
        )
    )
    return card(body, [button("Show the versions again", verbs.PROVISION_DOCUMENTS)])
