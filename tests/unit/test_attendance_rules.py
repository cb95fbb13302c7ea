"""The register, recusals and the quorum taken from who is present (cluster.attendance)."""

from __future__ import annotations

from cluster.attendance import (
    Attendee,
    AttendsAs,
    ItemParties,
    Presence,
    RecusedBecause,
    Standing,
    not_quorate_refusal,
    not_voted,
    quorum_check,
    recused,
    settings_present,
    standing,
)

TRUSTS: dict[int, str | None] = {1: "Learning Trust", 2: "learning  trust", 3: None, 4: None, 5: None, 6: None}


def _here(setting: int, person: int, as_: AttendsAs = AttendsAs.SENCO) -> Attendee:
    return Attendee(f"P{person}", as_, Presence.PRESENT, setting, person)


def test_a_setting_is_present_while_one_of_its_voters_is_there() -> None:
    people = [_here(1, 10), _here(1, 11, AttendsAs.DELEGATE), Attendee("P12", AttendsAs.SENCO, Presence.LEFT, 2, 12)]

    assert settings_present(people) == {1}


def test_the_team_around_the_cluster_and_guests_do_not_make_a_setting_present() -> None:
    people = [
        Attendee("Ana", AttendsAs.TEAM, Presence.PRESENT, None, 20),
        Attendee("Dial-in guest", AttendsAs.OTHER, Presence.PRESENT),
    ]

    assert settings_present(people) == frozenset()


def test_a_substitute_makes_their_setting_present() -> None:
    assert settings_present([_here(3, 30, AttendsAs.SUBSTITUTE)]) == {3}


def test_a_setting_whose_senco_sent_apologies_and_nobody_came_is_down_as_apologies() -> None:
    people = [Attendee("P10", AttendsAs.SENCO, Presence.APOLOGIES, 1, 10)]

    assert standing(1, people) is Standing.APOLOGIES
    assert standing(2, people) is Standing.ABSENT


def test_apologies_give_way_to_a_colleague_who_came() -> None:
    people = [Attendee("P10", AttendsAs.SENCO, Presence.APOLOGIES, 1, 10), _here(1, 13, AttendsAs.SUBSTITUTE)]

    assert standing(1, people) is Standing.PRESENT


def test_the_referring_setting_is_recused_on_its_own_referral() -> None:
    assert recused(ItemParties(3), TRUSTS, []) == {3: RecusedBecause.OWN_REFERRAL}


def test_settings_of_the_same_trust_are_recused_only_where_the_cluster_says_so() -> None:
    parties = ItemParties(1, "Learning Trust", same_trust_recusal=True)

    assert recused(parties, TRUSTS, []) == {1: RecusedBecause.OWN_REFERRAL, 2: RecusedBecause.SAME_TRUST}
    assert recused(ItemParties(1, "Learning Trust"), TRUSTS, []) == {1: RecusedBecause.OWN_REFERRAL}


def test_a_setting_is_recused_by_interest_only_when_every_voter_present_for_it_declared_one() -> None:
    senco_only = [_here(4, 40)]
    with_delegate = [_here(4, 40), _here(4, 41, AttendsAs.DELEGATE)]
    parties = ItemParties(3, interests=frozenset({40}))

    assert recused(parties, TRUSTS, senco_only)[4] is RecusedBecause.INTEREST
    assert 4 not in recused(parties, TRUSTS, with_delegate)


def test_the_quorum_check_counts_the_settings_present_less_those_recused() -> None:
    check = quorum_check({1, 2, 3, 4, 5}, {3: RecusedBecause.OWN_REFERRAL, 6: RecusedBecause.SAME_TRUST}, 6)

    assert (check.present, check.recused, check.may_vote, check.needed) == (5, 1, 4, 3)
    assert check.quorate
    assert check.line() == "5 settings present, 1 recused: 4 may vote, 3 needed"


def test_an_item_is_not_quorate_when_too_few_settings_that_may_vote_are_present() -> None:
    check = quorum_check({1, 3}, {3: RecusedBecause.OWN_REFERRAL}, 6)

    assert not check.quorate
    assert "1 may vote, 3 needed" in not_quorate_refusal(check)


def test_the_number_needed_is_never_more_than_the_settings_that_could_vote_on_the_item() -> None:
    recusals = {1: RecusedBecause.OWN_REFERRAL, 2: RecusedBecause.SAME_TRUST}

    assert quorum_check({3, 4}, recusals, 4, quorum=4).needed == 2


def test_the_chair_is_told_which_present_settings_that_may_vote_have_not_voted() -> None:
    assert not_voted({1, 2, 3, 4}, {3: RecusedBecause.OWN_REFERRAL}, {1}) == {2, 4}
