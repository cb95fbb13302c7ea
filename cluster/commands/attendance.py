"""The meeting register's commands: "I'm here", apologies, the roll call, and substitutes for one meeting.

Each names its meeting by ``meeting_id``; the roll call's buttons name a setting of that meeting's cluster
too (a setting of another cluster is refused as the permission's own sentence, like a forged meeting).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluster.attendance import AttendsAs
from cluster.card_ids import MEETING_GONE, MeetingId
from cluster.commands.inputs import Source, choice, row_id, text

# What the roll call may say of a setting, and in what capacity someone may be added by name.
MARKS = ("present", "absent")
NAMED_AS = (AttendsAs.TEAM.value, AttendsAs.OTHER.value)
SETTING_GONE = "That setting is no longer in this cluster."


@dataclass(frozen=True, kw_only=True)
class SayHere:
    """Say "I'm here": the clicker is put on the meeting's register as present, in their capacity."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class SendApologies:
    """A SENCO or delegate sends their setting's apologies for a meeting (the meeting-morning post's button)."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class ShowRollCall:
    """The chair's or an admin's roll-call card for a meeting."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class MarkSetting:
    """The roll call marks a setting's SENCO (or delegate, or substitute) present or absent."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    setting_id: int = row_id(SETTING_GONE)
    presence: str = choice("Presence", MARKS, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class AddAttendee:
    """The roll call adds someone present by name: the team around the cluster, or anyone else."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    attendee_name: str = text("Name", "Type the attendee's name.", max_length=120)
    attends_as: str = choice("Attends as", NAMED_AS, "Choose how they attend.")


@dataclass(frozen=True, kw_only=True)
class ShowSubstituteForm:
    """The SENCO's card to name a substitute for their setting at a meeting (or withdraw the one named)."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class NameSubstitute:
    """A SENCO names a substitute: a person the bot knows, chosen from the list, or an e-mail address."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    substitute_person: int | None = row_id(required=False, key="substitute_person", source=Source.INPUT)
    substitute_email: str = text("E-mail address", required=False, max_length=254)
    substitute_name: str = text("Their name", required=False, max_length=120)


@dataclass(frozen=True, kw_only=True)
class WithdrawSubstitute:
    """A SENCO withdraws the substitute named for their setting at a meeting."""

    meeting_id: MeetingId = row_id(MEETING_GONE)


@dataclass(frozen=True, kw_only=True)
class ConfirmSubstitute:
    """A cluster admin confirms a substitute named by e-mail address for a setting at a meeting."""

    meeting_id: MeetingId = row_id(MEETING_GONE)
    setting_id: int = row_id(SETTING_GONE)
