"""The Capital Fund is a one-off grant per mainstream setting (cluster.capital)."""

from __future__ import annotations

import pytest

from cluster.capital import (
    Application,
    SettingFacts,
    Standing,
    capital_eligibility,
    check_capital_eligibility,
    standing,
)
from cluster.errors import Refusal
from cluster.referrals import State

ETRUSCAN = SettingFacts("Etruscan Primary School")


def application(
    state: State, *, id: int = 1, reference: str = "CEN-2526-004", funded: bool = False, deferred: bool = False
) -> Application:
    return Application(id, reference, state, funded=funded, deferred=deferred)


def test_a_mainstream_setting_with_no_application_may_apply() -> None:
    assert capital_eligibility(ETRUSCAN, []) is None


def test_a_setting_that_is_not_mainstream_cannot_apply_and_is_told_why() -> None:
    merit = SettingFacts("Merit Pupil Referral Unit", mainstream=False)
    assert capital_eligibility(merit, []) == (
        "Merit Pupil Referral Unit is not a mainstream setting, so it cannot apply to the Capital Fund: "
        "the fund is for mainstream settings."
    )


def test_a_setting_that_already_received_hncg_funding_cannot_apply_and_is_told_why() -> None:
    had = SettingFacts("Haywood Academy", received_hncg=True)
    assert capital_eligibility(had, []) == (
        "Haywood Academy already received High Needs Capital Grant funding (Enhanced Resource Provision "
        "projects included), so it cannot apply to the Capital Fund."
    )


def test_not_being_mainstream_is_the_reason_given_when_both_facts_refuse() -> None:
    both = SettingFacts("Merit Pupil Referral Unit", mainstream=False, received_hncg=True)
    refusal = capital_eligibility(both, [application(State.SUBMITTED)])
    assert refusal is not None and "not a mainstream setting" in refusal


@pytest.mark.parametrize(
    ("state", "deferred", "where"),
    [
        (State.SUBMITTED, False, "which is submitted and waiting for the admin's check."),
        (State.ACCEPTED, False, "which is with the Cluster Panel and the Board."),
        (State.ACCEPTED, True, "which was deferred and is on the next meeting's agenda."),
        (
            State.RETURNED,
            False,
            "which was returned to be completed: finish and resubmit that one, or withdraw it first.",
        ),
    ],
)
def test_a_pending_application_stops_another_and_the_refusal_names_its_reference_and_state(
    state: State, deferred: bool, where: str
) -> None:
    refusal = capital_eligibility(ETRUSCAN, [application(state, deferred=deferred)])
    assert refusal == (
        f"Etruscan Primary School already has a Capital Fund application, CEN-2526-004, {where} "
        "The grant is one-off, so a setting makes one application at a time."
    )


def test_an_approved_application_stops_another_for_good() -> None:
    refusal = capital_eligibility(ETRUSCAN, [application(State.DECIDED, funded=True)])
    assert refusal == (
        "Etruscan Primary School has already been awarded the Capital Fund's one-off grant "
        "(CEN-2526-004, approved), so it cannot apply again: each setting can receive it once."
    )


@pytest.mark.parametrize(
    ("state", "funded"),
    [(State.DRAFT, False), (State.WITHDRAWN, False), (State.DECIDED, False)],
    ids=["draft", "withdrawn", "declined"],
)
def test_a_draft_a_withdrawn_and_a_declined_application_do_not_stop_another(state: State, funded: bool) -> None:
    assert standing(application(state, funded=funded)) is None
    assert capital_eligibility(ETRUSCAN, [application(state, funded=funded)]) is None


def test_the_application_being_submitted_does_not_count_against_itself() -> None:
    own = application(State.RETURNED, id=7)
    assert capital_eligibility(ETRUSCAN, [own], applying=7) is None
    assert capital_eligibility(ETRUSCAN, [own], applying=8) is not None


def test_an_approval_is_named_before_a_pending_application() -> None:
    pending = application(State.SUBMITTED, id=1, reference="CEN-2526-001")
    approved = application(State.DECIDED, id=2, reference="CEN-2526-002", funded=True)
    refusal = capital_eligibility(ETRUSCAN, [pending, approved])
    assert refusal is not None and "CEN-2526-002, approved" in refusal


def test_pending_and_approved_are_the_only_standings_that_count() -> None:
    standings = {s: standing(application(s)) for s in State}
    assert standings == {
        State.DRAFT: None,
        State.SUBMITTED: Standing.PENDING,
        State.RETURNED: Standing.PENDING,
        State.ACCEPTED: Standing.PENDING,
        State.WITHDRAWN: None,
        State.DECIDED: None,
    }
    assert standing(application(State.DECIDED, funded=True)) is Standing.APPROVED


def test_the_check_raises_the_same_sentence_as_a_refusal() -> None:
    merit = SettingFacts("Merit Pupil Referral Unit", mainstream=False)
    with pytest.raises(Refusal) as refused:
        check_capital_eligibility(merit, [])
    assert refused.value.message == capital_eligibility(merit, [])
