"""Task due times and the green/yellow/red light, through egov.core.timelimits.

A task's due time is its node's limit (working days, calendar days or hours)
counted from its arrival, moved by the instance's clock stops (挂起). The
light is read from the due time at display time: red once overdue, yellow
when the warning ladder's window (EGOV_TIMELIMIT_WARNING_DAYS working days,
or EGOV_TIMELIMIT_WARNING_HOURS for hour limits) has begun, green before.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core import timelimits
from egov.core.models import ClockStop

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = {
    GREEN: (_("正常"), "text-bg-success"),
    YELLOW: (_("即将到期"), "text-bg-warning"),
    RED: (_("已超期"), "text-bg-danger"),
}


def clock_subject(instance) -> str:
    return timelimits.subject_key(instance)


def _stops(instance):
    if instance.pk is None:
        return []
    return list(ClockStop.objects.filter(subject=clock_subject(instance)))


def due_at(start, limit: dict, instance):
    """When a limit ({"amount", "unit"}) counted from `start` runs out, or None."""
    if not limit or not limit.get("amount"):
        return None
    result = timelimits.compute_deadline(
        start,
        timelimits.Limit(int(limit["amount"]), limit.get("unit") or "workdays"),
        stops=_stops(instance),
    )
    return result.due_at


def recompute(tasks, instance) -> None:
    """Move the due times of open tasks after the instance's clock restarted."""
    stops = _stops(instance)
    for task in tasks:
        if not task.limit_amount:
            continue
        result = timelimits.compute_deadline(
            task.created_at,
            timelimits.Limit(task.limit_amount, task.limit_unit or "workdays"),
            stops=stops,
        )
        task.due_at = result.due_at
        task.save(update_fields=["due_at"])


def light(due, unit: str = "", now=None) -> str:
    """GREEN, YELLOW or RED for a due time; "" when the task has none."""
    if due is None:
        return ""
    now = now or timezone.now()
    if now >= due:
        return RED
    if unit == "hours":
        window = timedelta(hours=settings.EGOV_TIMELIMIT_WARNING_HOURS)
        return YELLOW if due - now <= window else GREEN
    cutoff = warning_cutoff(now)
    return YELLOW if due <= cutoff else GREEN


def warning_cutoff(now=None):
    """Due times at or before this instant are in the warning window."""
    from egov.core.workdays import current_calendar

    now = (now or timezone.now()).astimezone(timelimits.SHANGHAI)
    last, _provisional = current_calendar().add_workdays(
        now.date(), settings.EGOV_TIMELIMIT_WARNING_DAYS
    )
    return datetime.combine(last + timedelta(days=1), time(0), timelimits.SHANGHAI)


def light_label(value: str) -> str:
    return str(LIGHTS[value][0]) if value else ""


def light_badge(value: str) -> str:
    return LIGHTS[value][1] if value else ""
