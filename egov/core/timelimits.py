"""Statutory and promised time limits (时限), computed at read time.

Nothing here is stored: a domain keeps the event time, the limit and its clock
stops and extensions (ClockStop, Extension rows keyed by `subject_key(obj)`),
and asks `compute_deadline` (or `deadline_for` / `deadlines_for`, which load
the rows) whenever it shows or checks a deadline. Entering a year's holidays
therefore moves every open deadline at once, and a warning state is right at
the moment it is read, with no scheduler.

Counting rules, by unit of the limit:

- Working days (工作日, 行政许可法 第八十二条): the day of the event is day 0;
  day 1 is the first working day after it. The limit ends at the end (24:00,
  Asia/Shanghai) of the N-th counted working day.
- Calendar days (自然日): likewise day by day, and when the last day is not a
  working day the limit ends on the next working day (民法典 第二百零三条).
- Hours (小时): elapsed time, to the minute.

A clock stop pauses counting. For day units a stop covers the days after the
day it began, up to and including the day it ended: the day it began was
still counted, and the day the clock restarts is its new day 0, as with the
event itself. Overlapping stops count once. A stop that begins after the limit
has run out gives no time back. An open stop pauses the clock now: the result
is marked `paused`, its remaining time is frozen, and `due_at` is where the
deadline would fall if the clock restarted now.

Extensions add their amount, in the limit's unit, to the limit.

Warning ladder (settings): normal; 预警 when EGOV_TIMELIMIT_WARNING_DAYS or fewer
working days remain; 黄牌 once overdue; 红牌 at EGOV_TIMELIMIT_RED_DAYS working
days overdue. Hour limits use EGOV_TIMELIMIT_WARNING_HOURS and
EGOV_TIMELIMIT_RED_HOURS instead.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egov.core.models import ClockStop, Extension, TimeLimitState, TimeUnit
from egov.core.workdays import WorkCalendar, current_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
State = TimeLimitState
Unit = TimeUnit

# Bootstrap badge classes of each state: the workbench's green/yellow/red light.
STATE_BADGES = {
    State.NORMAL: "text-bg-success",
    State.WARNING: "text-bg-light border border-warning text-warning-emphasis",
    State.YELLOW: "text-bg-warning",
    State.RED: "text-bg-danger",
}


@dataclass(frozen=True)
class Limit:
    """A time limit: `amount` working days, calendar days or hours."""

    amount: int
    unit: str = Unit.WORKDAYS

    def __post_init__(self):
        if self.unit not in Unit.values:
            raise ValueError(f"unknown time unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a time limit cannot be negative")

    def __str__(self):
        labels = {
            Unit.WORKDAYS: ngettext("%(n)d个工作日", "%(n)d个工作日", self.amount),
            Unit.DAYS: ngettext("%(n)d天", "%(n)d天", self.amount),
            Unit.HOURS: ngettext("%(n)d小时", "%(n)d小时", self.amount),
        }
        return labels[self.unit] % {"n": self.amount}


@dataclass(frozen=True)
class Stop:
    """A clock stop given directly; ClockStop rows serve equally."""

    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class Extra:
    """An extension given directly; Extension rows serve equally."""

    amount: int
    unit: str = Unit.WORKDAYS


@dataclass(frozen=True)
class DeadlineResult:
    """A deadline as of `as_of`.

    `due_at` is the instant the limit runs out (for day units, 24:00 of the last
    day). `remaining_workdays` is negative when overdue (working days over);
    `remaining` is the time left (negative when overdue). Both are frozen while
    `paused`. `provisional` is set when counting crossed a year whose holidays
    are not known yet (`uncovered_years`).
    """

    start: datetime
    limit: Limit
    total: int
    due_at: datetime
    provisional: bool
    uncovered_years: tuple[int, ...]
    paused: bool
    as_of: datetime
    elapsed_workdays: int
    remaining_workdays: int
    remaining: timedelta

    @property
    def due_date(self) -> date:
        """The last day of the limit, in Asia/Shanghai."""
        return (self.due_at - timedelta(microseconds=1)).astimezone(SHANGHAI).date()

    @property
    def state(self) -> str:
        return state_at(self)

    @property
    def badge(self) -> str:
        return STATE_BADGES[State(self.state)]

    @property
    def display(self) -> str:
        return remaining_display(self)

    @property
    def provisional_display(self) -> str:
        return provisional_display(self)


def subject_key(obj, part: str = "") -> str:
    """The key ClockStop, Extension and TimeLimitNotice rows use for obj's
    clock, e.g. "servicehall.case:42"; `part` tells apart several clocks of
    one object ("servicehall.case:42:promised")."""
    key = f"{obj._meta.label_lower}:{obj.pk}"
    return f"{key}:{part}" if part else key


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("time limits need timezone-aware datetimes")
    return moment.astimezone(SHANGHAI)


def _end_of(day: date) -> datetime:
    """24:00 of `day` in Asia/Shanghai, i.e. the first instant after it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def _merge(intervals):
    """Sort and merge intervals (a, b] so that overlapping ones count once."""
    merged = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _walk(origin, total, stops, count, advance):
    """The point where `total` counted units after `origin` run out, skipping
    the stopped intervals (merged, sorted) that begin before that point."""
    cursor, left = origin, total
    for a, b in stops:
        if b <= cursor:
            continue
        a = max(a, cursor)
        available = count(cursor, a)
        if available >= left:
            break
        left -= available
        cursor = b
    return advance(cursor, left)


def _counted(origin, upto, stops, count):
    """Units counted in (origin, upto] outside the stopped intervals."""
    if upto <= origin:
        return count(origin, origin)
    total = count(origin, upto)
    for a, b in stops:
        a, b = max(a, origin), min(b, upto)
        if b > a:
            total -= count(a, b)
    return total


def _total(limit: Limit, extensions) -> int:
    total = limit.amount
    for extension in extensions:
        if extension.unit != limit.unit:
            raise ValueError(
                f"an extension in {extension.unit} cannot extend a limit in"
                f" {limit.unit}"
            )
        total += extension.amount
    return total


def _stop_spans(stops, start: datetime, now: datetime):
    """(begin, end) instants of the stops, open ones ending now; whether paused."""
    spans, paused = [], False
    for stop in stops:
        began = _local(stop.started_at)
        if stop.ended_at is None:
            if began > now:
                continue
            paused = True
            ended = now
        else:
            ended = _local(stop.ended_at)
        spans.append((max(began, start), ended))
    return spans, paused


def compute_deadline(
    start: datetime,
    limit: Limit,
    stops: Iterable = (),
    extensions: Iterable = (),
    *,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> DeadlineResult:
    """The deadline of `limit` counted from the event at `start`, moved by the
    clock stops (anything with `started_at` / `ended_at`) and extensions
    (anything with `amount` / `unit`), as of `now` (default: this moment)."""
    calendar = calendar or current_calendar()
    start = _local(start)
    now = _local(now or timezone.now())
    total = _total(limit, extensions)
    spans, paused = _stop_spans(stops, start, now)
    today = now.date()

    if limit.unit == Unit.HOURS:
        stopped = _merge(spans)
        due_at = _walk(
            start,
            timedelta(hours=total),
            stopped,
            lambda a, b: b - a,
            lambda a, left: a + left,
        )
        used = _counted(start, now, stopped, lambda a, b: b - a)
        remaining = timedelta(hours=total) - used
        remaining_days = calendar.workdays_between(today, due_at.date())
        return DeadlineResult(
            start=start,
            limit=limit,
            total=total,
            due_at=due_at,
            provisional=False,
            uncovered_years=(),
            paused=paused,
            as_of=now,
            elapsed_workdays=calendar.workdays_between(start.date(), today),
            remaining_workdays=remaining_days,
            remaining=remaining,
        )

    origin = start.date()
    stopped = _merge((a.date(), b.date()) for a, b in spans)
    if limit.unit == Unit.WORKDAYS:
        count = calendar.workdays_between

        def advance(day, left):
            return calendar.add_workdays(day, left)[0]

        due = _walk(origin, total, stopped, count, advance)
        elapsed = _counted(origin, today, stopped, count)
        remaining_days = total - elapsed
        uncovered = calendar.uncovered_years(origin + timedelta(days=1), due)
    else:
        due = _walk(
            origin,
            total,
            stopped,
            lambda a, b: (b - a).days,
            lambda a, left: a + timedelta(days=left),
        )
        while not calendar.is_workday(due):
            due += timedelta(days=1)
        elapsed = _counted(origin, today, stopped, calendar.workdays_between)
        remaining_days = calendar.workdays_between(today, due)
        uncovered = calendar.uncovered_years(due, due)
    due_at = _end_of(due)
    return DeadlineResult(
        start=start,
        limit=limit,
        total=total,
        due_at=due_at,
        provisional=bool(uncovered),
        uncovered_years=uncovered,
        paused=paused,
        as_of=now,
        elapsed_workdays=elapsed,
        remaining_workdays=remaining_days,
        remaining=due_at - now,
    )


def _remaining_at(result: DeadlineResult, now: datetime) -> tuple[bool, int]:
    """Whether overdue at `now`, and the working days left (negative: over)."""
    if result.paused:
        return result.remaining_workdays < 0, result.remaining_workdays
    passed = current_calendar().workdays_between(result.as_of.date(), now.date())
    return now >= result.due_at, result.remaining_workdays - passed


def state_at(result: DeadlineResult, now: datetime | None = None) -> str:
    """The ladder state (TimeLimitState value) of `result` at `now` (default:
    the moment it was computed for)."""
    now = _local(now) if now else result.as_of
    if result.limit.unit == Unit.HOURS:
        left = result.remaining if result.paused else result.due_at - now
        if left > timedelta(0):
            warning = timedelta(hours=settings.EGOV_TIMELIMIT_WARNING_HOURS)
            return State.WARNING if left <= warning else State.NORMAL
        red = timedelta(hours=settings.EGOV_TIMELIMIT_RED_HOURS)
        return State.RED if -left >= red else State.YELLOW
    overdue, left = _remaining_at(result, now)
    if not overdue:
        warning = settings.EGOV_TIMELIMIT_WARNING_DAYS
        return State.WARNING if left <= warning else State.NORMAL
    return State.RED if -left >= settings.EGOV_TIMELIMIT_RED_DAYS else State.YELLOW


def _hours_text(left: timedelta, overdue: bool) -> str:
    minutes = int(abs(left).total_seconds() // 60)
    if minutes >= 60:
        n = minutes // 60
        if overdue:
            return ngettext("已超期%(n)d小时", "已超期%(n)d小时", n) % {"n": n}
        return ngettext("剩余%(n)d小时", "剩余%(n)d小时", n) % {"n": n}
    if overdue:
        return ngettext("已超期%(n)d分钟", "已超期%(n)d分钟", minutes) % {"n": minutes}
    return ngettext("剩余%(n)d分钟", "剩余%(n)d分钟", minutes) % {"n": minutes}


def _days_text(result: DeadlineResult, now: datetime, overdue: bool, left: int):
    if result.limit.unit == Unit.DAYS and not result.paused:
        days = (result.due_date - now.date()).days
        if overdue:
            n = -days
            return ngettext("已超期%(n)d天", "已超期%(n)d天", n) % {"n": n}
        if days == 0:
            return _("今日到期")
        return ngettext("剩余%(n)d天", "剩余%(n)d天", days) % {"n": days}
    if overdue:
        if left == 0:
            return _("已超期")
        n = -left
        return ngettext("已超期%(n)d个工作日", "已超期%(n)d个工作日", n) % {"n": n}
    if left == 0 and not result.paused:
        return _("今日到期")
    return ngettext("剩余%(n)d个工作日", "剩余%(n)d个工作日", left) % {"n": left}


def remaining_display(result: DeadlineResult, now: datetime | None = None) -> str:
    """What a person reads beside a deadline: "剩余3个工作日", "今日到期",
    "已超期2个工作日", "暂停计时（剩余3个工作日）"…"""
    now = _local(now) if now else result.as_of
    if result.limit.unit == Unit.HOURS:
        left = result.remaining if result.paused else result.due_at - now
        text = _hours_text(left, left <= timedelta(0))
    else:
        overdue, left = _remaining_at(result, now)
        text = _days_text(result, now, overdue, left)
    if result.paused:
        return _("暂停计时（%(text)s）") % {"text": text}
    return text


def provisional_display(result: DeadlineResult) -> str:
    """The mark staff see on a provisional deadline, or "" for a firm one."""
    if not result.provisional:
        return ""
    years = "、".join(str(year) for year in result.uncovered_years)
    return _(
        "暂定：%(years)s年节假日安排尚未录入，期限暂按周末推算，录入后自动更正"
    ) % {"years": years}


def deadline_for(
    subject: str, start: datetime, limit: Limit, *, now: datetime | None = None
) -> DeadlineResult:
    """compute_deadline with the subject's ClockStop and Extension rows."""
    return deadlines_for([(subject, start, limit)], now=now)[subject]


# Bounded so that the IN lists stay far below SQLite's variable limit.
_CHUNK = 500


def deadlines_for(
    entries: Iterable[tuple[str, datetime, Limit]], *, now: datetime | None = None
) -> dict[str, DeadlineResult]:
    """Deadlines of many subjects (an inbox, a monitoring page) with two
    queries per 500 subjects and one calendar; keyed by subject."""
    entries = list(entries)
    now = now or timezone.now()
    stops: dict[str, list] = {}
    extensions: dict[str, list] = {}
    subjects = [subject for subject, _start, _limit in entries]
    for offset in range(0, len(subjects), _CHUNK):
        chunk = subjects[offset : offset + _CHUNK]
        for row in ClockStop.objects.filter(subject__in=chunk).only(
            "subject", "started_at", "ended_at"
        ):
            stops.setdefault(row.subject, []).append(row)
        for row in Extension.objects.filter(subject__in=chunk).only(
            "subject", "amount", "unit"
        ):
            extensions.setdefault(row.subject, []).append(row)
    calendar = current_calendar()
    return {
        subject: compute_deadline(
            start,
            limit,
            stops.get(subject, ()),
            extensions.get(subject, ()),
            now=now,
            calendar=calendar,
        )
        for subject, start, limit in entries
    }
