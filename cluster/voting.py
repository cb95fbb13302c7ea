"""Votes at a meeting: who may vote on an item, ballots, quorum, the tally and the result.

One vote per setting, given by its SENCO or a delegate - or, at one meeting, by the substitute the SENCO
named for it, and then by nobody else of that setting; a second vote from the same setting replaces the
first while the vote is open. A setting does not vote on its own referral (nor, where the cluster turns
this on, on one from a setting of the same trust). The team around the cluster, admins and observers do not
vote, and a member who declared an interest in an item does not vote on it.

An item is quorate when enough settings have voted or abstained (by default half the cluster's settings,
rounded up). The outcome is a simple majority of the votes cast - abstentions are not cast - and the chair
has the casting vote on a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cluster.errors import Refusal
from cluster.roles import CITYWIDE_ROLES, SETTING_ROLES, Grant, Role

NOT_A_VOTER = "Only a setting's SENCO or delegate votes; the team around the cluster, admins and observers do not."
OWN_REFERRAL = "You cannot vote on your own school's referral."
SAME_TRUST = "You cannot vote on a referral from a school in your own trust."
DECLARED_INTEREST = "You declared an interest in this item, so you do not vote on it."
SUBSTITUTE_VOTES = "{name} is your setting's substitute at this meeting, so they vote for it."

# Who may give a setting's vote: its SENCO or delegate, or its substitute at one meeting.
VOTING_ROLES = SETTING_ROLES | {Role.SUBSTITUTE}


class Choice(StrEnum):
    """What a setting says on an item."""

    APPROVE = "approve"
    DECLINE = "decline"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Voter:
    """A person as the voting rules see them, within one cluster.

    ``roles`` are the roles the person holds in this cluster; ``setting_id`` is the setting they vote for
    (the one they are SENCO or delegate of; None if none) and ``trust`` that setting's trust, if any.
    """

    person_id: int
    roles: frozenset[Role]
    setting_id: int | None
    trust: str | None = None


def roles_in(grants: Iterable[Grant], cluster_id: int) -> frozenset[Role]:
    """The roles a person holds in a cluster: its cluster roles, setting roles at its settings, and citywide ones."""
    return frozenset(g.role for g in grants if g.role in CITYWIDE_ROLES or g.cluster_id == cluster_id)


def voting_setting(grants: Iterable[Grant], cluster_id: int) -> int | None:
    """The setting a person votes for in a cluster: the one they are SENCO or delegate of there.

    Someone who acts for two of the cluster's settings votes for the first (the lowest id), every time.
    """
    settings = [
        g.setting_id
        for g in grants
        if g.role in SETTING_ROLES and g.cluster_id == cluster_id and g.setting_id is not None
    ]
    return min(settings, default=None)


def substitute_setting(grants: Iterable[Grant], cluster_id: int, meeting_id: int) -> int | None:
    """The setting a person stands in for at this meeting of this cluster (None if they substitute for none)."""
    return min(
        (
            g.setting_id
            for g in grants
            if g.role is Role.SUBSTITUTE
            and g.meeting_id == meeting_id
            and g.cluster_id == cluster_id
            and g.setting_id is not None
        ),
        default=None,
    )


def setting_at_meeting(grants: Iterable[Grant], cluster_id: int, meeting_id: int) -> int | None:
    """The setting a person votes for at this meeting: the one they substitute for, else their own."""
    held = tuple(grants)
    standing_in = substitute_setting(held, cluster_id, meeting_id)
    return standing_in if standing_in is not None else voting_setting(held, cluster_id)


def voter_at_meeting(
    person_id: int,
    grants: Iterable[Grant],
    cluster_id: int,
    meeting_id: int,
    trusts: Mapping[int, str | None],
    substitutes: Mapping[int, str],
) -> Voter:
    """A person as the voting rules see them at one meeting, where some settings have a substitute.

    ``substitutes`` names, for each setting with a confirmed substitute at this meeting, who that is. A
    substitute votes for the setting they stand in for (at this meeting only); that setting's SENCO and
    delegates do not vote at this meeting, so the setting still has one vote.
    """
    held = frozenset(grants)
    standing_in = substitute_setting(held, cluster_id, meeting_id)
    if standing_in is not None:
        roles = roles_in(held, cluster_id) | {Role.SUBSTITUTE}
        return Voter(person_id, roles, standing_in, trusts.get(standing_in))
    own = voting_setting(held, cluster_id)
    if own is not None and own in substitutes:
        raise Refusal(SUBSTITUTE_VOTES.format(name=substitutes[own]))
    voter = voter_of(person_id, held, cluster_id, trusts)
    # A substitute's grant for another meeting gives no vote here.
    return Voter(voter.person_id, voter.roles - {Role.SUBSTITUTE}, voter.setting_id, voter.trust)


def voter_of(person_id: int, grants: Iterable[Grant], cluster_id: int, trusts: Mapping[int, str | None]) -> Voter:
    """A person as the voting rules see them in a cluster, from the grants read at the start of their turn.

    ``trusts`` gives the trust of each of the cluster's settings (None for a setting in no trust).
    """
    held = frozenset(grants)
    setting = voting_setting(held, cluster_id)
    return Voter(person_id, roles_in(held, cluster_id), setting, trusts.get(setting) if setting else None)


@dataclass(frozen=True)
class Item:
    """An agenda item being voted on, as the voting rules see it.

    ``same_trust_recusal`` is the cluster's switch that stops settings of the referring school's trust from
    voting; ``interests`` holds the ids of the people who declared an interest in this item.
    """

    referral_setting_id: int
    referral_trust: str | None = None
    same_trust_recusal: bool = False
    interests: frozenset[int] = frozenset()


def same_trust(a: str | None, b: str | None) -> bool:
    """Whether two trust names name the same trust (ignoring case and spacing); no trust matches nothing."""
    if not a or not b:
        return False
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_can_vote(voter: Voter, item: Item) -> int:
    """The id of the setting this person's vote counts for on this item; refuses when they may not vote.

    The checks, in order: a declared interest; holding a setting role (SENCO, delegate, or substitute at
    this meeting - see :func:`voter_at_meeting`) with a setting -
    other roles held alongside one, such as chair, do not stop a person voting for their setting; the
    item being the setting's own referral; and, where the cluster turns it on, the same trust.
    """
    if voter.person_id in item.interests:
        raise Refusal(DECLARED_INTEREST)
    if voter.setting_id is None or not (voter.roles & VOTING_ROLES):
        raise Refusal(NOT_A_VOTER)
    if voter.setting_id == item.referral_setting_id:
        raise Refusal(OWN_REFERRAL)
    if item.same_trust_recusal and same_trust(voter.trust, item.referral_trust):
        raise Refusal(SAME_TRUST)
    return voter.setting_id


@dataclass(frozen=True)
class Ballot:
    """One setting's vote on one item, and the person who gave it."""

    setting_id: int
    person_id: int
    choice: Choice


def cast(ballots: Mapping[int, Ballot], ballot: Ballot) -> dict[int, Ballot]:
    """The ballots keyed by setting once this one is cast: it replaces any earlier one from its setting.

    The mapping given is not changed; a new dict is returned.
    """
    updated = dict(ballots)
    updated[ballot.setting_id] = ballot
    return updated


def quorum_needed(settings_in_cluster: int, quorum: int | None = None) -> int:
    """How many settings must vote or abstain for an item to be decided.

    By default half the settings, rounded up. A cluster's configured quorum is used as given, but never
    more than the number of settings; either way at least one.
    """
    if settings_in_cluster < 0:
        raise ValueError("a cluster cannot have a negative number of settings")
    needed = -(-settings_in_cluster // 2) if quorum is None else min(quorum, settings_in_cluster)
    return max(1, needed)


@dataclass(frozen=True)
class Tally:
    """The count on one item: votes for and against, abstentions, who took part and the quorum."""

    approve: int
    decline: int
    abstain: int
    settings_voted: frozenset[int]
    needed: int

    @property
    def cast_votes(self) -> int:
        """Votes cast: for and against; abstentions are not cast."""
        return self.approve + self.decline

    @property
    def turnout(self) -> int:
        """The number of settings that voted or abstained."""
        return len(self.settings_voted)

    @property
    def quorate(self) -> bool:
        """Whether enough settings took part for the item to be decided."""
        return self.turnout >= self.needed


def quorum_line(t: Tally) -> str:
    """The quorum as people say it: '4 voted, 3 needed'.

    'Voted' counts every setting that took part, abstentions included, as the quorum does.
    """
    return f"{t.turnout} voted, {t.needed} needed"


def tally(ballots: Iterable[Ballot], needed: int) -> Tally:
    """Count the ballots; if one setting appears more than once, its last ballot counts."""
    by_setting: dict[int, Ballot] = {}
    for ballot in ballots:
        by_setting = cast(by_setting, ballot)
    choices = [b.choice for b in by_setting.values()]
    return Tally(
        approve=choices.count(Choice.APPROVE),
        decline=choices.count(Choice.DECLINE),
        abstain=choices.count(Choice.ABSTAIN),
        settings_voted=frozenset(by_setting),
        needed=needed,
    )


class Result(StrEnum):
    """What the vote on an item comes to."""

    APPROVED = "approved"
    DECLINED = "declined"
    TIE = "tie"
    NOT_QUORATE = "not_quorate"
    NO_VOTES = "no_votes"


RESULT_TITLES: dict[Result, str] = {  # how a result is named on cards and in minutes
    Result.APPROVED: "Approved",
    Result.DECLINED: "Declined",
    Result.TIE: "Tied",
    Result.NOT_QUORATE: "Not quorate",
    Result.NO_VOTES: "No votes cast",
}


def result(t: Tally, casting: Choice | None = None) -> Result:
    """The result by a simple majority of the votes cast, the chair's casting vote breaking a tie.

    Not quorate is not quorate whatever the votes. Quorate with every setting abstaining is NO_VOTES. A tie
    stays a TIE until the chair casts APPROVE or DECLINE; the casting vote is ignored otherwise.
    """
    if not t.quorate:
        return Result.NOT_QUORATE
    if t.cast_votes == 0:
        return Result.NO_VOTES
    if t.approve > t.decline:
        return Result.APPROVED
    if t.decline > t.approve:
        return Result.DECLINED
    if casting == Choice.APPROVE:
        return Result.APPROVED
    if casting == Choice.DECLINE:
        return Result.DECLINED
    return Result.TIE
