"""The voting rules on their own: who votes, one vote per setting, quorum, majority and the casting vote."""

from __future__ import annotations

import pytest

from cluster.errors import Refusal
from cluster.roles import Grant, Role
from cluster.voting import (
    Ballot,
    Choice,
    Item,
    Result,
    Tally,
    Voter,
    cast,
    check_can_vote,
    quorum_line,
    quorum_needed,
    result,
    roles_in,
    tally,
    voter_of,
    voting_setting,
)

REFERRING_SETTING = 10


def senco(person: int = 1, setting: int = 20, trust: str | None = None, *extra: Role) -> Voter:
    return Voter(person, frozenset({Role.SENCO, *extra}), setting, trust)


def item(trust: str | None = None, recusal: bool = False, interests: frozenset[int] = frozenset()) -> Item:
    return Item(REFERRING_SETTING, trust, recusal, interests)


def ballots(*choices: Choice) -> list[Ballot]:
    return [Ballot(setting, 100 + setting, choice) for setting, choice in enumerate(choices, start=1)]


# Who votes


def test_a_senco_votes_for_their_setting() -> None:
    assert check_can_vote(senco(setting=20), item()) == 20


def test_a_delegate_votes_for_their_setting() -> None:
    assert check_can_vote(Voter(2, frozenset({Role.DELEGATE}), 21, None), item()) == 21


def test_a_chair_who_is_also_a_senco_votes_for_their_setting() -> None:
    assert check_can_vote(senco(3, 22, None, Role.CHAIR), item()) == 22


@pytest.mark.parametrize(
    "role", [Role.TEAM_AROUND_CLUSTER, Role.ADMIN, Role.OBSERVER, Role.CHAIR, Role.COUNCIL_OFFICER]
)
def test_the_team_around_the_cluster_admins_and_observers_do_not_vote(role: Role) -> None:
    with pytest.raises(Refusal) as refused:
        check_can_vote(Voter(4, frozenset({role}), None, None), item())
    assert refused.value.message == (
        "Only a setting's SENCO or delegate votes; the team around the cluster, admins and observers do not."
    )


def test_a_setting_role_without_a_setting_does_not_vote() -> None:
    with pytest.raises(Refusal, match="Only a setting's SENCO or delegate votes"):
        check_can_vote(Voter(5, frozenset({Role.SENCO}), None, None), item())


def test_a_setting_named_without_a_setting_role_does_not_vote() -> None:
    with pytest.raises(Refusal, match="Only a setting's SENCO or delegate votes"):
        check_can_vote(Voter(5, frozenset({Role.OBSERVER}), 20, None), item())


def test_a_school_cannot_vote_on_its_own_referral() -> None:
    with pytest.raises(Refusal) as refused:
        check_can_vote(senco(setting=REFERRING_SETTING), item())
    assert refused.value.message == "You cannot vote on your own school's referral."


def test_a_school_cannot_vote_on_one_from_its_own_trust_where_the_cluster_says_so() -> None:
    with pytest.raises(Refusal) as refused:
        check_can_vote(senco(trust="Potteries Learning Trust"), item("Potteries Learning Trust", recusal=True))
    assert refused.value.message == "You cannot vote on a referral from a school in your own trust."


def test_the_same_trust_is_recognised_whatever_the_case_and_spacing() -> None:
    with pytest.raises(Refusal, match="your own trust"):
        check_can_vote(senco(trust="potteries  learning trust "), item("Potteries Learning Trust", recusal=True))


def test_a_school_may_vote_on_one_from_its_own_trust_where_the_cluster_does_not_turn_this_on() -> None:
    assert check_can_vote(senco(trust="Potteries Learning Trust"), item("Potteries Learning Trust")) == 20


def test_schools_outside_any_trust_are_not_of_the_same_trust() -> None:
    assert check_can_vote(senco(trust=None), item(None, recusal=True)) == 20
    assert check_can_vote(senco(trust="Potteries Learning Trust"), item(None, recusal=True)) == 20
    assert check_can_vote(senco(trust=None), item("Potteries Learning Trust", recusal=True)) == 20


def test_a_school_in_another_trust_votes_when_the_cluster_turns_recusal_on() -> None:
    assert check_can_vote(senco(trust="Trent Valley Trust"), item("Potteries Learning Trust", recusal=True)) == 20


def test_a_member_who_declared_an_interest_does_not_vote_on_that_item() -> None:
    with pytest.raises(Refusal) as refused:
        check_can_vote(senco(person=7), item(interests=frozenset({7})))
    assert refused.value.message == "You declared an interest in this item, so you do not vote on it."


def test_a_declared_interest_is_the_reason_given_first() -> None:
    with pytest.raises(Refusal, match="declared an interest"):
        check_can_vote(senco(person=7, setting=REFERRING_SETTING), item(interests=frozenset({7})))
    with pytest.raises(Refusal, match="declared an interest"):
        check_can_vote(Voter(7, frozenset({Role.OBSERVER}), None, None), item(interests=frozenset({7})))


def test_someone_elses_declared_interest_does_not_stop_a_member_voting() -> None:
    assert check_can_vote(senco(person=1), item(interests=frozenset({7}))) == 20


def test_its_own_referral_is_the_reason_given_before_the_trust() -> None:
    with pytest.raises(Refusal, match="own school's referral"):
        check_can_vote(senco(setting=REFERRING_SETTING, trust="T"), item("T", recusal=True))


# One vote per setting


def test_a_vote_is_kept_under_its_setting() -> None:
    votes = cast({}, Ballot(20, 1, Choice.APPROVE))
    assert votes == {20: Ballot(20, 1, Choice.APPROVE)}


def test_a_second_vote_from_the_same_setting_replaces_the_first() -> None:
    votes = cast({}, Ballot(20, 1, Choice.APPROVE))
    votes = cast(votes, Ballot(20, 2, Choice.DECLINE))  # the delegate, after the SENCO
    assert votes == {20: Ballot(20, 2, Choice.DECLINE)}


def test_votes_from_different_settings_are_all_kept() -> None:
    votes = cast(cast({}, Ballot(20, 1, Choice.APPROVE)), Ballot(21, 2, Choice.DECLINE))
    assert set(votes) == {20, 21}


def test_casting_a_vote_does_not_change_the_ballots_it_was_given() -> None:
    before = {20: Ballot(20, 1, Choice.APPROVE)}
    cast(before, Ballot(20, 1, Choice.DECLINE))
    assert before == {20: Ballot(20, 1, Choice.APPROVE)}


def test_the_tally_counts_one_vote_per_setting_the_last_one_given() -> None:
    t = tally([Ballot(20, 1, Choice.APPROVE), Ballot(20, 2, Choice.DECLINE), Ballot(21, 3, Choice.APPROVE)], 1)
    assert (t.approve, t.decline, t.abstain) == (1, 1, 0)
    assert t.settings_voted == frozenset({20, 21})


# Quorum


@pytest.mark.parametrize(("settings", "needed"), [(1, 1), (2, 1), (5, 3), (6, 3), (7, 4), (12, 6), (13, 7)])
def test_quorum_is_half_the_settings_rounded_up_by_default(settings: int, needed: int) -> None:
    assert quorum_needed(settings) == needed


def test_a_cluster_can_set_its_own_quorum() -> None:
    assert quorum_needed(12, quorum=4) == 4
    assert quorum_needed(12, quorum=9) == 9


def test_a_configured_quorum_is_never_more_than_the_settings_in_the_cluster() -> None:
    assert quorum_needed(5, quorum=8) == 5


def test_a_quorum_is_at_least_one() -> None:
    assert quorum_needed(0) == 1
    assert quorum_needed(6, quorum=0) == 1


def test_a_cluster_cannot_have_a_negative_number_of_settings() -> None:
    with pytest.raises(ValueError):
        quorum_needed(-1)


def test_abstentions_count_towards_the_quorum() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.ABSTAIN, Choice.ABSTAIN), needed=3)
    assert t.turnout == 3
    assert t.quorate
    assert t.cast_votes == 1


def test_an_item_without_enough_settings_taking_part_is_not_quorate() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.APPROVE), needed=3)
    assert not t.quorate
    assert result(t) == Result.NOT_QUORATE


def test_not_quorate_stands_whatever_the_casting_vote() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.DECLINE), needed=3)
    assert result(t, casting=Choice.APPROVE) == Result.NOT_QUORATE


# The result


def test_the_outcome_is_a_simple_majority_of_votes_cast() -> None:
    assert result(tally(ballots(Choice.APPROVE, Choice.APPROVE, Choice.DECLINE), 3)) == Result.APPROVED
    assert result(tally(ballots(Choice.DECLINE, Choice.DECLINE, Choice.APPROVE), 3)) == Result.DECLINED


def test_abstentions_are_not_votes_cast() -> None:
    # One for, none against, three abstaining: carried.
    t = tally(ballots(Choice.APPROVE, Choice.ABSTAIN, Choice.ABSTAIN, Choice.ABSTAIN), 3)
    assert result(t) == Result.APPROVED


def test_an_equal_number_for_and_against_is_a_tie() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.DECLINE, Choice.ABSTAIN), 3)
    assert result(t) == Result.TIE


def test_the_chair_breaks_a_tie_with_the_casting_vote() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.DECLINE, Choice.APPROVE, Choice.DECLINE), 3)
    assert result(t, casting=Choice.APPROVE) == Result.APPROVED
    assert result(t, casting=Choice.DECLINE) == Result.DECLINED


def test_a_casting_vote_to_abstain_leaves_the_tie() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.DECLINE), 2)
    assert result(t, casting=Choice.ABSTAIN) == Result.TIE


def test_the_casting_vote_only_counts_on_a_tie() -> None:
    t = tally(ballots(Choice.APPROVE, Choice.APPROVE, Choice.DECLINE), 3)
    assert result(t, casting=Choice.DECLINE) == Result.APPROVED


def test_a_quorate_item_where_everyone_abstained_has_no_votes() -> None:
    t = tally(ballots(Choice.ABSTAIN, Choice.ABSTAIN, Choice.ABSTAIN), 3)
    assert t.quorate
    assert result(t) == Result.NO_VOTES
    assert result(t, casting=Choice.APPROVE) == Result.NO_VOTES


def test_a_tally_reports_its_figures() -> None:
    t = Tally(approve=4, decline=2, abstain=1, settings_voted=frozenset(range(7)), needed=6)
    assert (t.cast_votes, t.turnout, t.quorate) == (6, 7, True)


def test_no_ballots_at_all_are_not_quorate() -> None:
    t = tally([], quorum_needed(6))
    assert (t.approve, t.decline, t.abstain, t.turnout) == (0, 0, 0, 0)
    assert result(t) == Result.NOT_QUORATE


def test_the_quorum_line_reads_as_people_say_it_counting_abstentions_as_the_quorum_does() -> None:
    ballots = [Ballot(1, 1, Choice.APPROVE), Ballot(2, 2, Choice.DECLINE), Ballot(3, 3, Choice.ABSTAIN)]
    counted = tally([*ballots, Ballot(4, 4, Choice.ABSTAIN)], needed=3)
    assert quorum_line(counted) == "4 voted, 3 needed"
    assert counted.quorate
    assert quorum_line(tally(ballots[:2], needed=3)) == "2 voted, 3 needed"


# --- a voter from the grants read at the start of their turn ---------------------------------------------

CENTRAL, NORTH = 1, 2
ETRUSCAN, WATERSIDE, NORTH_PRIMARY = 20, 21, 30


def grant(role: Role, cluster_id: int | None = None, setting_id: int | None = None) -> Grant:
    return Grant(role, cluster_id=cluster_id, setting_id=setting_id)


def test_a_senco_votes_for_their_own_setting_in_its_cluster() -> None:
    assert voting_setting({grant(Role.SENCO, CENTRAL, ETRUSCAN)}, CENTRAL) == ETRUSCAN


def test_a_senco_has_no_vote_in_another_cluster() -> None:
    assert voting_setting({grant(Role.SENCO, NORTH, NORTH_PRIMARY)}, CENTRAL) is None


def test_someone_who_acts_for_two_settings_votes_for_the_first_every_time() -> None:
    grants = {grant(Role.DELEGATE, CENTRAL, WATERSIDE), grant(Role.SENCO, CENTRAL, ETRUSCAN)}
    assert voting_setting(grants, CENTRAL) == ETRUSCAN


def test_a_chair_has_no_setting_to_vote_for() -> None:
    assert voting_setting({grant(Role.CHAIR, CENTRAL)}, CENTRAL) is None


def test_the_roles_held_in_a_cluster_are_its_own_and_the_citywide_ones() -> None:
    grants = {grant(Role.SENCO, CENTRAL, ETRUSCAN), grant(Role.CHAIR, NORTH), grant(Role.COUNCIL_OFFICER)}
    assert roles_in(grants, CENTRAL) == {Role.SENCO, Role.COUNCIL_OFFICER}
    assert roles_in(grants, NORTH) == {Role.CHAIR, Role.COUNCIL_OFFICER}


def test_a_voter_carries_their_settings_trust_so_same_trust_recusal_applies() -> None:
    voter = voter_of(7, {grant(Role.SENCO, CENTRAL, ETRUSCAN)}, CENTRAL, {ETRUSCAN: "Ember Trust", WATERSIDE: None})
    assert voter == Voter(7, frozenset({Role.SENCO}), ETRUSCAN, "Ember Trust")
    with pytest.raises(Refusal, match="your own trust"):
        check_can_vote(voter, Item(WATERSIDE, "Ember  trust", same_trust_recusal=True))


def test_a_chair_who_is_also_a_senco_elsewhere_does_not_vote_here() -> None:
    grants = {grant(Role.CHAIR, CENTRAL), grant(Role.SENCO, NORTH, NORTH_PRIMARY)}
    voter = voter_of(7, grants, CENTRAL, {})
    assert voter.setting_id is None
    with pytest.raises(Refusal, match="Only a setting's SENCO or delegate votes"):
        check_can_vote(voter, Item(REFERRING_SETTING))
