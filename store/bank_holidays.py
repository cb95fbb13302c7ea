"""England and Wales bank holidays: GOV.UK's shipped list, and the ``holidays`` package for the other years.

Bank holidays are not working days, so agendas, packs and the Capital Fund's timeline count around them.
The shipped list (``store/data/bank_holidays_england_and_wales.json``, copied from
https://www.gov.uk/bank-holidays) is the authority for every year it covers: a one-off day (the
coronation on 8 May 2023) or a moved one is there as announced. For any other year the ``holidays``
package (``country_holidays("GB", subdiv="ENG")``) computes them, so the bot keeps counting correctly
after the shipped list ends. England and Wales share their bank holidays: the package's ``ENG`` and ``WLS``
subdivisions give the same days (tests/unit/test_bank_holidays.py checks it), Scotland and Northern Ireland
differ and are not used.

The package also names a Christmas that falls on a Saturday as well as its substitute Monday; that day is
a weekend already, so counting working days is unchanged.

Each year is worked out once per process (:func:`holidays_in`, cached), so ``day in bank_holidays()``
stays cheap.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Collection, Iterator, Mapping
from datetime import date
from pathlib import Path

log = logging.getLogger("clusterbot.bank_holidays")

SHIPPED = Path(__file__).parent / "data" / "bank_holidays_england_and_wales.json"
# The years the package answers for (its GB calendar runs from 1872 to 2100); outside them no day is a holiday.
FIRST_YEAR = 1872
LAST_YEAR = 2100
WARN_MONTHS = 6


@functools.cache
def shipped() -> Mapping[int, frozenset[date]]:
    """GOV.UK's list as shipped, by year."""
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    years: dict[int, set[date]] = {}
    for text in data["dates"]:
        day = date.fromisoformat(text)
        years.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in years.items()}


@functools.lru_cache(maxsize=256)
def package_holidays(year: int) -> frozenset[date] | None:
    """The ``holidays`` package's England bank holidays in ``year``; None when it cannot say."""
    try:
        import holidays
    except ImportError:  # a broken install: the shipped list alone, with the warning below
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def merged(year: int, shipped_years: Mapping[int, frozenset[date]], package: frozenset[date] | None) -> frozenset[date]:
    """A year's bank holidays: GOV.UK's when the shipped list covers the year (it wins), else the package's."""
    if year in shipped_years:
        return shipped_years[year]
    return package or frozenset()


@functools.lru_cache(maxsize=256)
def holidays_in(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``, worked out once per process."""
    days = merged(year, shipped(), None if year in shipped() else package_holidays(year))
    if year not in shipped() and package_holidays(year) is None:
        # Never pupil data: a year and what to do.
        log.warning("no bank holidays are known for %d: only weekends are skipped; extend %s", year, SHIPPED)
    return days


class BankHolidays(Collection[date]):
    """Every England and Wales bank holiday, looked up a year at a time (``day in holidays`` is the use)."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in holidays_in(day.year)

    def __iter__(self) -> Iterator[date]:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            yield from sorted(holidays_in(year))

    def __len__(self) -> int:
        return sum(len(holidays_in(year)) for year in range(FIRST_YEAR, LAST_YEAR + 1))


_ALL = BankHolidays()


def bank_holidays() -> BankHolidays:
    """England and Wales bank holidays: not working days for agendas, packs and the Capital Fund's timeline."""
    return _ALL


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def shipped_list_warning(
    shipped_last: date, package_covers: Collection[int], today: date, months: int = WARN_MONTHS
) -> str | None:
    """A warning when the shipped list ends within ``months`` of today and the package misses a year to come.

    ``package_covers`` are the years the ``holidays`` package answers for. None when all is well: either the
    shipped list reaches ``months`` ahead, or the package covers every year from the list's end to then.
    """
    horizon = _months_later(today, months)
    if shipped_last >= horizon:
        return None
    missing = [year for year in range(shipped_last.year + 1, horizon.year + 1) if year not in package_covers]
    if not missing:
        return None
    when = "ended" if shipped_last < today else "ends"
    return (
        f"The shipped bank holidays {when} on {shipped_last.day} {shipped_last:%B %Y} and the holidays package "
        f"does not cover {', '.join(str(y) for y in missing)}: agendas would count bank holidays as working days. "
        f"Add GOV.UK's dates (https://www.gov.uk/bank-holidays) to {SHIPPED.name}, or install the holidays package."
    )


def bank_holidays_warning(today: date) -> str | None:
    """:func:`shipped_list_warning` for the shipped list and the installed package (None: all is well)."""
    last = max(max(days) for days in shipped().values())
    horizon = _months_later(today, WARN_MONTHS)
    covered = [year for year in range(last.year + 1, horizon.year + 1) if package_holidays(year) is not None]
    return shipped_list_warning(last, covered, today)
