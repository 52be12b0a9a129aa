"""The time-limit sweep: tell each domain once when a subject's warning state
changes (预警, 黄牌, 红牌…). States are computed at read time anyway; the sweep
only sends notifications, and `egov timelimits sweep` runs it (cron or the
task worker, every few minutes).

A domain registers, usually in its AppConfig.ready()::

    register_sweep(
        "servicehall",
        states=lambda now: ((subject_key(c), state_of(c, now)) for c in open_cases()),
        notify=send_card,  # notify(subject, state, previous_state_or_None)
    )

`states(now)` yields (subject, state) for every open subject of the domain.
The sweep keeps the last notified state per subject (TimeLimitNotice) and
calls `notify` once per change, inside a transaction that holds that row
locked, so two sweeps never notify the same change twice; a notifier should
send through `transaction.on_commit`. A subject first seen in the normal state
is recorded without a notification. A notifier that raises leaves the row as
it was, so the next sweep tries again. Rows of subjects a domain no longer
yields (closed cases) are removed.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.audit.actions import record
from egov.core.models import TimeLimitNotice, TimeLimitState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepSource:
    name: str
    states: Callable[[datetime], Iterable[tuple[str, str]]]
    notify: Callable[[str, str, str | None], None]


_sources: dict[str, SweepSource] = {}


def register_sweep(name: str, *, states, notify) -> None:
    """Plug a domain into the sweep (re-registering a name replaces it)."""
    _sources[name] = SweepSource(name, states, notify)


def unregister_sweep(name: str) -> None:
    _sources.pop(name, None)


def registered_sweeps() -> list[str]:
    return sorted(_sources)


@dataclass
class SweepReport:
    seen: int = 0
    notified: int = 0
    failed: int = 0
    forgotten: int = 0
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)


def _notify_change(source: SweepSource, subject: str, state: str, now) -> str | None:
    """Notify one change under the subject's row lock; returns the previous
    state, or raises when another sweep already did it."""
    with transaction.atomic():
        row = (
            TimeLimitNotice.objects.select_for_update().filter(subject=subject).first()
        )
        previous = row.state if row else None
        if previous == state:
            raise _AlreadyDone
        if row is None:
            with transaction.atomic():
                TimeLimitNotice.objects.create(
                    subject=subject, domain=source.name, state=state, notified_at=now
                )
        else:
            row.state, row.notified_at, row.domain = state, now, source.name
            row.save(update_fields=["state", "notified_at", "domain"])
        if previous is not None or state != TimeLimitState.NORMAL:
            source.notify(subject, state, previous)
        return previous


class _AlreadyDone(Exception):
    pass


def _sweep_source(source: SweepSource, now, report: SweepReport) -> None:
    current = dict(source.states(now))
    report.seen += len(current)
    known = dict(
        TimeLimitNotice.objects.filter(domain=source.name).values_list(
            "subject", "state"
        )
    )
    for subject, state in current.items():
        if known.get(subject) == state:
            continue
        try:
            previous = _notify_change(source, subject, state, now)
        except (_AlreadyDone, IntegrityError):
            continue
        except Exception:
            report.failed += 1
            logger.exception(
                "time-limit notifier %s failed for %s", source.name, subject
            )
            continue
        if previous is not None or state != TimeLimitState.NORMAL:
            report.notified += 1
            report.changes.append((subject, state, previous))
    gone = sorted(set(known) - set(current))
    for offset in range(0, len(gone), 500):
        report.forgotten += TimeLimitNotice.objects.filter(
            domain=source.name, subject__in=gone[offset : offset + 500]
        ).delete()[0]


def run_sweep(*, now: datetime | None = None, only: str | None = None) -> SweepReport:
    """Run every registered domain (or `only` that one); returns what happened."""
    now = now or timezone.now()
    report = SweepReport()
    for name in registered_sweeps():
        if only is None or name == only:
            _sweep_source(_sources[name], now, report)
    if report.notified:
        with transaction.atomic():
            record(
                action="core.sweep_timelimits",
                username="egov timelimits sweep",
                detail={
                    "seen": report.seen,
                    "notified": report.notified,
                    "failed": report.failed,
                },
            )
    return report
