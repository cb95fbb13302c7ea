"""The permissions of the council's Costed Provision Document: loading a version and seeing the versions."""

from __future__ import annotations

from cluster.permissions.model import CO, Rows
from cluster.permissions.model import permission as _p

LOAD_PROVISION_DOCUMENT = _p(
    "load the provision document",
    "Load a new version of the council's Costed Provision Document (CSV or XLSX) and see every version",
    (CO,),
    Rows.NONE,
    "Only a council officer can load the Costed Provision Document.",
)
