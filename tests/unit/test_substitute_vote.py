"""A substitute's vote: for their setting, at their one meeting only; the setting's own voters then do not vote."""

from __future__ import annotations

import pytest

from cluster.errors import Refusal
from cluster.roles import Grant, Role
from cluster.voting import (
    Item,
    check_can_vote,
    setting_at_meeting,
    substitute_setting,
    voter_at_meeting,
)

CLUSTER, MEETING, OTHER_MEETING = 1, 10, 11
OWN, STOOD_IN_FOR, REFERRING = 100, 200, 300
TRUSTS: dict[int, str | None] = {OWN: None, STOOD_IN_FOR: None, REFERRING: None}
SENCO = Grant(Role.SENCO, cluster_id=CLUSTER, setting_id=OWN)
SUBSTITUTE = Grant(Role.SUBSTITUTE, cluster_id=CLUSTER, setting_id=STOOD_IN_FOR, meeting_id=MEETING)
TEAM = Grant(Role.TEAM_AROUND_CLUSTER, cluster_id=CLUSTER)
ITEM = Item(REFERRING)


def test_a_substitute_votes_for_the_setting_they_stand_in_for_at_their_meeting() -> None:
    voter = voter_at_meeting(7, [TEAM, SUBSTITUTE], CLUSTER, MEETING, TRUSTS, {STOOD_IN_FOR: "Theo Team"})
    assert check_can_vote(voter, ITEM) == STOOD_IN_FOR
    assert setting_at_meeting([TEAM, SUBSTITUTE], CLUSTER, MEETING) == STOOD_IN_FOR


def test_at_another_meeting_the_substitute_has_no_vote() -> None:
    assert substitute_setting([SUBSTITUTE], CLUSTER, OTHER_MEETING) is None
    voter = voter_at_meeting(7, [TEAM, SUBSTITUTE], CLUSTER, OTHER_MEETING, TRUSTS, {})
    with pytest.raises(Refusal, match="Only a setting's SENCO or delegate votes"):
        check_can_vote(voter, ITEM)


def test_a_senco_whose_setting_has_a_substitute_at_this_meeting_is_refused_with_who_votes() -> None:
    with pytest.raises(Refusal) as refused:
        voter_at_meeting(8, [SENCO], CLUSTER, MEETING, TRUSTS, {OWN: "Theo Team"})
    assert str(refused.value) == "Theo Team is your setting's substitute at this meeting, so they vote for it."


def test_a_senco_votes_as_before_where_their_setting_has_no_substitute() -> None:
    voter = voter_at_meeting(8, [SENCO], CLUSTER, MEETING, TRUSTS, {STOOD_IN_FOR: "Theo Team"})
    assert check_can_vote(voter, ITEM) == OWN


def test_a_substitute_does_not_vote_on_the_referral_of_the_setting_they_stand_in_for() -> None:
    voter = voter_at_meeting(7, [SUBSTITUTE], CLUSTER, MEETING, TRUSTS, {STOOD_IN_FOR: "Theo Team"})
    with pytest.raises(Refusal, match="your own school's referral"):
        check_can_vote(voter, Item(STOOD_IN_FOR))
