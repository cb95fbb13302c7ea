"""England and Wales bank holidays: GOV.UK's shipped list where it reaches, the holidays package beyond it."""

from __future__ import annotations

from datetime import date

import holidays

from cluster.citywide_meetings import pack_day
from store.bank_holidays import bank_holidays_warning, merged, shipped, shipped_list_warning
from store.seed import bank_holidays


def test_christmas_2031_and_easter_monday_2032_are_bank_holidays_though_the_shipped_list_ends_earlier() -> None:
    assert max(shipped()) < 2031
    assert date(2031, 12, 25) in bank_holidays()
    assert date(2032, 3, 29) in bank_holidays(), "Easter Monday 2032"
    assert date(2032, 3, 30) not in bank_holidays()


def test_a_pack_before_easter_2032_skips_good_friday_and_easter_monday() -> None:
    assert pack_day(date(2032, 3, 31), bank_holidays()) == date(2032, 3, 22)
    assert pack_day(date(2032, 3, 31)) == date(2032, 3, 24)


def test_the_coronation_a_one_off_bank_holiday_in_the_shipped_list_is_kept() -> None:
    assert date(2023, 5, 8) in bank_holidays()


def test_for_a_year_the_shipped_list_covers_govuk_wins_over_the_package() -> None:
    one_off = date(2031, 6, 6)
    govuk = {2031: frozenset({date(2031, 1, 1), one_off})}
    package = frozenset({date(2031, 1, 1), date(2031, 12, 25)})

    assert merged(2031, govuk, package) == {date(2031, 1, 1), one_off}, "the one-off kept, the package's day not"
    assert merged(2032, govuk, frozenset({date(2032, 3, 29)})) == {date(2032, 3, 29)}
    assert merged(2032, govuk, None) == frozenset()


def test_england_and_wales_have_the_same_bank_holidays_in_the_package() -> None:
    years = range(2023, 2041)
    assert set(holidays.country_holidays("GB", subdiv="ENG", years=years)) == set(
        holidays.country_holidays("GB", subdiv="WLS", years=years)
    )


def test_the_shipped_list_agrees_with_the_package_on_every_weekday_it_lists() -> None:
    govuk = {day for days in shipped().values() for day in days}
    years = shipped().keys()
    package = {d for d in holidays.country_holidays("GB", subdiv="ENG", years=years) if d.weekday() < 5}
    assert govuk == package


def test_no_warning_while_the_shipped_list_reaches_six_months_ahead() -> None:
    assert shipped_list_warning(date(2027, 12, 28), [], date(2027, 6, 28)) is None


def test_no_warning_when_the_list_runs_out_but_the_package_covers_the_years_after() -> None:
    assert shipped_list_warning(date(2027, 12, 28), [2028], date(2027, 7, 1)) is None


def test_a_warning_when_the_list_runs_out_within_six_months_and_the_package_does_not_cover_the_year() -> None:
    warning = shipped_list_warning(date(2027, 12, 28), [], date(2027, 7, 1))
    assert warning is not None
    assert "28 December 2027" in warning and "2028" in warning and "gov.uk/bank-holidays" in warning


def test_the_installed_package_means_no_warning_today_or_in_2031() -> None:
    assert bank_holidays_warning(date(2026, 5, 1)) is None
    assert bank_holidays_warning(date(2031, 11, 1)) is None
