"""Time-limit warnings of accepted cases, for the staff handling them.

Plugs into egov.core.deadline_sweep as the domain "servicehall": each open
accepted case has two subjects, its statutory and its promised limit (the
clock keys of case_common). When one changes state (预警 → 黄牌 → 红牌) the
case's handlers get one site message: the people holding its open approval
tasks, or whoever accepted it when no task is open.
"""

from django.utils.translation import gettext as _

from egov.core.face_urls import face_reverse
from egov.core.models import TimeLimitState
from egov.servicehall.case_common import deadlines, promised_subject, statutory_subject
from egov.servicehall.models import Case
from egov.workflow.models import Notification, Task, TaskCandidate
from egov.workflow.task_notices import STATE_TITLES, handlers_of

SWEEP_DOMAIN = "servicehall"
OPEN_STATES = (Case.State.ACCEPTED, Case.State.SUSPENDED)


def _open_cases():
    return Case.objects.filter(
        state__in=OPEN_STATES, accepted_at__isnull=False
    ).select_related("item_version")


def case_states(now):
    """(subject, state) of both limits of every open accepted case."""
    cases = list(_open_cases())
    for pk, parts in deadlines(cases, now=now).items():
        case = next(c for c in cases if c.pk == pk)
        for part, result in parts.items():
            subject = (
                statutory_subject(case)
                if part == "statutory"
                else promised_subject(case)
            )
            yield subject, result.state


def _case_of(subject: str):
    # "servicehall.case:42" or "servicehall.case:42:promised"
    _label, _sep, rest = subject.partition(":")
    pk, _sep, part = rest.partition(":")
    case = (
        Case.objects.select_related("item_version", "process_instance")
        .filter(pk=int(pk))
        .first()
    )
    return case, part or "statutory"


def case_handlers(case) -> list[int]:
    tasks = []
    if case.process_instance_id:
        tasks = list(
            Task.objects.filter(
                instance_id=case.process_instance_id, state__in=Task.OPEN_STATES
            )
        )
    if tasks:
        candidates = {}
        for c in TaskCandidate.objects.filter(
            task__in=[t for t in tasks if not t.assignee_id]
        ):
            candidates.setdefault(c.task_id, []).append(c)
        by_task = handlers_of(tasks, lambda t: candidates.get(t.pk, []))
        return list(dict.fromkeys(pk for people in by_task.values() for pk in people))
    return [case.accepted_by_id] if case.accepted_by_id else []


def notify_case_warning(subject: str, state: str, previous) -> None:
    if state == TimeLimitState.NORMAL:
        return
    case, part = _case_of(subject)
    if case is None or case.state not in OPEN_STATES:
        return
    limit = _("法定时限") if part == "statutory" else _("承诺时限")
    result = deadlines([case]).get(case.pk, {}).get(part)
    title = _("办件%(state)s：%(item)s（%(number)s）") % {
        "state": STATE_TITLES[state],
        "item": case.item_version.name,
        "number": case.number,
    }
    body = _("%(limit)s截止%(due)s，%(left)s。") % {
        "limit": limit,
        "due": result.due_date.isoformat() if result else "—",
        "left": result.display if result else "",
    }
    url = face_reverse("internal", "cases:detail", args=[case.number])
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=Notification.Kind.TASK,
                title=title[:200],
                body=body,
                url=url[:300],
                instance_id=case.process_instance_id,
                is_urgent=state == TimeLimitState.RED,
            )
            for user_id in case_handlers(case)
        ]
    )


def register_sweep() -> None:
    from egov.core.deadline_sweep import register_sweep as register

    register(SWEEP_DOMAIN, states=case_states, notify=notify_case_warning)
