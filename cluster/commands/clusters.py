"""The clusters card's command: a council officer adds a cluster with its settings, meetings and people.

Every field is read as typed; the rules of a new cluster (:func:`cluster.new_cluster.read_new_cluster`)
and the roster's rules for people say what is wrong, beside the field, in the use case. The limits here
only bound what a card can carry: well above what those rules take, so their own sentences are said.
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster.commands.inputs import text


@dataclass(frozen=True, kw_only=True)
class AddCluster:
    """The add form: name, code, referral deadline (days), and settings, meeting days and people, one per line."""

    name: str = text("Name", required=False, max_length=1000)
    code: str = text("Code", required=False, max_length=100)
    deadline_days: str = text("Referral deadline", required=False, max_length=100)
    settings: str = text("Settings", required=False, max_length=100_000)
    meetings: str = text("Meeting days", required=False, max_length=20_000)
    people: str = text("People", required=False, max_length=100_000)
