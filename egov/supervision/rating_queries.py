"""好差评 reads: what the rater sees of their rating and the department's
reply, the rectification lists that know the viewer, and the reports.

Statistics leave out ratings set aside by an upheld appeal. The satisfaction
rate (满意率) is the share of 非常满意, 满意 and 基本满意 among the counted
ratings. The rectification on-time rate (按期整改率) is the share closed by
their deadline among those that are due: closed, or open past their deadline.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.timelimits import Limit, deadlines_for, subject_key
from egov.supervision.models import (
    SATISFIED_LEVELS,
    Level,
    Rectification,
    ServiceRating,
    ServiceWindow,
)
from egov.supervision.permissions import supervision_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
State = Rectification.State


# --- the rater --------------------------------------------------------------


def rating_for_case(case) -> ServiceRating | None:
    """The rating of `case`, or None when it has not been rated."""
    if case is None or case.pk is None:
        return None
    return ServiceRating.objects.filter(case=case).first()


def rectification_reply_for_case(case) -> dict | None:
    """The responsible department's reply to the case's rating, for the
    applicant's case page: {"organization", "reply", "replied_at", "state",
    "state_display"}; None when there is no reply yet."""
    rectification = (
        Rectification.objects.filter(rating__case=case)
        .exclude(reply="")
        .select_related("organization")
        .first()
    )
    if rectification is None:
        return None
    return _reply(rectification)


def _reply(rectification: Rectification) -> dict:
    return {
        "organization": rectification.organization.name,
        "reply": rectification.reply,
        "replied_at": rectification.replied_at,
        "state": rectification.state,
        "state_display": rectification.get_state_display(),
    }


def get_case_to_rate(viewer, number: str):
    """The viewer's own submitted case `number`; Http404 for anyone else's
    or a missing one, so a guessed number tells nothing."""
    from egov.servicehall.models import Case

    if viewer is None or not viewer.is_authenticated:
        raise Http404
    case = (
        Case.objects.select_related("item_version", "organization")
        .filter(number=number, applicant=viewer)
        .first()
    )
    if case is None:
        raise Http404
    return case


def my_ratings(viewer):
    """The viewer's own ratings, newest first, with the reply to each."""
    if viewer is None or not viewer.is_authenticated:
        return []
    rows = list(
        ServiceRating.objects.filter(rater=viewer).select_related(
            "case", "window", "organization", "rectification"
        )
    )
    for row in rows:
        rect = getattr(row, "rectification", None)
        row.reply = _reply(rect) if rect is not None and rect.reply else None
    return rows


def get_public_window(code: str) -> ServiceWindow:
    """An active window by its public code; Http404 otherwise."""
    window = (
        ServiceWindow.objects.select_related("organization", "staff")
        .filter(code=code, is_active=True)
        .first()
    )
    if window is None:
        raise Http404
    return window


def windows_for(viewer):
    """Windows in the viewer's data scope (for printing their rating codes)."""
    rows = ServiceWindow.objects.select_related("organization", "staff")
    return supervision_policy.visible(viewer, rows, "view_windows")


# --- rectifications -------------------------------------------------------


def rectification_deadlines(rectifications, *, now=None) -> dict:
    """{rectification pk: DeadlineResult}, counted in working days from the
    time it was opened."""
    entries = []
    owners = {}
    for rect in rectifications:
        subject = subject_key(rect)
        entries.append((subject, rect.opened_at, Limit(rect.limit_workdays)))
        owners[subject] = rect.pk
    return {
        owners[subject]: result
        for subject, result in deadlines_for(entries, now=now).items()
    }


def rectification_deadline(rectification, *, now=None):
    return rectification_deadlines([rectification], now=now)[rectification.pk]


def _rectification_rows():
    return Rectification.objects.select_related(
        "organization",
        "rating",
        "rating__case",
        "rating__window",
        "rating__rater",
        "rating__recorded_by",
    )


def rectifications_for(viewer, *, state: str = ""):
    """整改工单 of the organizations in the viewer's scope, newest first."""
    rows = supervision_policy.visible(
        viewer, _rectification_rows(), "view_rectification"
    )
    if state:
        rows = rows.filter(state=state)
    return rows


def get_rectification_for(viewer, pk) -> Rectification:
    """The rectification `pk` if the viewer may see it; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    rect = rectifications_for(viewer).filter(pk=pk).first()
    if rect is None:
        raise Http404
    return rect


def appeal_queue(viewer):
    """Appeals waiting for the viewer's review, oldest first."""
    rows = supervision_policy.visible(viewer, _rectification_rows(), "review_appeal")
    return rows.filter(state=State.APPEALING).order_by("appealed_at", "id")


# --- reports ----------------------------------------------------------------

GROUPINGS = ("department", "item", "window", "month")


def _percent(rate: float | None) -> str:
    """A rate as "87.5" (one decimal, for "%" after it), "" for none."""
    return "" if rate is None else f"{rate * 100:.1f}"


@dataclass
class ReportRow:
    key: object
    label: str
    levels: dict = field(default_factory=dict)
    total: int = 0
    rectifications: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue_open: int = 0

    @property
    def satisfied(self) -> int:
        return sum(self.levels.get(level, 0) for level in SATISFIED_LEVELS)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        due = self.closed + self.overdue_open
        return self.closed_on_time / due if due else None

    @property
    def satisfaction_percent(self) -> str:
        return _percent(self.satisfaction_rate)

    @property
    def on_time_percent(self) -> str:
        return _percent(self.on_time_rate)

    @property
    def level_counts(self) -> list[int]:
        return [self.levels.get(level, 0) for level in LEVELS_DESC]


LEVELS_DESC = sorted(Level.values, reverse=True)


@dataclass
class Report:
    grouping: str
    date_from: date
    date_to: date
    rows: list
    total: ReportRow


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _key_field(grouping: str) -> str:
    return {"department": "organization_id", "item": "item_id", "window": "window_id"}[
        grouping
    ]


def _row_key(grouping: str, value):
    if grouping == "month":
        return timezone.localtime(value, SHANGHAI).date()
    return value


def _rating_key(grouping: str, key: str, rating):
    if grouping == "month":
        return timezone.localtime(rating.created_at, SHANGHAI).date().replace(day=1)
    return getattr(rating, key)


def _labels(grouping: str, keys) -> dict:
    from egov.identity.models import Organization
    from egov.servicehall.models import ServiceItemVersion

    keys = [key for key in keys if key is not None]
    if grouping == "month":
        return {key: f"{key:%Y-%m}" for key in keys}
    if grouping == "department":
        return dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name"))
    if grouping == "window":
        return dict(ServiceWindow.objects.filter(pk__in=keys).values_list("pk", "name"))
    names = {}
    for item_id, name in (
        ServiceItemVersion.objects.filter(item_id__in=keys)
        .order_by("item_id", "-number")
        .values_list("item_id", "name")
    ):
        names.setdefault(item_id, name)
    return names


def report(
    viewer,
    *,
    grouping: str = "department",
    date_from: date,
    date_to: date,
    now=None,
) -> Report:
    """Ratings given from `date_from` to `date_to` (inclusive, Asia/Shanghai)
    within the viewer's scope, grouped by department, item, window or month: counts
    per level, satisfaction rate, and their rectifications with the on-time
    rate. Ratings set aside by an upheld appeal are left out."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    now = now or timezone.now()
    ratings = supervision_policy.visible(
        viewer, ServiceRating.objects.all(), "view_reports"
    ).filter(
        excluded=False,
        created_at__gte=_day_start(date_from),
        created_at__lt=_day_start(date_to + timedelta(days=1)),
    )
    aggregates = {f"l{level}": Count("id", filter=Q(level=level)) for level in Level}
    if grouping == "month":
        key = "month"
        grouped = ratings.annotate(month=TruncMonth("created_at", tzinfo=SHANGHAI))
    else:
        key = _key_field(grouping)
        if grouping != "department":
            ratings = ratings.filter(**{f"{key}__isnull": False})
        grouped = ratings
    grouped = grouped.values(key).annotate(**aggregates).order_by(key)
    rows: dict = {}
    for entry in grouped:
        row = ReportRow(key=_row_key(grouping, entry[key]), label="")
        row.levels = {level: entry[f"l{level}"] for level in Level.values}
        row.total = sum(row.levels.values())
        rows[row.key] = row
    rects = list(
        Rectification.objects.filter(rating__in=ratings).select_related("rating")
    )
    deadlines = rectification_deadlines(rects, now=now)
    for rect in rects:
        row = rows[_rating_key(grouping, key, rect.rating)]
        row.rectifications += 1
        due_at = deadlines[rect.pk].due_at
        if rect.state == State.CLOSED:
            row.closed += 1
            if rect.closed_at <= due_at:
                row.closed_on_time += 1
        elif due_at <= now:
            row.overdue_open += 1
    labels = _labels(grouping, rows)
    ordered = []
    for row in rows.values():
        row.label = labels.get(row.key, "—")
        ordered.append(row)
    if grouping == "month":
        ordered.sort(key=lambda r: r.key)
    else:
        ordered.sort(key=lambda r: (-r.total, r.label))
    total = ReportRow(key=None, label=_("合计"))
    total.levels = {
        level: sum(r.levels[level] for r in ordered) for level in Level.values
    }
    total.total = sum(r.total for r in ordered)
    for name in ("rectifications", "closed", "closed_on_time", "overdue_open"):
        setattr(total, name, sum(getattr(r, name) for r in ordered))
    return Report(grouping, date_from, date_to, ordered, total)
