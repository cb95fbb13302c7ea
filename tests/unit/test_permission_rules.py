"""The permission rules: who holds a permission at all, and whose role reaches which rows."""

from __future__ import annotations

import pytest

from cluster import permissions as p
from cluster.permissions import Forbidden, allows, authorize, covers
from cluster.roles import Grant, Role

CENTRAL, NORTH = 1, 2
ETRUSCAN, WATERSIDE = 10, 11
SENCO = Grant(Role.SENCO, "Central", "Etruscan", CENTRAL, ETRUSCAN)
ADMIN = Grant(Role.ADMIN, "Central", None, CENTRAL)
OFFICER = Grant(Role.COUNCIL_OFFICER)


def test_a_senco_changes_only_their_own_settings_referrals() -> None:
    assert covers({SENCO}, p.EDIT_REFERRAL, CENTRAL, ETRUSCAN)
    assert not covers({SENCO}, p.EDIT_REFERRAL, CENTRAL, WATERSIDE)


def test_a_senco_votes_on_any_item_of_their_settings_cluster_but_not_another_clusters() -> None:
    assert covers({SENCO}, p.VOTE, CENTRAL)
    assert not covers({SENCO}, p.VOTE, NORTH)


def test_an_admin_reaches_their_cluster_only() -> None:
    assert covers({ADMIN}, p.MANAGE_MEETINGS, CENTRAL)
    assert not covers({ADMIN}, p.MANAGE_MEETINGS, NORTH)


def test_a_council_officer_sets_every_clusters_budget_but_does_not_manage_its_meetings() -> None:
    assert covers({OFFICER}, p.SET_BUDGET, NORTH)
    assert not covers({OFFICER}, p.MANAGE_MEETINGS, CENTRAL)
    assert not covers({OFFICER}, p.DECLARE_INTEREST, CENTRAL)


def test_a_forged_row_is_refused_with_the_same_sentence_as_a_missing_role() -> None:
    with pytest.raises(Forbidden) as forged:
        authorize({SENCO}, p.EDIT_REFERRAL, CENTRAL, WATERSIDE)
    with pytest.raises(Forbidden) as missing:
        authorize({ADMIN}, p.EDIT_REFERRAL, CENTRAL, ETRUSCAN)
    assert forged.value.message == missing.value.message == p.EDIT_REFERRAL.refusal


def test_strangers_get_help_but_nothing_that_needs_a_role() -> None:
    assert allows(set(), p.HELP, registered=False)
    assert not allows(set(), p.NEXT_MEETING, registered=False)
    assert allows(set(), p.NEXT_MEETING, registered=True)
    assert not allows({SENCO}, p.CHECK_REFERRALS, registered=True)


def test_every_refusal_is_its_own_sentence() -> None:
    sentences = [x.refusal for x in p.ALL if x.refusal]
    assert len(sentences) == len(set(sentences))


def test_a_list_asks_for_the_clusters_a_persons_roles_reach_and_no_others() -> None:
    chair_north = Grant(Role.CHAIR, "North", None, NORTH)
    assert p.clusters_reached({ADMIN, chair_north}, p.CHECK_REFERRALS) == {CENTRAL}
    assert p.clusters_reached({SENCO}, p.CHECK_REFERRALS) == frozenset()
    assert p.clusters_reached({SENCO, chair_north}, p.SEE_AGENDA) == {CENTRAL, NORTH}
    assert p.clusters_reached({SENCO, chair_north}, p.VOTE) == {CENTRAL}


def test_a_council_officer_reaches_every_cluster_in_a_list() -> None:
    assert p.clusters_reached({OFFICER}, p.SEE_BUDGET) is None


def test_a_senco_reaches_only_their_own_settings_rows_in_a_list() -> None:
    assert p.settings_reached({SENCO, ADMIN}, p.EDIT_REFERRAL) == {ETRUSCAN}
    assert p.settings_reached({ADMIN}, p.EDIT_REFERRAL) == frozenset()
