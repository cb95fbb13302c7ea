"""A meeting's register as people read it: each setting's line, the others present by name, the substitutes.

Built from the register's rows (:mod:`cluster.attendance` says who is present, and a setting's standing);
drawn by the roll-call card and the minutes. It names adults only (SENCOs, delegates, substitutes, the
chair, the team around the cluster), never a pupil, so it may be shown in the cluster's channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cluster.attendance import (
    ATTENDS_AS_TITLES,
    VOTES_FOR_SETTING,
    Attendee,
    AttendsAs,
    Presence,
    Standing,
    standing,
)
from cluster.meetings import MeetingSlot
from cluster.wider_team import by_service

STANDING_TITLES: dict[Standing, str] = {
    Standing.PRESENT: "Present",
    Standing.APOLOGIES: "Apologies",
    Standing.ABSENT: "Absent",
}


@dataclass(frozen=True)
class QuorumRecord:
    """What an item keeps of its vote's register (``AgendaItem.quorum_record``): present, recused and why, the line."""

    present: tuple[str, ...] = ()
    recused: tuple[tuple[str, str], ...] = ()  # (setting, why)
    line: str = ""

    @classmethod
    def read(cls, kept: Mapping[str, Any] | None) -> QuorumRecord | None:
        """The record as stored (None when the item keeps none); what is not of the stored shape is left out."""
        if not kept:
            return None
        present = kept.get("present")
        recused = kept.get("recused")
        line = kept.get("line")
        return cls(
            tuple(str(s) for s in present) if isinstance(present, list) else (),
            tuple((str(k), str(v)) for k, v in recused.items()) if isinstance(recused, dict) else (),
            line if isinstance(line, str) else "",
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The minutes' lines for the item: the settings present for its vote, those recused and why, the quorum."""
        return [
            ("Present for the vote", _names(self.present)),
            ("Recused", _names(f"{setting} ({why})" for setting, why in self.recused)),
            ("Quorum at the vote", self.line or "Not recorded"),
        ]


def _names(names: Iterable[str]) -> str:
    return ", ".join(names) or "None"


def with_capacity(attendee: Attendee) -> str:
    """'Sam Senco (SENCO)': a person on the register and the capacity they attend in."""
    return f"{attendee.name} ({ATTENDS_AS_TITLES[attendee.attends_as]})"


@dataclass(frozen=True)
class SettingLine:
    """One setting's line: present (by whom, in what capacity), apologies, or absent; and its substitute."""

    setting_id: int
    setting: str
    standing: Standing
    by: tuple[str, ...] = ()  # who is present for it, each with their capacity
    substitute: str = ""  # the substitute named for this meeting, as the register shows them

    def line(self) -> str:
        """'Present: Sam Senco (SENCO)', 'Apologies', 'Absent'."""
        title = STANDING_TITLES[self.standing]
        return f"{title}: {', '.join(self.by)}" if self.by else title


@dataclass(frozen=True)
class Register:
    """Every setting's line, in the settings' order, and everyone else present, by name."""

    settings: tuple[SettingLine, ...]
    others: tuple[str, ...]  # the chair, the team around the cluster, officers and guests present
    wider_team: tuple[str, ...] = ()  # observers present, by service: 'Health: Dr Ann Lee' (cluster.wider_team)

    def settings_with(self, wanted: Standing) -> tuple[str, ...]:
        """The names of the settings whose line is ``wanted``."""
        return tuple(s.setting for s in self.settings if s.standing is wanted)

    @property
    def substitutes(self) -> tuple[str, ...]:
        """'Etruscan Primary School: Sue Stand-in (confirmed)', one for each setting that named a substitute."""
        return tuple(f"{s.setting}: {s.substitute}" for s in self.settings if s.substitute)

    def summary(self) -> str:
        """'5 settings present, 1 with apologies, 2 absent'."""
        present = len(self.settings_with(Standing.PRESENT))
        noun = "setting" if present == 1 else "settings"
        apologies = len(self.settings_with(Standing.APOLOGIES))
        absent = len(self.settings_with(Standing.ABSENT))
        return f"{present} {noun} present, {apologies} with apologies, {absent} absent"


def register_of(
    names: Mapping[int, str], attendees: Iterable[Attendee], substitutes: Mapping[int, str] | None = None
) -> Register:
    """The register from its rows: ``names`` is each setting of the cluster (in the order shown).

    ``substitutes`` says, for each setting that named one, how its substitute is shown.
    """
    people = list(attendees)
    subs = substitutes or {}
    lines = []
    for setting_id, name in names.items():
        by = tuple(
            with_capacity(a)
            for a in people
            if a.setting_id == setting_id and a.presence is Presence.PRESENT and a.attends_as in VOTES_FOR_SETTING
        )
        lines.append(SettingLine(setting_id, name, standing(setting_id, people), by, subs.get(setting_id, "")))
    others = tuple(
        with_capacity(a)
        for a in people
        if a.presence is Presence.PRESENT
        and a.attends_as is not AttendsAs.OBSERVER
        and (a.attends_as not in VOTES_FOR_SETTING or a.setting_id not in names)
    )
    observers = [
        (a.service, a.name) for a in people if a.presence is Presence.PRESENT and a.attends_as is AttendsAs.OBSERVER
    ]
    return Register(tuple(lines), others, tuple(by_service(observers)))


@dataclass(frozen=True)
class RollCall:
    """A meeting's roll call as the chair or an admin sees it."""

    meeting_id: int
    cluster: str
    meeting: MeetingSlot
    register: Register
    open: bool  # the meeting has not ended (nor been cancelled): the register can still change


@dataclass(frozen=True)
class SubstituteForm:
    """The SENCO's substitute card: the meeting, their setting, who is named now, and whom they may choose."""

    meeting_id: int
    cluster: str
    meeting: MeetingSlot
    setting: str
    current: str  # as the register shows them ("" when none is named)
    choices: tuple[tuple[int, str], ...]  # (person id, name)


def attendance_pairs(register: Register) -> list[tuple[str, str]]:
    """The minutes' attendance: settings present (by whom), with apologies, absent; substitutes; others present."""
    present = [f"{s.setting}: {', '.join(s.by)}" for s in register.settings if s.standing is Standing.PRESENT]
    return [
        ("Settings present", "; ".join(present) or "None recorded"),
        ("Apologies", _names(register.settings_with(Standing.APOLOGIES))),
        ("Absent", _names(register.settings_with(Standing.ABSENT))),
        ("Substitutes", _names(register.substitutes)),
        ("Also present", _names(register.others)),
        *([("Wider team, by service", "; ".join(register.wider_team))] if register.wider_team else []),
    ]
