"""One example of every Costed Provision Document card, built by the real card functions (part of the gallery)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cards.provision_documents import provision_documents_card
from cluster.clock import LONDON
from cluster.provision_document import DocumentsView, DocumentVersion

LOADED = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
VERSIONS = (
    DocumentVersion(3, "2026-27", 1, "Costed Provision 2026-27.xlsx", 412, False, "Pat Pricing", LOADED, False),
    DocumentVersion(2, "2025-26", 2, "costed-provision-v2.csv", 409, False, "the command line", LOADED, True),
    DocumentVersion(
        1, "2025-26", 1, "Made-up example Costed Provision Document", 30, True, "the command line", LOADED, False
    ),
)


def provision_gallery() -> dict[str, dict[str, Any]]:
    """The versions card: empty, with versions after a load, and refusing a bad file line by line."""
    return {
        "provision_documents_empty": provision_documents_card(DocumentsView((), "2025-26")),
        "provision_documents": provision_documents_card(
            DocumentsView(VERSIONS, "2025-26", "Loaded version 2 of the 2025-26 document: 409 provisions.")
        ),
        "provision_documents_refused": provision_documents_card(
            DocumentsView(
                VERSIONS[1:],
                "2025-26",
                "Nothing was loaded from prices.csv: fix these lines and send the file again.",
                (
                    "line 3: the area of need “XX” is not one of CI, CL, SEMH, SP",
                    "line 4: the unit “fortnight” is not one of hour, session, week, term, item",
                ),
            )
        ),
    }
