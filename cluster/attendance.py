"""Who is at a cluster meeting: the register, recusals for an item, and the quorum taken from who is present.

The register is kept per person (a SENCO, a delegate, a substitute for one meeting, the chair, the team
around the cluster, anyone else by name); a setting is *present* while at least one person who may vote for
it is present. A setting whose SENCO sent apologies and that nobody attends is down as apologies; any other
setting is absent. Presence comes from the Teams meeting's join and leave events or from people saying so
("I'm here", the chair's roll call).

Before a vote opens, the quorum is checked against the settings present minus those recused for the item:
its own setting, its trust's settings where the cluster says so, and a setting whose every present voter
declared an interest. The number needed is the cluster's quorum (:func:`cluster.voting.quorum_needed`),
never more than the settings that could vote on the item at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cluster.voting import quorum_needed, same_trust


class Presence(StrEnum):
    """Where a person on the register stands."""

    PRESENT = "present"
    LEFT = "left"  # was present, has left (the Teams meeting's leave event, or the roll call)
    APOLOGIES = "apologies"


class AttendsAs(StrEnum):
    """In what capacity someone attends."""

    SENCO = "senco"
    DELEGATE = "delegate"
    SUBSTITUTE = "substitute"  # named by a SENCO to attend and vote for their setting at one meeting
    CHAIR = "chair"
    TEAM = "tac"  # the team around the cluster
    OFFICER = "officer"
    OBSERVER = "observer"  # the wider team: listed by the service they represent, never a voter
    OTHER = "other"  # anyone else, by name


ATTENDS_AS_TITLES: dict[AttendsAs, str] = {
    AttendsAs.SENCO: "SENCO",
    AttendsAs.DELEGATE: "Delegate",
    AttendsAs.SUBSTITUTE: "Substitute",
    AttendsAs.CHAIR: "Chair",
    AttendsAs.TEAM: "Team around the cluster",
    AttendsAs.OFFICER: "Council officer",
    AttendsAs.OBSERVER: "Observer",
    AttendsAs.OTHER: "Attendee",
}

# Those who may vote for a setting (one vote per setting, whoever of them gives it).
VOTES_FOR_SETTING = frozenset({AttendsAs.SENCO, AttendsAs.DELEGATE, AttendsAs.SUBSTITUTE})


class Standing(StrEnum):
    """A setting's line in the register."""

    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"


@dataclass(frozen=True)
class Attendee:
    """One person on a meeting's register.

    ``setting_id`` is the setting they attend for (None for the chair, the team, officers and others);
    ``person_id`` is None for someone known only by name (a dial-in guest).
    """

    name: str
    attends_as: AttendsAs
    presence: Presence
    setting_id: int | None = None
    person_id: int | None = None
    service: str = ""  # an observer's service (cluster.wider_team), read with the register

    @property
    def votes_for(self) -> int | None:
        """The setting this person, being present, may vote for; None if they vote for none."""
        if self.presence is Presence.PRESENT and self.attends_as in VOTES_FOR_SETTING:
            return self.setting_id
        return None


def settings_present(attendees: Iterable[Attendee]) -> frozenset[int]:
    """The settings at least one of whose voters is present."""
    return frozenset(s for a in attendees if (s := a.votes_for) is not None)


def standing(setting_id: int, attendees: Iterable[Attendee]) -> Standing:
    """A setting's line in the register: present, apologies (sent and nobody came), or absent."""
    mine = [a for a in attendees if a.setting_id == setting_id]
    if any(a.votes_for == setting_id for a in mine):
        return Standing.PRESENT
    if any(a.presence is Presence.APOLOGIES for a in mine):
        return Standing.APOLOGIES
    return Standing.ABSENT


class RecusedBecause(StrEnum):
    """Why a setting does not vote on an item."""

    OWN_REFERRAL = "its own referral"
    SAME_TRUST = "same trust as the referring school"
    INTEREST = "declared an interest"


@dataclass(frozen=True)
class ItemParties:
    """What decides who is recused on an item.

    The referring setting and its trust, the cluster's trust rule, and the people who declared an interest.
    """

    referral_setting_id: int
    referral_trust: str | None = None
    same_trust_recusal: bool = False
    interests: frozenset[int] = frozenset()


def recused(
    parties: ItemParties,
    trusts: Mapping[int, str | None],
    attendees: Iterable[Attendee],
) -> dict[int, RecusedBecause]:
    """Each setting of the cluster (``trusts`` keys) that does not vote on this item, and why.

    A setting is recused by interest only when every one of its present voters declared one: a delegate
    with no interest may still vote for a setting whose SENCO declared one.
    """
    voters: dict[int, set[int | None]] = {}
    for a in attendees:
        if (setting := a.votes_for) is not None:
            voters.setdefault(setting, set()).add(a.person_id)
    out: dict[int, RecusedBecause] = {}
    for setting_id, trust in trusts.items():
        if setting_id == parties.referral_setting_id:
            out[setting_id] = RecusedBecause.OWN_REFERRAL
        elif parties.same_trust_recusal and same_trust(trust, parties.referral_trust):
            out[setting_id] = RecusedBecause.SAME_TRUST
        elif (people := voters.get(setting_id)) and all(p in parties.interests for p in people):
            out[setting_id] = RecusedBecause.INTEREST
    return out


@dataclass(frozen=True)
class QuorumCheck:
    """The quorum for one item taken from who is present: '9 settings present, 2 recused: 7 may vote, 5 needed'."""

    present: int
    recused: int  # of those present
    needed: int

    @property
    def may_vote(self) -> int:
        """Settings present and not recused."""
        return self.present - self.recused

    @property
    def quorate(self) -> bool:
        """Whether enough settings that may vote are present for the item to be opened."""
        return self.may_vote >= self.needed

    def line(self) -> str:
        """The check as the chair reads it before opening the vote."""
        settings = "setting" if self.present == 1 else "settings"
        counts = f"{self.recused} recused: {self.may_vote} may vote, {self.needed} needed"
        return f"{self.present} {settings} present, {counts}"


def quorum_check(
    present: Iterable[int],
    recusals: Mapping[int, RecusedBecause],
    settings_in_cluster: int,
    quorum: int | None = None,
) -> QuorumCheck:
    """The quorum check for an item, from the settings present and those recused on it.

    The number needed is the cluster's quorum, but never more than the settings that could vote on the
    item at all (the cluster's settings less those recused by rule), so an item from a large trust is not
    made impossible to decide.
    """
    here = frozenset(present)
    could_vote = max(0, settings_in_cluster - len(recusals))
    needed = min(quorum_needed(settings_in_cluster, quorum), max(1, could_vote))
    return QuorumCheck(present=len(here), recused=len(here & frozenset(recusals)), needed=needed)


def not_voted(present: Iterable[int], recusals: Mapping[int, RecusedBecause], voted: Iterable[int]) -> frozenset[int]:
    """The present settings that may vote on the item and have not voted yet (the chair's reminder list)."""
    return frozenset(present) - frozenset(recusals) - frozenset(voted)


def not_quorate_refusal(check: QuorumCheck) -> str:
    """What the chair reads when an item cannot open."""
    return f"This item is not quorate: {check.line()}. Wait for more settings to join, or take the roll call."
