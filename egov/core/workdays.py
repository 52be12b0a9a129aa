"""Working days (工作日): which dates are worked, and counting them.

A date's answer comes from, in order:

1. the admin-editable calendar (CalendarDay rows), which always wins;
2. chinesecalendar, for the years it knows;
3. otherwise the weekend rule (Monday to Friday are worked).

A year is *covered* when its official holiday notice is known: chinesecalendar
has it, or an administrator entered it (a CalendarYear row). Counting through
an uncovered year still works, by the weekend rule and any single days entered,
but the result is *provisional* and says so.

Each year is turned once into a table (a working-day flag per date and running
totals), so that asking about a date or adding 60 working days costs no query
and only a few steps per year crossed. Tables live in this process and are
dropped when the calendar changes: the actions in egov.core.calendar call
`calendar_changed()`, which replaces a token in Django's cache (shared between
processes when the cache is Redis) and every process rebuilds on seeing a new
token. With a per-process cache, other processes still rebuild after
`MAX_TABLE_AGE` seconds.

Counting convention (行政许可法 第八十二条: limits in working days exclude
legal holidays; the day of the event is not counted): `add_workdays(d, n)` is
the n-th working day after d, and `workdays_between(a, b)` counts the working
days in (a, b], so `workdays_between(d, add_workdays(d, n)[0]) == n`.
"""

import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import uuid4

import chinese_calendar
from django.core.cache import cache

CACHE_KEY = "egov:core:workcalendar-version"
# Upper bound on how long a process keeps a year table when it cannot learn
# of a change through a shared cache.
MAX_TABLE_AGE = 300

# The package's short names, spelled as the State Council's notice spells them.
_NOTICE_SPELLING = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
_HOLIDAY_NAMES = {
    item.value: _NOTICE_SPELLING.get(item.chinese, item.chinese)
    for item in chinese_calendar.Holiday
}


@dataclass(frozen=True)
class SpecialDay:
    """A holiday or make-up working day as one source states it."""

    date: date
    workday: bool
    name: str


def package_year(year: int) -> dict[date, SpecialDay] | None:
    """chinesecalendar's holidays and make-up days of `year`, or None when the
    package has no data for that year (it raises NotImplementedError then)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    days = {}
    for source, workday in (
        (chinese_calendar.holidays, False),
        (chinese_calendar.workdays, True),
    ):
        for day, name in source.items():
            if day.year == year:
                days[day] = SpecialDay(day, workday, _HOLIDAY_NAMES.get(name, name))
    return days


def override_year(year: int) -> tuple[bool, dict[date, SpecialDay]]:
    """Whether `year`'s notice was entered, and the calendar table's days of it."""
    from egov.core.models import CalendarDay, CalendarYear

    noticed = CalendarYear.objects.filter(year=year).exists()
    rows = CalendarDay.objects.filter(
        date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
    ).values_list("date", "kind", "name")
    days = {
        day: SpecialDay(day, kind == CalendarDay.Kind.WORKDAY, name)
        for day, kind, name in rows
    }
    return noticed, days


@dataclass(frozen=True)
class YearTable:
    """One year, ready for counting: `flags[i]` is 1 when the (i+1)-th day of
    the year is worked, `totals[i]` the working days among its first i days."""

    year: int
    covered: bool
    first: int  # ordinal of 1 January
    flags: bytes
    totals: tuple[int, ...]

    @property
    def workdays(self) -> int:
        return self.totals[-1]


def build_year(year: int) -> YearTable:
    noticed, overrides = override_year(year)
    package = package_year(year)
    first = date(year, 1, 1).toordinal()
    length = date(year, 12, 31).toordinal() - first + 1
    flags = bytearray(length)
    for index in range(length):
        day = date.fromordinal(first + index)
        if day in overrides:
            worked = overrides[day].workday
        elif package is not None and day in package:
            worked = package[day].workday
        else:
            worked = day.weekday() < 5
        flags[index] = worked
    totals = [0]
    for flag in flags:
        totals.append(totals[-1] + flag)
    return YearTable(
        year=year,
        covered=noticed or package is not None,
        first=first,
        flags=bytes(flags),
        totals=tuple(totals),
    )


@dataclass
class WorkCalendar:
    """The working calendar as of one token: year tables built on first use.

    Take one with `current_calendar()` and reuse it for a batch (a whole inbox
    of deadlines) to skip even the token check per call.
    """

    token: str = ""
    created: float = field(default_factory=time.monotonic)
    _tables: dict[int, YearTable] = field(default_factory=dict)

    def table(self, year: int) -> YearTable:
        found = self._tables.get(year)
        if found is None:
            found = self._tables[year] = build_year(year)
        return found

    def is_workday(self, day: date) -> bool:
        table = self.table(day.year)
        return bool(table.flags[day.toordinal() - table.first])

    def covered(self, day: date | int) -> bool:
        year = day if isinstance(day, int) else day.year
        return self.table(year).covered

    def uncovered_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years from `first` to `last` (inclusive) whose holidays are unknown."""
        return tuple(
            year
            for year in range(first.year, last.year + 1)
            if not self.table(year).covered
        )

    def _through(self, day: date) -> int:
        """Working days from 1 January of day's year up to and including day."""
        table = self.table(day.year)
        return table.totals[day.toordinal() - table.first + 1]

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        if b < a:
            return -self.workdays_between(b, a)
        whole_years = sum(self.table(y).workdays for y in range(a.year, b.year))
        return whole_years + self._through(b) - self._through(a)

    def add_workdays(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day after `start` (n >= 0; n == 0 gives `start`),
        and whether it is provisional: an uncovered year was counted through."""
        if n < 0:
            raise ValueError("add_workdays counts forward only")
        if n == 0:
            return start, False
        year = start.year
        target = self._through(start) + n
        while True:
            table = self.table(year)
            if target <= table.workdays:
                index = bisect_left(table.totals, target) - 1
                due = date.fromordinal(table.first + index)
                break
            target -= table.workdays
            year += 1
        provisional = bool(self.uncovered_years(start + timedelta(days=1), due))
        return due, provisional


_lock = threading.Lock()
_current = WorkCalendar()


def _shared_token() -> str:
    token = cache.get(CACHE_KEY)
    if token is None:
        token = uuid4().hex
        if not cache.add(CACHE_KEY, token, timeout=None):
            token = cache.get(CACHE_KEY) or token
    return token


def current_calendar() -> WorkCalendar:
    """The calendar to count with now (one cache lookup; tables are reused)."""
    global _current
    token = _shared_token()
    calendar = _current
    if calendar.token != token or time.monotonic() - calendar.created > MAX_TABLE_AGE:
        with _lock:
            if _current is calendar:
                _current = WorkCalendar(token=token)
            calendar = _current
    return calendar


def calendar_changed() -> None:
    """Make every process rebuild its year tables. The calendar actions call
    this both at once and when their transaction commits."""
    global _current
    cache.set(CACHE_KEY, uuid4().hex, timeout=None)
    with _lock:
        _current = WorkCalendar(token="")


def is_workday(day: date) -> bool:
    """Whether `day` is a working day (工作日)."""
    return current_calendar().is_workday(day)


def covered(day: date) -> bool:
    """Whether the official holidays of day's year are known, from the calendar
    table (an entered notice) or from chinesecalendar."""
    return current_calendar().covered(day)


def add_workdays(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after `start`, and whether that is provisional."""
    return current_calendar().add_workdays(start, n)


def workdays_between(a: date, b: date) -> int:
    """The working days in (a, b] (negative when b is before a)."""
    return current_calendar().workdays_between(a, b)
