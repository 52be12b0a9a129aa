"""Deadlines: working days, calendar days and hours from an event, clock stops
and extensions, the warning ladder at exact times, 2027's provisional
deadlines, the clock actions, and the notification sweep."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.audit.models import AuditEntry
from egov.core import calendar as work_calendar
from egov.core import deadline_sweep
from egov.core.calendar import HolidayRange, enter_year_notice
from egov.core.clocks import end_clock_stop, grant_extension, start_clock_stop
from egov.core.errors import ActionError
from egov.core.models import ClockStop, TimeLimitNotice, TimeUnit
from egov.core.timelimits import (
    Extra,
    Limit,
    State,
    Stop,
    compute_deadline,
    deadline_for,
    deadlines_for,
    provisional_display,
    remaining_display,
    state_at,
    subject_key,
)
from egov.core.workdays import is_workday
from tests.core.calendar_helpers import calendar_admin

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
WD, DAYS, HOURS = TimeUnit.WORKDAYS, TimeUnit.DAYS, TimeUnit.HOURS


def at(y, m, d, hh=9, mm=0, ss=0, us=0):
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=SH)


# --- working days -------------------------------------------------------------


def test_twenty_working_days_across_the_spring_festival_end_on_16_march():
    result = compute_deadline(at(2026, 2, 10, 10), Limit(20), now=at(2026, 2, 10, 10))

    assert result.due_date == date(2026, 3, 16)
    assert result.due_at == at(2026, 3, 17, 0)
    assert result.provisional is False
    assert result.paused is False
    assert result.remaining_workdays == 20
    assert result.elapsed_workdays == 0


def test_the_event_day_is_day_zero_whatever_the_hour():
    early = compute_deadline(at(2026, 2, 12, 0, 1), Limit(3), now=at(2026, 2, 12))
    late = compute_deadline(at(2026, 2, 12, 23, 59), Limit(3), now=at(2026, 2, 12))

    assert early.due_date == late.due_date == date(2026, 2, 24)


def test_an_event_on_a_holiday_counts_from_the_first_working_day_after_it():
    result = compute_deadline(at(2026, 2, 17), Limit(1), now=at(2026, 2, 17))

    assert result.due_date == date(2026, 2, 24)


def test_five_working_days_before_national_day_end_on_the_makeup_saturday():
    result = compute_deadline(at(2026, 9, 28), Limit(5), now=at(2026, 9, 28))

    assert result.due_date == date(2026, 10, 10)


def test_an_event_time_is_read_in_shanghai_time():
    utc_evening = datetime(2026, 2, 12, 17, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 on 13th

    result = compute_deadline(utc_evening, Limit(1), now=utc_evening)

    assert result.start.date() == date(2026, 2, 13)
    assert result.due_date == date(2026, 2, 14)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        compute_deadline(datetime(2026, 3, 2, 9), Limit(5))


def test_a_limit_cannot_be_negative_or_in_an_unknown_unit():
    with pytest.raises(ValueError):
        Limit(-1)
    with pytest.raises(ValueError):
        Limit(3, "weeks")


# --- calendar days and hours --------------------------------------------------


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day():
    result = compute_deadline(at(2026, 9, 25), Limit(7, DAYS), now=at(2026, 9, 25))

    assert result.due_date == date(2026, 10, 8)
    assert remaining_display(result) == "剩余13天"


def test_calendar_days_ending_on_a_working_day_stay_there():
    result = compute_deadline(at(2026, 3, 2), Limit(15, DAYS), now=at(2026, 3, 2))

    assert result.due_date == date(2026, 3, 17)


def test_hours_run_through_holidays_to_the_minute():
    result = compute_deadline(
        at(2026, 2, 13, 17, 30), Limit(24, HOURS), now=at(2026, 2, 13, 17, 30)
    )

    assert result.due_at == at(2026, 2, 14, 17, 30)
    assert remaining_display(result) == "剩余24小时"
    assert remaining_display(result, at(2026, 2, 14, 17, 0)) == "剩余30分钟"
    assert remaining_display(result, at(2026, 2, 14, 20, 30)) == "已超期3小时"


# --- clock stops --------------------------------------------------------------


def test_a_closed_stop_moves_the_deadline_by_the_working_days_it_covers():
    start = at(2026, 3, 2)
    stop = Stop(at(2026, 3, 3, 10), at(2026, 3, 5, 15))

    plain = compute_deadline(start, Limit(5), now=at(2026, 3, 6))
    stopped = compute_deadline(start, Limit(5), [stop], now=at(2026, 3, 6))

    assert plain.due_date == date(2026, 3, 9)
    assert stopped.due_date == date(2026, 3, 11)
    assert stopped.elapsed_workdays == 2  # 3 and 6 March; 4 and 5 March stopped


def test_a_stop_begun_and_ended_on_one_day_moves_nothing():
    stop = Stop(at(2026, 3, 3, 10), at(2026, 3, 3, 16))

    result = compute_deadline(at(2026, 3, 2), Limit(5), [stop], now=at(2026, 3, 4))

    assert result.due_date == date(2026, 3, 9)


def test_overlapping_stops_count_once():
    stops = [
        Stop(at(2026, 3, 3, 10), at(2026, 3, 5, 15)),
        Stop(at(2026, 3, 4, 10), at(2026, 3, 6, 15)),
    ]

    result = compute_deadline(at(2026, 3, 2), Limit(5), stops, now=at(2026, 3, 9))

    assert result.due_date == date(2026, 3, 12)


def test_a_stop_over_the_spring_festival_only_counts_working_days():
    stop = Stop(at(2026, 2, 13, 10), at(2026, 2, 25, 10))  # covers 14, 24, 25 Feb

    result = compute_deadline(at(2026, 2, 12), Limit(3), [stop], now=at(2026, 2, 25))

    assert result.due_date == date(2026, 2, 27)


def test_an_open_stop_pauses_the_clock_and_freezes_what_remains():
    start = at(2026, 3, 2)
    stop = Stop(at(2026, 3, 4, 10))

    on_tenth = compute_deadline(start, Limit(5), [stop], now=at(2026, 3, 10, 10))
    on_twentieth = compute_deadline(start, Limit(5), [stop], now=at(2026, 3, 20, 10))

    assert on_tenth.paused is True
    assert on_tenth.elapsed_workdays == 2
    assert on_tenth.remaining_workdays == 3
    assert on_tenth.due_date == date(2026, 3, 13)
    assert remaining_display(on_tenth) == "暂停计时（剩余3个工作日）"
    assert on_twentieth.remaining_workdays == 3
    assert on_twentieth.due_date == date(2026, 3, 25)
    assert state_at(on_tenth, at(2026, 4, 30)) == State.NORMAL


def test_a_stop_begun_after_the_limit_ran_out_gives_no_time_back():
    stop = Stop(at(2026, 3, 6, 10), at(2026, 3, 10, 10))

    result = compute_deadline(at(2026, 3, 2), Limit(2), [stop], now=at(2026, 3, 11))

    assert result.due_date == date(2026, 3, 4)
    assert result.remaining_workdays == -3
    assert state_at(result) == State.RED


def test_an_open_stop_not_yet_begun_does_not_pause():
    stop = Stop(at(2026, 3, 5, 10))

    result = compute_deadline(at(2026, 3, 2), Limit(5), [stop], now=at(2026, 3, 4))

    assert result.paused is False
    assert result.due_date == date(2026, 3, 9)


def test_stops_pause_an_hour_limit_by_their_exact_duration():
    stops = [Stop(at(2026, 3, 2, 10), at(2026, 3, 2, 12, 30))]

    result = compute_deadline(
        at(2026, 3, 2, 9), Limit(8, HOURS), stops, now=at(2026, 3, 2, 13)
    )

    assert result.due_at == at(2026, 3, 2, 19, 30)
    assert result.remaining == timedelta(hours=6, minutes=30)


def test_an_open_stop_on_an_hour_limit_freezes_the_time_left():
    stops = [Stop(at(2026, 3, 2, 10))]

    result = compute_deadline(
        at(2026, 3, 2, 9), Limit(8, HOURS), stops, now=at(2026, 3, 3, 9)
    )

    assert result.paused is True
    assert result.remaining == timedelta(hours=7)
    assert remaining_display(result) == "暂停计时（剩余7小时）"
    assert state_at(result, at(2026, 3, 9)) == State.NORMAL


def test_stops_move_a_calendar_day_limit_by_the_days_they_cover():
    stop = Stop(at(2026, 3, 3, 10), at(2026, 3, 5, 9))

    result = compute_deadline(
        at(2026, 3, 2), Limit(10, DAYS), [stop], now=at(2026, 3, 5)
    )

    assert result.due_date == date(2026, 3, 16)  # 12 March + 2, a Saturday, + 2


# --- extensions ---------------------------------------------------------------


def test_extensions_add_their_working_days():
    extensions = [Extra(10), Extra(5)]

    result = compute_deadline(
        at(2026, 2, 10), Limit(20), extensions=extensions, now=at(2026, 2, 10)
    )

    assert result.total == 35
    assert (
        result.due_date
        == compute_deadline(at(2026, 2, 10), Limit(35), now=at(2026, 2, 10)).due_date
    )


def test_an_extension_in_another_unit_is_refused():
    with pytest.raises(ValueError):
        compute_deadline(at(2026, 3, 2), Limit(20), extensions=[Extra(3, HOURS)])


# --- the ladder at exact times ------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state", "text"),
    [
        (at(2026, 3, 2, 9), State.NORMAL, "剩余5个工作日"),
        (at(2026, 3, 4, 23, 59, 59), State.NORMAL, "剩余3个工作日"),
        (at(2026, 3, 5, 0, 0), State.WARNING, "剩余2个工作日"),
        (at(2026, 3, 7, 12), State.WARNING, "剩余1个工作日"),
        (at(2026, 3, 9, 23, 59, 59, 999999), State.WARNING, "今日到期"),
        (at(2026, 3, 10, 0, 0), State.YELLOW, "已超期1个工作日"),
        (at(2026, 3, 11, 23, 59, 59), State.YELLOW, "已超期2个工作日"),
        (at(2026, 3, 12, 0, 0), State.RED, "已超期3个工作日"),
    ],
)
def test_the_ladder_of_a_five_working_day_limit(now, state, text):
    computed_then = compute_deadline(at(2026, 3, 2, 9), Limit(5), now=now)
    computed_at_start = compute_deadline(
        at(2026, 3, 2, 9), Limit(5), now=at(2026, 3, 2, 9)
    )

    assert state_at(computed_then) == state
    assert remaining_display(computed_then) == text
    assert state_at(computed_at_start, now) == state
    assert remaining_display(computed_at_start, now) == text


def test_overdue_over_a_weekend_is_yellow_without_a_count():
    result = compute_deadline(at(2026, 3, 2), Limit(4), now=at(2026, 3, 7, 10))

    assert result.due_date == date(2026, 3, 6)
    assert state_at(result) == State.YELLOW
    assert remaining_display(result) == "已超期"


def test_the_ladder_follows_the_settings(settings):
    settings.EGOV_TIMELIMIT_WARNING_DAYS = 4
    settings.EGOV_TIMELIMIT_RED_DAYS = 1
    result = compute_deadline(at(2026, 3, 2), Limit(5), now=at(2026, 3, 3, 10))

    assert state_at(result) == State.WARNING
    assert state_at(result, at(2026, 3, 10, 9)) == State.RED


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(2026, 3, 2, 12, 59), State.NORMAL),
        (at(2026, 3, 2, 13, 0), State.WARNING),
        (at(2026, 3, 2, 17, 0), State.YELLOW),
        (at(2026, 3, 3, 16, 59), State.YELLOW),
        (at(2026, 3, 3, 17, 0), State.RED),
    ],
)
def test_the_ladder_of_an_eight_hour_limit(now, state):
    result = compute_deadline(at(2026, 3, 2, 9), Limit(8, HOURS), now=at(2026, 3, 2, 9))

    assert state_at(result, now) == state


def test_a_paused_overdue_deadline_stays_overdue():
    stop = Stop(at(2026, 3, 11, 10))

    result = compute_deadline(at(2026, 3, 2), Limit(5), [stop], now=at(2026, 3, 20))

    assert result.remaining_workdays == -2
    assert state_at(result) == State.YELLOW
    assert remaining_display(result) == "暂停计时（已超期2个工作日）"


def test_the_deadline_badge_template_shows_state_text_and_provisional_mark():
    result = compute_deadline(at(2026, 12, 28), Limit(5), now=at(2026, 12, 28))

    html = render_to_string("core/_deadline.html", {"deadline": result})

    assert "text-bg-success" in html
    assert "剩余5个工作日" in html
    assert "暂定" in html
    assert "截止 2027-01-04" in html


# --- 2027 ---------------------------------------------------------------------


def test_a_deadline_running_into_2027_is_provisional_and_says_why():
    result = compute_deadline(at(2026, 12, 28), Limit(5), now=at(2026, 12, 28))

    assert result.due_date == date(2027, 1, 4)
    assert result.provisional is True
    assert result.uncovered_years == (2027,)
    assert provisional_display(result) == (
        "暂定：2027年节假日安排尚未录入，期限暂按周末推算，录入后自动更正"
    )


def test_entering_2027_holidays_removes_the_mark_and_moves_the_deadline():
    subject = "test.case:1"
    start = at(2026, 12, 28)
    before = deadline_for(subject, start, Limit(5), now=start)

    enter_year_notice(
        actor=calendar_admin(),
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
    )
    after = deadline_for(subject, start, Limit(5), now=start)

    assert (before.due_date, before.provisional) == (date(2027, 1, 4), True)
    assert (after.due_date, after.provisional) == (date(2027, 1, 5), False)
    assert provisional_display(after) == ""


def test_a_calendar_day_limit_is_provisional_only_when_its_last_day_is_uncovered():
    inside = compute_deadline(at(2026, 12, 1), Limit(10, DAYS), now=at(2026, 12, 1))
    across = compute_deadline(at(2026, 12, 28), Limit(10, DAYS), now=at(2026, 12, 28))

    assert inside.provisional is False
    assert across.provisional is True


# --- rows, actions, queries ---------------------------------------------------


def test_subject_key_names_the_model_and_the_row():
    admin = calendar_admin()

    assert subject_key(admin) == f"identity.user:{admin.pk}"
    assert subject_key(admin, "promised") == f"identity.user:{admin.pk}:promised"


def test_stops_and_extensions_recorded_by_actions_move_the_deadline():
    clerk = calendar_admin()
    subject = "servicehall.case:7"
    start = at(2026, 3, 2)
    start_clock_stop(
        subject=subject,
        kind=ClockStop.Kind.CORRECTION,
        reason="申请材料缺少营业执照副本",
        actor=clerk,
        at=at(2026, 3, 3, 10),
    )
    end_clock_stop(subject=subject, actor=clerk, at=at(2026, 3, 5, 15))
    grant_extension(subject=subject, amount=10, reason="需现场核查", actor=clerk)

    result = deadline_for(subject, start, Limit(5), now=at(2026, 3, 6))

    assert result.total == 15
    assert (
        result.due_date
        == compute_deadline(
            start, Limit(15), [Stop(at(2026, 3, 3, 10), at(2026, 3, 5, 15))]
        ).due_date
    )
    assert list(
        AuditEntry.objects.filter(action__startswith="core.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["core.start_clock_stop", "core.end_clock_stop", "core.grant_extension"]


def test_deadlines_for_many_subjects_take_two_queries(django_assert_num_queries):
    clerk = calendar_admin()
    start_clock_stop(
        subject="s:1",
        kind=ClockStop.Kind.HEARING,
        reason="听证",
        actor=clerk,
        at=at(2026, 3, 2, 15),
    )
    entries = [(f"s:{i}", at(2026, 3, 2), Limit(5)) for i in range(50)]
    deadlines_for(entries, now=at(2026, 3, 3))  # warms the calendar

    with django_assert_num_queries(2):
        results = deadlines_for(entries, now=at(2026, 3, 3))

    assert len(results) == 50
    assert results["s:1"].paused is True
    assert results["s:2"].paused is False


def test_pausing_a_paused_clock_is_refused_and_logged():
    clerk = calendar_admin()
    start_clock_stop(subject="s:1", kind="suspension", reason="挂起", actor=clerk)

    with pytest.raises(ActionError) as refused:
        start_clock_stop(subject="s:1", kind="hearing", reason="听证", actor=clerk)

    assert refused.value.message == "计时已暂停，不能重复暂停"
    assert ClockStop.objects.filter(subject="s:1").count() == 1
    assert AuditEntry.objects.filter(
        action="core.start_clock_stop", outcome="failed"
    ).exists()


def test_restarting_a_running_clock_is_refused():
    with pytest.raises(ActionError) as refused:
        end_clock_stop(subject="s:1", actor=calendar_admin())

    assert refused.value.message == "计时未暂停，无需恢复"


def test_restarting_before_the_stop_began_is_refused():
    clerk = calendar_admin()
    start_clock_stop(
        subject="s:1", kind="suspension", reason="挂起", actor=clerk, at=at(2026, 3, 3)
    )

    with pytest.raises(ActionError) as refused:
        end_clock_stop(subject="s:1", actor=clerk, at=at(2026, 3, 2))

    assert refused.value.message == "恢复时间不能早于暂停时间"
    assert ClockStop.objects.get(subject="s:1").ended_at is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": 0}, "延长数量须在1至366之间"),
        ({"amount": 400}, "延长数量须在1至366之间"),
        ({"reason": "  "}, "请填写原因"),
        ({"unit": "weeks"}, "延长期限的单位无效"),
        ({"subject": ""}, "计时对象无效"),
    ],
)
def test_bad_extensions_are_refused(kwargs, message):
    arguments = {"subject": "s:1", "amount": 5, "reason": "疫情防控", "unit": WD}
    arguments.update(kwargs)

    with pytest.raises(ActionError) as refused:
        grant_extension(actor=calendar_admin(), **arguments)

    assert refused.value.message == message


def test_a_stop_with_a_bad_kind_or_a_future_time_is_refused():
    clerk = calendar_admin()

    with pytest.raises(ActionError) as bad_kind:
        start_clock_stop(subject="s:1", kind="lunch", reason="午休", actor=clerk)
    with pytest.raises(ActionError) as future:
        start_clock_stop(
            subject="s:1",
            kind="hearing",
            reason="听证",
            actor=clerk,
            at=datetime.now(SH) + timedelta(days=1),
        )

    assert bad_kind.value.message == "暂停计时的类型无效"
    assert future.value.message == "时间不能晚于当前时间"
    assert not ClockStop.objects.exists()


# --- properties ---------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31)
).map(lambda moment: moment.replace(tzinfo=SH))
amounts = st.integers(min_value=1, max_value=60)


@st.composite
def stop_lists(draw):
    start = draw(moments)
    stops = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        begin = start + timedelta(hours=draw(st.integers(0, 24 * 90)))
        length = timedelta(hours=draw(st.integers(0, 24 * 30)))
        stops.append(Stop(begin, begin + length))
    return start, stops


@given(case=stop_lists(), n=amounts)
@settings(max_examples=200, deadline=None)
def test_stops_never_make_a_deadline_earlier(case, n):
    start, stops = case
    now = start + timedelta(days=400)

    plain = compute_deadline(start, Limit(n), now=now)
    stopped = compute_deadline(start, Limit(n), stops, now=now)

    assert stopped.due_at >= plain.due_at


@given(case=stop_lists(), n=amounts)
@settings(max_examples=200, deadline=None)
def test_a_working_day_deadline_never_lands_on_a_day_off(case, n):
    start, stops = case

    result = compute_deadline(start, Limit(n), stops, now=start + timedelta(days=400))

    assert is_workday(result.due_date)


@given(case=stop_lists(), n=amounts, more=st.integers(min_value=1, max_value=20))
@settings(max_examples=200, deadline=None)
def test_a_longer_limit_never_ends_earlier(case, n, more):
    start, stops = case
    now = start + timedelta(days=400)

    shorter = compute_deadline(start, Limit(n), stops, now=now)
    longer = compute_deadline(start, Limit(n + more), stops, now=now)

    assert longer.due_at > shorter.due_at


@given(start=moments, n=amounts, extra=st.integers(min_value=1, max_value=20))
@settings(max_examples=100, deadline=None)
def test_an_extension_equals_a_longer_limit(start, n, extra):
    extended = compute_deadline(start, Limit(n), extensions=[Extra(extra)], now=start)

    assert (
        extended.due_at == compute_deadline(start, Limit(n + extra), now=start).due_at
    )


@given(start=moments, n=amounts, days_later=st.integers(min_value=0, max_value=120))
@settings(max_examples=200, deadline=None)
def test_the_state_read_later_equals_the_state_computed_later(start, n, days_later):
    later = start + timedelta(days=days_later, hours=3)

    early = compute_deadline(start, Limit(n), now=start)
    late = compute_deadline(start, Limit(n), now=later)

    assert state_at(early, later) == state_at(late)
    assert remaining_display(early, later) == remaining_display(late)


@given(start=moments, n=st.integers(min_value=1, max_value=30))
@settings(max_examples=100, deadline=None)
def test_calendar_day_deadlines_land_on_working_days_no_earlier_than_n_days(start, n):
    result = compute_deadline(start, Limit(n, DAYS), now=start)

    assert is_workday(result.due_date)
    assert result.due_date >= start.date() + timedelta(days=n)


# --- the sweep ----------------------------------------------------------------


class FakeDomain:
    """A domain with subjects whose states the test sets, and a notifier that
    records what it was told."""

    def __init__(self):
        self.states: dict[str, str] = {}
        self.told: list[tuple[str, str, str | None]] = []
        self.broken = False

    def yield_states(self, now):
        return list(self.states.items())

    def notify(self, subject, state, previous):
        if self.broken:
            raise RuntimeError("SMS gateway down")
        self.told.append((subject, state, previous))


@pytest.fixture
def domain():
    fake = FakeDomain()
    deadline_sweep.register_sweep("fake", states=fake.yield_states, notify=fake.notify)
    yield fake
    deadline_sweep.unregister_sweep("fake")


def test_the_sweep_notifies_once_per_change_of_state(domain):
    domain.states = {"case:1": State.NORMAL, "case:2": State.WARNING}
    deadline_sweep.run_sweep()
    deadline_sweep.run_sweep()
    domain.states["case:1"] = State.WARNING
    deadline_sweep.run_sweep()
    domain.states["case:1"] = State.YELLOW
    domain.states["case:2"] = State.RED
    deadline_sweep.run_sweep()
    deadline_sweep.run_sweep()

    assert domain.told == [
        ("case:2", State.WARNING, None),
        ("case:1", State.WARNING, State.NORMAL),
        ("case:1", State.YELLOW, State.WARNING),
        ("case:2", State.RED, State.WARNING),
    ]
    assert dict(TimeLimitNotice.objects.values_list("subject", "state")) == {
        "case:1": State.YELLOW,
        "case:2": State.RED,
    }


def test_a_failed_notification_is_retried_at_the_next_sweep(domain):
    domain.states = {"case:1": State.YELLOW}
    domain.broken = True

    first = deadline_sweep.run_sweep()
    domain.broken = False
    second = deadline_sweep.run_sweep()

    assert (first.failed, first.notified) == (1, 0)
    assert (second.failed, second.notified) == (0, 1)
    assert domain.told == [("case:1", State.YELLOW, None)]


def test_closed_subjects_are_forgotten(domain):
    domain.states = {"case:1": State.RED, "case:2": State.RED}
    deadline_sweep.run_sweep()
    del domain.states["case:1"]

    report = deadline_sweep.run_sweep()

    assert report.forgotten == 1
    assert list(TimeLimitNotice.objects.values_list("subject", flat=True)) == ["case:2"]


def test_the_sweep_follows_real_deadlines_through_the_ladder():
    start = at(2026, 3, 2, 9)
    told = []
    deadline_sweep.register_sweep(
        "cases",
        states=lambda now: [
            ("case:9", state_at(compute_deadline(start, Limit(5), now=now)))
        ],
        notify=lambda subject, state, previous: told.append(state),
    )
    try:
        for day in (2, 3, 5, 6, 9, 10, 11, 12, 13):
            deadline_sweep.run_sweep(now=at(2026, 3, day, 10))
    finally:
        deadline_sweep.unregister_sweep("cases")

    assert told == [State.WARNING, State.YELLOW, State.RED]
    assert AuditEntry.objects.filter(action="core.sweep_timelimits").count() == 3


def test_the_sweep_command_runs_the_registered_domains(domain, capsys):
    domain.states = {"case:1": State.RED}

    call_command("timelimits", "sweep", "--at", "2026-03-02T10:00")

    assert "检查1项，发出提醒1条，失败0条。" in capsys.readouterr().out
    assert domain.told == [("case:1", State.RED, None)]


def test_the_sweep_command_refuses_an_unknown_domain_or_time(domain):
    with pytest.raises(CommandError, match="未注册的业务：nobody"):
        call_command("timelimits", "sweep", "--domain", "nobody")
    with pytest.raises(CommandError, match="时间格式应为"):
        call_command("timelimits", "sweep", "--at", "tomorrow")


def test_the_coverage_command_names_next_year_until_it_is_entered(monkeypatch, capsys):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 11, 26, 10))

    with pytest.raises(CommandError) as missing:
        call_command("timelimits", "coverage")
    enter_year_notice(
        actor=calendar_admin(),
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
    )
    call_command("timelimits", "coverage")

    assert str(missing.value) == (
        "2027年的节假日安排尚未录入，请在“工作日历”中录入国务院办公厅通知。"
    )
    assert "未来三个月的节假日安排均已掌握。" in capsys.readouterr().out


def test_the_recompute_command_calls_the_calendar_listeners():
    heard = []
    work_calendar.register_calendar_listener("test", heard.append)
    try:
        call_command("timelimits", "recompute", "2027", "2028")
    finally:
        work_calendar.unregister_calendar_listener("test")

    assert heard == [{2027, 2028}]
