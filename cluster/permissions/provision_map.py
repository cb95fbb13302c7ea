"""Permissions of the provision map priced from the council's Costed Provision Document (issue 21)."""

from __future__ import annotations

from cluster.permissions.model import CO, A, D, Rows, S
from cluster.permissions.model import permission as _p

FIND_PROVISION = _p(
    "find a provision",
    "Search the council's Costed Provision Document for a provision, as you type in a provision map's row",
    (S, D, A, CO),
    Rows.NONE,  # the document is the council's price list, the same for every cluster: no row of anyone's
    "Only a setting's SENCO or delegate, a cluster's admin or a council officer can search the provision document.",
)
