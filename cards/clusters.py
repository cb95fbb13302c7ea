"""The council officer's clusters card: every cluster with its counts, and the form to add a cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards import verbs
from cards.charts import table
from cards.common import Card, card, execute, heading, text
from cluster.clusters import ClusterSummary
from cluster.new_cluster import CODE_RE, NAME_MAX

# (id, label, placeholder, multi-line)
FORM: tuple[tuple[str, str, str, bool], ...] = (
    ("name", "Name", "e.g. North", False),
    ("code", "Code (2 to 8 letters or digits; it starts the cluster's referral references)", "e.g. NTH", False),
    ("deadline_days", "Referral deadline: days before each meeting", "7", False),
    ("settings", "Settings, one per line", "Northfield Primary School", True),
    ("meetings", "Meeting days, one per line (YYYY-MM-DD; 09:30 to 13:00)", "2026-02-05", True),
    ("people", "People, one per line: Name, email, role, setting (the setting for a SENCO or delegate)", "", True),
)


def _row(summary: ClusterSummary) -> list[str]:
    """One cluster as a row: name (code), settings, people, meetings, channel."""
    return [
        f"{summary.name} ({summary.code})",
        str(summary.settings),
        str(summary.people),
        str(summary.meetings),
        "Linked" if summary.channel_linked else "Not linked",
    ]


def clusters_card(
    clusters: tuple[ClusterSummary, ...],
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """Every cluster (settings, people, meetings, whether its channel is linked) and the add form."""
    errors, values = errors or {}, values or {}
    body: list[dict[str, Any]] = [heading("Clusters")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if clusters:
        # Five columns would not fit a phone: the table gives each cluster a fact list instead.
        body.append(table(("Cluster", "Settings", "People", "Meetings", "Channel"), [_row(c) for c in clusters]))
    else:
        body.append(text("No clusters yet."))
    body.append(text("Add a cluster", weight="Bolder", size="Medium", separator=True))
    body.append(
        text(
            "People follow the roster's rules: a role is senco, delegate, chair, tac, admin, observer or officer.",
            subtle=True,
        )
    )
    for key, label, placeholder, multiline in FORM:
        field: dict[str, Any] = {
            "type": "Input.Text",
            "id": key,
            "label": label,
            "value": values.get(key, ""),
        }
        if placeholder:
            field["placeholder"] = placeholder
        if multiline:
            field["isMultiline"] = True
        elif key == "name":
            field["maxLength"] = NAME_MAX
        elif key == "code":
            field["maxLength"] = 8
            field["regex"] = CODE_RE.pattern
        body.append(field)
        if errors.get(key):
            body.append(text(errors[key], color="Attention"))
    return card(body, [execute("Add the cluster", verbs.CLUSTER_ADD)])
