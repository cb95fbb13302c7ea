"""The commands of ``what worked``: a search of the record, and the council's consent for a cluster to share it."""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import Source, choice, row_id, text
from cluster.referrals.forms import AREAS_OF_NEED, NEED_CODES
from cluster.what_worked import YEAR_BANDS, Scope

SHARE_CHOICES = ("on", "off")


@dataclass(frozen=True, kw_only=True)
class SearchWhatWorked:
    """Search what worked: by area of need, need code, year group band, provision and words (all optional).

    Typed as ``what worked speech and language``, the words after the command are the free text.
    """

    area_of_need: str = choice("Area of need", tuple(c for c, _ in AREAS_OF_NEED), required=False)
    need_code: str = choice("Need code", tuple(c for c, _ in NEED_CODES), required=False)
    year_band: str = choice("Year group band", tuple(c for c, _ in YEAR_BANDS), required=False)
    provision: str = text("Provision", required=False, max_length=200)
    text: str = text("Words to find", required=False, max_length=300)
    scope: str = choice("Whose record", tuple(s.value for s in Scope), required=False)


@dataclass(frozen=True, kw_only=True)
class SetSharing:
    """A council officer gives (``on``) or withdraws (``off``) the council's consent for a cluster to share."""

    cluster_id: int = row_id("Choose a cluster.", source=Source.INPUT)
    share: str = choice("Share", SHARE_CHOICES, source=Source.DATA)
