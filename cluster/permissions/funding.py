"""The permission of the council's funding formula: recording each financial year's formula and changing it."""

from __future__ import annotations

from cluster.permissions.model import CO, Rows
from cluster.permissions.model import permission as _p

SET_FUNDING = _p(
    "the funding formula",
    "See and set the year's funding formula: the city's allocation, its parts and how each is shared",
    (CO,),
    Rows.NONE,
    "Only a council officer can see or set the funding formula.",
)
