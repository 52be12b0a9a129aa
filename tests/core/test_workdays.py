"""Working days: chinesecalendar, the calendar table that overrides it, years
neither knows, and the per-year tables that keep counting free of queries."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core import workdays
from egov.core.calendar import HolidayRange, add_calendar_day, enter_year_notice
from egov.core.models import CalendarDay
from egov.core.workdays import (
    add_workdays,
    covered,
    current_calendar,
    is_workday,
    workdays_between,
)
from tests.core.calendar_helpers import calendar_admin

pytestmark = pytest.mark.django_db


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- what the package says, and that we say the same --------------------------


def test_installed_chinesecalendar_has_2026_and_raises_for_2027():
    assert chinese_calendar.is_workday(date(2026, 2, 14)) is True

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_every_day_of_2026_matches_chinesecalendar_when_nothing_is_overridden():
    mismatches = [
        day
        for day in days(date(2026, 1, 1), date(2026, 12, 31))
        if is_workday(day) != chinese_calendar.is_workday(day)
    ]

    assert mismatches == []


def test_spring_festival_2026_is_nine_days_off_with_two_makeup_saturdays():
    off = [
        day for day in days(date(2026, 2, 14), date(2026, 2, 28)) if not is_workday(day)
    ]

    assert off == list(days(date(2026, 2, 15), date(2026, 2, 23)))
    assert is_workday(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5
    assert is_workday(date(2026, 2, 28)) and date(2026, 2, 28).weekday() == 5


def test_national_day_2026_is_seven_days_off_with_makeup_on_20_sept_and_10_oct():
    assert [is_workday(d) for d in days(date(2026, 10, 1), date(2026, 10, 7))] == [
        False
    ] * 7
    assert is_workday(date(2026, 10, 8)) is True
    assert is_workday(date(2026, 9, 20)) is True  # a Sunday, worked
    assert is_workday(date(2026, 10, 10)) is True  # a Saturday, worked
    assert is_workday(date(2026, 10, 11)) is False


def test_mid_autumn_2026_is_three_days_off():
    assert [is_workday(d) for d in days(date(2026, 9, 25), date(2026, 9, 27))] == [
        False,
        False,
        False,
    ]


# --- counting -----------------------------------------------------------------


def test_adding_working_days_across_the_spring_festival_gives_exact_dates():
    start = date(2026, 2, 12)  # Thursday

    assert add_workdays(start, 1) == (date(2026, 2, 13), False)
    assert add_workdays(start, 2) == (date(2026, 2, 14), False)  # make-up Saturday
    assert add_workdays(start, 3) == (date(2026, 2, 24), False)
    assert add_workdays(date(2026, 2, 10), 20) == (date(2026, 3, 16), False)


def test_adding_working_days_across_national_day_lands_on_the_makeup_saturday():
    assert add_workdays(date(2026, 9, 28), 2) == (date(2026, 9, 30), False)
    assert add_workdays(date(2026, 9, 28), 3) == (date(2026, 10, 8), False)
    assert add_workdays(date(2026, 9, 28), 5) == (date(2026, 10, 10), False)


def test_the_day_of_the_event_is_day_zero_even_on_a_holiday():
    assert add_workdays(date(2026, 2, 17), 0) == (date(2026, 2, 17), False)
    assert add_workdays(date(2026, 2, 17), 1) == (date(2026, 2, 24), False)


def test_adding_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_workdays(date(2026, 3, 2), -1)


def test_workdays_between_counts_after_the_first_date_up_to_and_including_the_last():
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert workdays_between(date(2025, 12, 31), date(2026, 12, 31)) == len(
        [d for d in days(date(2026, 1, 1), date(2026, 12, 31)) if is_workday(d)]
    )


# --- 2027: neither source knows it --------------------------------------------


def test_2027_is_not_covered_and_counts_weekends_only():
    assert covered(date(2027, 5, 1)) is False
    assert is_workday(date(2027, 1, 1)) is True  # a Friday; no notice yet
    assert is_workday(date(2027, 1, 2)) is False


def test_counting_into_2027_is_provisional():
    assert add_workdays(date(2026, 12, 30), 1) == (date(2026, 12, 31), False)
    assert add_workdays(date(2026, 12, 30), 3) == (date(2027, 1, 4), True)


def test_entering_2027_notice_covers_the_year_and_moves_the_count():
    admin = calendar_admin()
    assert add_workdays(date(2026, 12, 30), 3) == (date(2027, 1, 4), True)

    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeup_days=[],
    )

    assert covered(date(2027, 5, 1)) is True
    assert is_workday(date(2027, 1, 1)) is False
    assert add_workdays(date(2026, 12, 30), 3) == (date(2027, 1, 5), False)


def test_a_single_day_entered_for_2027_counts_but_leaves_the_year_provisional():
    add_calendar_day(
        actor=calendar_admin(), date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY
    )

    assert is_workday(date(2027, 1, 1)) is False
    assert add_workdays(date(2026, 12, 30), 3) == (date(2027, 1, 5), True)


# --- the calendar table wins --------------------------------------------------


def test_a_holiday_entered_on_a_2026_weekday_wins_over_chinesecalendar():
    add_calendar_day(
        actor=calendar_admin(),
        date=date(2026, 3, 2),
        kind=CalendarDay.Kind.HOLIDAY,
        name="三月三",
    )

    assert is_workday(date(2026, 3, 2)) is False
    assert add_workdays(date(2026, 2, 27), 2) == (date(2026, 3, 3), False)


def test_a_makeup_day_entered_on_a_package_holiday_weekend_makes_it_worked():
    add_calendar_day(
        actor=calendar_admin(), date=date(2026, 10, 4), kind=CalendarDay.Kind.WORKDAY
    )

    assert is_workday(date(2026, 10, 4)) is True


# --- the cache ----------------------------------------------------------------


def test_a_year_is_loaded_once_and_then_counting_costs_no_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(2):
        is_workday(date(2026, 5, 6))

    with django_assert_num_queries(0):
        for day in days(date(2026, 1, 1), date(2026, 12, 31)):
            is_workday(day)
        add_workdays(date(2026, 1, 5), 200)
        workdays_between(date(2026, 1, 5), date(2026, 12, 20))


def test_a_row_written_behind_the_actions_back_is_seen_only_after_calendar_changed():
    assert is_workday(date(2026, 3, 3)) is True
    CalendarDay.objects.create(date=date(2026, 3, 3), kind=CalendarDay.Kind.HOLIDAY)

    stale = is_workday(date(2026, 3, 3))
    workdays.calendar_changed()

    assert stale is True
    assert is_workday(date(2026, 3, 3)) is False


def test_another_process_changing_the_shared_version_makes_this_one_rebuild():
    before = current_calendar()
    CalendarDay.objects.create(date=date(2026, 3, 4), kind=CalendarDay.Kind.HOLIDAY)

    cache.set(workdays.CACHE_KEY, "changed-elsewhere", timeout=None)

    assert current_calendar() is not before
    assert is_workday(date(2026, 3, 4)) is False


def test_tables_older_than_the_maximum_age_are_rebuilt(monkeypatch):
    before = current_calendar()

    monkeypatch.setattr(workdays, "MAX_TABLE_AGE", -1)

    assert current_calendar() is not before


# --- properties ---------------------------------------------------------------

starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30))
counts = st.integers(min_value=0, max_value=150)


@given(start=starts, n=counts)
@settings(max_examples=300, deadline=None)
def test_adding_n_working_days_then_counting_back_gives_n(start, n):
    due, _provisional = add_workdays(start, n)

    assert workdays_between(start, due) == n


@given(start=starts, n=st.integers(min_value=1, max_value=150))
@settings(max_examples=300, deadline=None)
def test_a_working_day_count_never_lands_on_a_day_off(start, n):
    due, _provisional = add_workdays(start, n)

    assert is_workday(due)
    assert due > start


@given(start=starts, n=counts, more=st.integers(min_value=1, max_value=30))
@settings(max_examples=300, deadline=None)
def test_more_working_days_always_land_later(start, n, more):
    assert add_workdays(start, n)[0] < add_workdays(start, n + more)[0]


@given(
    a=st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 3, 1)),
    span=st.integers(min_value=0, max_value=200),
)
@settings(max_examples=200, deadline=None)
def test_workdays_between_equals_counting_day_by_day(a, span):
    b = a + timedelta(days=span)

    expected = sum(1 for d in days(a + timedelta(days=1), b) if is_workday(d))

    assert workdays_between(a, b) == expected


@given(start=starts, n=st.integers(min_value=1, max_value=150))
@settings(max_examples=200, deadline=None)
def test_a_count_is_provisional_exactly_when_it_reaches_into_2027(start, n):
    due, provisional = add_workdays(start, n)

    assert provisional == (due.year >= 2027)
