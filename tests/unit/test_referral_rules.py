"""The referral rules on their own: costs, money, references, placement, windows and states."""

from __future__ import annotations

from datetime import date, datetime, time
from fractions import Fraction

import pytest

from cluster.clock import LONDON
from cluster.errors import Refusal
from cluster.forms import FieldType, as_typed, check_form
from cluster.meetings import MeetingSlot, default_deadline
from cluster.provision import (
    MAX_AMOUNT_PENCE,
    NotAnAmount,
    ProvisionRow,
    format_pence,
    parse_money,
    round_half_up,
    totals,
)
from cluster.referrals import (
    FORMS,
    Kind,
    State,
    Window,
    academic_year,
    check_capital_window,
    check_details,
    check_editable,
    check_withdrawable,
    missing_for_submission,
    place_on_meeting,
    pupil_label,
    reference,
    requested_pence,
)


def row(minutes: int, sessions: int, weeks: int, rate_pence: int, group: int = 1) -> ProvisionRow:
    return ProvisionRow("Support", "CI", "TA", minutes, sessions, group, weeks, rate_pence)


def test_a_row_costs_minutes_over_sixty_times_sessions_times_weeks_times_rate() -> None:
    # 30 minutes, 3 a week, 38 weeks at £15.00 an hour: 0.5 x 3 x 38 x 15 = £855.00
    assert row(30, 3, 38, 1500).cost_pence == 85500


def test_the_cost_is_shared_across_the_group() -> None:
    # The same provision for a group of 2 costs each pupil half: £427.50
    assert row(30, 3, 38, 1500, group=2).cost_pence == 42750


def test_a_fraction_of_a_penny_rounds_to_the_nearest_penny() -> None:
    # 20/60 x 1 x 1 x £10.00 / 3 = 111.11...p -> 111p
    assert row(20, 1, 1, 1000, group=3).exact_cost == Fraction(1000, 9)
    assert row(20, 1, 1, 1000, group=3).cost_pence == 111


def test_half_a_penny_rounds_up() -> None:
    # 45/60 x 1 x 6 x £62.33 = 28048.5p -> 28049p (£280.49)
    assert row(45, 1, 6, 6233).exact_cost == Fraction(56097, 2)
    assert row(45, 1, 6, 6233).cost_pence == 28049
    assert round_half_up(Fraction(5, 2)) == 3 and round_half_up(Fraction(3, 2)) == 2


def test_the_total_adds_the_rounded_rows_and_the_request_takes_off_the_contribution() -> None:
    rows = [row(30, 3, 38, 1500, group=2), row(45, 1, 12, 6233)]  # £427.50 + £560.97
    result = totals(rows, contribution_pence=10000)
    assert result.total_pence == 98847
    assert result.requested_pence == 88847


def test_a_contribution_cannot_exceed_the_total_or_be_negative() -> None:
    with pytest.raises(ValueError):
        totals([row(60, 1, 1, 1000)], contribution_pence=1001)
    with pytest.raises(ValueError):
        totals([row(60, 1, 1, 1000)], contribution_pence=-1)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("£1,234.56", 123456),
        (" 0.07 ", 7),
        (".5", 50),
        ("1,234,567.89", 123456789),
        ("15,000", 1500000),
        ("1234567.89", 123456789),
        ("£ 250,000", 25000000),
        ("0", 0),
    ],
)
def test_money_is_read_as_pounds_and_pence(typed: str, pence: int) -> None:
    assert parse_money(typed) == pence


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("4,2500.25", "“4,2500.25” is not an amount: put commas only between groups of three digits, as in 42,500.25."),
        ("9,00.00", "“9,00.00” is not an amount: put commas only between groups of three digits, as in 900.00."),
        ("1,2,3", "“1,2,3” is not an amount: put commas only between groups of three digits, as in 123."),
        (
            "15,00",
            "“15,00” is not an amount: put commas only between groups of three digits, as in 1,500; "
            "pence go after a point, as in 15.00.",
        ),
        ("0,500", "“0,500” is not an amount: put commas only between groups of three digits, as in 500."),
        ("12.345", "“12.345” is not an amount: give at most two figures of pence after the point, as in 12.50."),
        ("-5", "“-5” is not an amount: an amount cannot be negative."),
        ("-£5", "“-£5” is not an amount: an amount cannot be negative."),
        ("ten", "“ten” is not an amount: type pounds and pence in figures, as in 1,250.00."),
        ("1 234", "“1 234” is not an amount: type pounds and pence in figures, as in 1,250.00."),
        ("١٢", "“١٢” is not an amount: type pounds and pence in figures, as in 1,250.00."),
        ("", "Enter an amount in pounds and pence, as in 1,250.00."),
    ],
)
def test_a_misplaced_comma_or_anything_else_not_money_is_refused_saying_what_was_read(typed: str, said: str) -> None:
    with pytest.raises(NotAnAmount) as refused:
        parse_money(typed)
    assert refused.value.message == said


@pytest.mark.parametrize("typed", ["1.2.3", "£", ",", ".", "12,", ",123", "£12p", "1e5"])
def test_what_is_not_money_is_refused(typed: str) -> None:
    with pytest.raises(NotAnAmount):
        parse_money(typed)


def test_a_refusal_repeats_only_the_start_of_a_long_entry() -> None:
    with pytest.raises(NotAnAmount) as refused:
        parse_money("x" * 10_000)
    assert len(refused.value.message) < 120


def test_an_amount_past_what_the_tables_hold_is_refused() -> None:
    assert parse_money("20,000,000.00") == MAX_AMOUNT_PENCE
    with pytest.raises(NotAnAmount) as refused:
        parse_money("21,474,836.48")
    assert refused.value.message.endswith("amounts are at most £20,000,000.00.")


def test_a_negative_amount_is_read_only_when_the_caller_allows_it() -> None:
    assert parse_money("-£1,250.50", allow_negative=True) == -125050
    assert parse_money("£-5", allow_negative=True) == -500


def test_money_is_shown_with_pounds_commas_and_pence() -> None:
    assert format_pence(123456789) == "£1,234,567.89"
    assert format_pence(5) == "£0.05"


def test_the_school_year_runs_from_september_to_august() -> None:
    assert academic_year(date(2025, 9, 1)) == (2025, 2026)
    assert academic_year(date(2026, 8, 31)) == (2025, 2026)


def test_a_reference_names_the_cluster_the_school_year_and_a_number() -> None:
    assert reference("cen", date(2025, 11, 20), 14) == "CEN-2526-014"
    assert reference("CEN", date(2026, 9, 1), 1) == "CEN-2627-001"


def slot(day: date, cancelled: bool = False) -> MeetingSlot:
    return MeetingSlot(day.toordinal(), day, time(9, 30), time(13), default_deadline(day), cancelled)


def test_a_referral_goes_to_the_next_meeting_whose_deadline_has_not_passed() -> None:
    meetings = [slot(date(2025, 12, 11)), slot(date(2026, 2, 5))]
    before = datetime(2025, 12, 4, 23, 58, tzinfo=LONDON)
    after = datetime(2025, 12, 4, 23, 59, tzinfo=LONDON)
    assert place_on_meeting(meetings, before).day == date(2025, 12, 11)
    assert place_on_meeting(meetings, after).day == date(2026, 2, 5)


def test_a_referral_cannot_go_to_a_cancelled_meeting_or_none_at_all() -> None:
    with pytest.raises(Refusal, match="no meeting with an open referral deadline"):
        place_on_meeting([slot(date(2025, 12, 11), cancelled=True)], datetime(2025, 11, 1, tzinfo=LONDON))


def test_capital_applications_are_taken_from_1_september_to_31_december_by_default() -> None:
    check_capital_window(datetime(2025, 9, 1, 0, 1, tzinfo=LONDON))
    check_capital_window(datetime(2025, 12, 31, 23, 59, tzinfo=LONDON))
    with pytest.raises(Refusal, match="from 1 September 2025 to 31 December 2025"):
        check_capital_window(datetime(2026, 1, 1, 0, 1, tzinfo=LONDON))


def test_a_capital_window_can_be_set_for_a_year() -> None:
    windows = {2026: Window(date(2026, 10, 1), date(2027, 1, 31))}
    check_capital_window(datetime(2027, 1, 15, tzinfo=LONDON), windows)
    with pytest.raises(Refusal):
        check_capital_window(datetime(2026, 9, 15, tzinfo=LONDON), windows)


def test_a_capital_grant_above_15000_pounds_is_refused_with_the_limit() -> None:
    checked = check_details(Kind.CAPITAL, {"amount": "15000.01"})
    assert checked.errors["amount"] == "The Capital Fund gives at most £15,000 per setting."
    assert "amount" not in check_details(Kind.CAPITAL, {"amount": "15000"}).errors


def test_a_capital_application_for_maintenance_is_refused_with_the_reason() -> None:
    checked = check_details(Kind.CAPITAL, {"maintenance": "true"})
    assert checked.errors["maintenance"] == "Maintenance is not eligible: it is covered by DFC, CIF or SCA funding."


def test_an_ehcp_period_must_end_after_it_starts_and_last_at_most_a_year() -> None:
    base = {"period_start": "2026-01-05"}
    assert check_details(Kind.EHCP, {**base, "period_end": "2026-01-05"}).errors["period_end"] == (
        "The period must end after it starts."
    )
    assert "at most a year" in check_details(Kind.EHCP, {**base, "period_end": "2027-01-06"}).errors["period_end"]


def test_stored_answers_are_checked_again_as_they_were_typed() -> None:
    fields = FORMS[Kind.CAPITAL]
    stored = check_form(fields, {"amount": "12500", "maintenance": "false"}).values
    assert stored["amount"] == 1250000
    assert as_typed(fields, stored)["amount"] == "12500.00"
    assert "amount" not in check_details(Kind.CAPITAL, as_typed(fields, stored)).errors


def test_an_individual_referral_needs_cost_rows_before_submission() -> None:
    assert "Add at least one row of costs." in missing_for_submission(Kind.INDIVIDUAL, {}, [])


def test_what_is_requested_depends_on_the_kind() -> None:
    rows = [row(60, 1, 10, 2000)]  # £200.00
    assert requested_pence(Kind.INDIVIDUAL, {}, rows, 5000) == 15000
    assert requested_pence(Kind.EHCP, {"amount": 420000}, rows, 0) == 420000
    assert requested_pence(Kind.DISCUSSION, {}, rows, 0) == 0


def test_a_referral_on_the_agenda_can_no_longer_be_changed_by_its_referrer() -> None:
    with pytest.raises(Refusal, match="on the agenda"):
        check_editable(State.ACCEPTED)
    check_editable(State.RETURNED)


def test_a_withdrawn_referral_cannot_be_withdrawn_again() -> None:
    with pytest.raises(Refusal):
        check_withdrawable(State.WITHDRAWN)


def test_every_kind_has_a_form_and_only_money_fields_hold_pence() -> None:
    assert set(FORMS) == set(Kind)
    money = [f.name for fields in FORMS.values() for f in fields if f.type is FieldType.MONEY]
    assert set(money) == {"amount"}


def test_a_channel_shows_a_pupil_by_initials_in_capitals_and_year_group_only() -> None:
    assert pupil_label({"pupil_initials": "js", "year_group": "Y4", "pupil_reference": "ETR-0042"}) == "JS Year 4"


def test_a_referral_without_a_pupil_shows_none() -> None:
    assert pupil_label({"title": "Sensory room"}) == ""
