"""The cluster's rules for roles, meetings and deadlines: no database, no Teams."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.actions.menu import commands_for
from cluster.clock import LONDON, Clock, FixedClock
from cluster.meetings import (
    MeetingSlot,
    agenda_due,
    agenda_horizon,
    days_until,
    default_deadline,
    next_meeting,
    working_days_before,
)
from cluster.roles import Grant, Role, parse_role, scope_problem


def slot(day: date, cancelled: bool = False) -> MeetingSlot:
    return MeetingSlot(
        id=day.toordinal(),
        day=day,
        start=time(9, 30),
        end=time(13, 0),
        deadline=default_deadline(day),
        cancelled=cancelled,
    )


def test_the_referral_deadline_is_23_59_london_time_seven_days_before_the_meeting() -> None:
    deadline = default_deadline(date(2025, 12, 11))
    assert deadline == datetime(2025, 12, 4, 23, 59, tzinfo=LONDON)


def test_a_summer_deadline_is_in_british_summer_time() -> None:
    deadline = default_deadline(date(2026, 5, 14))
    assert deadline.utcoffset() == timedelta(hours=1)
    assert deadline.astimezone(UTC).hour == 22


def test_a_deadline_cannot_fall_after_its_meeting() -> None:
    with pytest.raises(ValueError):
        default_deadline(date(2025, 12, 11), days_before=-1)


def test_the_next_meeting_is_the_earliest_one_not_yet_over() -> None:
    meetings = [slot(date(2025, 10, 16)), slot(date(2026, 2, 5)), slot(date(2025, 12, 11))]
    now = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
    found = next_meeting(meetings, now)
    assert found is not None and found.day == date(2025, 12, 11)


def test_a_meeting_in_progress_is_still_the_next_meeting_until_it_ends() -> None:
    meetings = [slot(date(2025, 12, 11)), slot(date(2026, 2, 5))]
    during = datetime(2025, 12, 11, 12, 59, tzinfo=LONDON)
    after = datetime(2025, 12, 11, 13, 0, tzinfo=LONDON)
    assert next_meeting(meetings, during).day == date(2025, 12, 11)  # type: ignore[union-attr]
    assert next_meeting(meetings, after).day == date(2026, 2, 5)  # type: ignore[union-attr]


def test_a_cancelled_meeting_is_never_the_next_meeting() -> None:
    meetings = [slot(date(2025, 12, 11), cancelled=True), slot(date(2026, 2, 5))]
    found = next_meeting(meetings, datetime(2025, 11, 20, tzinfo=LONDON))
    assert found is not None and found.day == date(2026, 2, 5)


def test_there_is_no_next_meeting_after_the_last_one() -> None:
    assert next_meeting([slot(date(2026, 7, 9))], datetime(2026, 11, 27, tzinfo=LONDON)) is None


def test_days_left_count_london_calendar_days() -> None:
    deadline = default_deadline(date(2025, 12, 11))
    assert days_until(deadline, datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)) == 14
    # 00:30 in London on 4 December is still 3 December in UTC; London's date is what counts.
    assert days_until(deadline, datetime(2025, 12, 4, 0, 30, tzinfo=LONDON)) == 0


def test_a_senco_must_name_a_setting() -> None:
    assert scope_problem(Role.SENCO, has_cluster=True, has_setting=False) == "a SENCO must name a setting"
    assert scope_problem(Role.SENCO, has_cluster=True, has_setting=True) is None


def test_a_chair_belongs_to_a_cluster_not_a_setting() -> None:
    assert scope_problem(Role.CHAIR, has_cluster=True, has_setting=False) is None
    assert scope_problem(Role.CHAIR, has_cluster=True, has_setting=True) is not None
    assert scope_problem(Role.CHAIR, has_cluster=False, has_setting=False) is not None


def test_a_council_officer_is_citywide() -> None:
    assert scope_problem(Role.COUNCIL_OFFICER, has_cluster=False, has_setting=False) is None
    assert scope_problem(Role.COUNCIL_OFFICER, has_cluster=True, has_setting=False) is not None


def test_roles_are_read_from_codes_or_labels_and_unknown_ones_name_the_choices() -> None:
    assert parse_role("SENCO") is Role.SENCO
    assert parse_role("team around the cluster") is Role.TEAM_AROUND_CLUSTER
    with pytest.raises(ValueError, match="use one of: senco, delegate"):
        parse_role("headteacher")


def test_a_grant_describes_itself_as_a_person_would_say_it() -> None:
    assert Grant(Role.SENCO, "Central", "Etruscan Primary School").describe() == (
        "SENCO of Etruscan Primary School (Central)"
    )
    assert Grant(Role.ADMIN, "Central").describe() == "Admin, Central cluster"
    assert Grant(Role.COUNCIL_OFFICER).describe() == "Council officer (citywide)"


def test_everyone_registered_gets_the_everyday_commands() -> None:
    texts = [c.text for c in commands_for({Grant(Role.OBSERVER, "Central")})]
    assert texts == ["help", "whoami", "next meeting", "minutes"]


def test_the_clock_gives_london_time_and_a_fixed_clock_can_be_moved() -> None:
    fixed = FixedClock(datetime(2025, 6, 1, 9, 0))
    assert fixed.now().tzinfo == LONDON and fixed.now().hour == 9
    fixed.advance(timedelta(days=1))
    assert fixed.today() == date(2025, 6, 2)
    assert Clock().now().tzinfo == LONDON


def test_a_clock_refuses_a_naive_source() -> None:
    with pytest.raises(ValueError):
        Clock(lambda: datetime(2025, 1, 1)).now()


def test_only_sencos_and_delegates_are_offered_new_referrals_and_only_admins_the_check() -> None:
    senco = [c.text for c in commands_for({Grant(Role.SENCO, "Central", "Etruscan Primary School")})]
    admin = [c.text for c in commands_for({Grant(Role.ADMIN, "Central")})]
    assert "new referral" in senco and "referrals to check" not in senco
    assert "referrals to check" in admin and "new referral" not in admin


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    from email.utils import format_datetime

    from bot.teams.connector import retry_after_seconds

    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after_seconds(later) or 0) <= 30


def test_bank_holidays_are_not_working_days_so_an_easter_meeting_gets_its_papers_earlier() -> None:
    easter_2026 = {date(2026, 4, 3), date(2026, 4, 6)}  # Good Friday, Easter Monday
    assert working_days_before(date(2026, 4, 7), 5) == date(2026, 3, 31), "weekdays only"
    assert working_days_before(date(2026, 4, 7), 5, easter_2026) == date(2026, 3, 27)


NOW_DEC_4 = datetime(2025, 12, 4, 7, 0, tzinfo=LONDON)
DEADLINE = datetime(2025, 12, 1, 23, 59, tzinfo=LONDON)


def test_on_a_thursday_the_agendas_due_are_those_of_meetings_up_to_the_next_thursday() -> None:
    assert agenda_horizon(date(2025, 12, 4), 5) == date(2025, 12, 11)
    assert agenda_due(MeetingSlot(1, date(2025, 12, 11), time(9, 30), time(13), DEADLINE), NOW_DEC_4, 5)
    assert not agenda_due(MeetingSlot(1, date(2025, 12, 12), time(9, 30), time(13), DEADLINE), NOW_DEC_4, 5)


def test_on_a_friday_the_horizon_reaches_over_the_weekend_to_the_friday_after() -> None:
    assert agenda_horizon(date(2025, 12, 5), 5) == date(2025, 12, 12)


def test_bank_holidays_in_between_reach_further_so_meetings_after_easter_get_their_agenda_earlier() -> None:
    easter_2026 = {date(2026, 4, 3), date(2026, 4, 6)}  # Good Friday, Easter Monday
    assert agenda_horizon(date(2026, 3, 31), 5) == date(2026, 4, 7)
    assert agenda_horizon(date(2026, 3, 31), 5, easter_2026) == date(2026, 4, 9)


def test_every_meeting_up_to_the_horizon_is_due_and_none_after_it() -> None:
    holidays = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}
    for offset in range(40):
        today = date(2025, 12, 1) + timedelta(days=offset)
        horizon = agenda_horizon(today, 5, holidays)
        assert (
            working_days_before(horizon, 5, holidays)
            <= today
            < working_days_before(horizon + timedelta(days=1), 5, holidays)
        )


def test_with_no_working_days_of_notice_only_todays_meeting_is_due() -> None:
    assert agenda_horizon(date(2025, 12, 4), 0) == date(2025, 12, 4)
