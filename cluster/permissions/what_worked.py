"""The permissions of ``what worked`` (issue 21): searching the record, and the council's consent to share it.

What a search shows is figures and advice about groups of five or more referrals, never a pupil, a
referral, a setting or a person, so neither permission holds pupil data.
"""

from __future__ import annotations

from cluster.permissions.model import CO, C, Rows, S, T
from cluster.permissions.model import permission as _p

WHAT_WORKED = _p(
    "what worked",
    "Search what worked: funded provisions with their review outcomes, and peers' advice (groups of five or more)",
    (S, C, T, CO),
    Rows.CLUSTER,
    "Only SENCOs, chairs, the team around the cluster and council officers can search what worked.",
)
SHARE_WHAT_WORKED = _p(
    "share what worked",
    "Give or withdraw the council's consent for a cluster's record of what worked to be searched citywide",
    (CO,),
    Rows.CLUSTER,
    "Only a council officer can give or withdraw the council's consent to share what worked.",
)
