"""The one place the time is read, so tests can set the date.

Every "now" in the code comes from a :class:`Clock`. Times are timezone-aware; the cluster lives in
Europe/London, so dates people see are London dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock:
    """A source of the current time; the default reads the system clock."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """The current instant, aware, in Europe/London."""
        value = self._source()
        if value.tzinfo is None:
            raise ValueError("a clock must give timezone-aware times")
        return value.astimezone(LONDON)

    def today(self) -> date:
        """Today's date in London."""
        return self.now().date()


class FixedClock(Clock):
    """A clock that shows a set instant until it is moved: for tests and demos."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=LONDON)
        self._at = at
        super().__init__(lambda: self._at)

    def set(self, at: datetime) -> None:
        """Move the clock to an instant (naive times are read as London time)."""
        self._at = at if at.tzinfo else at.replace(tzinfo=LONDON)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._at = self._at + delta
