"""What every case action shares: numbers, lookup codes, the timeline, the
deadlines and the applicant's messages.

Case numbers read `<region code><yyyymmdd><5-digit sequence>` (e.g.
`33102120261126 00042` without the space): the county's GB/T 2260 code tells
which government issued it, the date when it was submitted. The per-day
sequence row is locked while a number is taken, so two submissions never get
the same number. The lookup code (查询码) is random and goes with the number
for the public progress lookup.
"""

import secrets
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from egov.core.timelimits import DeadlineResult, deadlines_for, subject_key
from egov.servicehall.models import Case, CaseEvent, CaseSequence

# No 0/O or 1/I/L: a lookup code is read out over the phone.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 6


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def next_case_number(case: Case, at: datetime | None = None) -> str:
    """Take the next number of the day for `case` (call inside the submitting
    transaction: the sequence row stays locked until it commits)."""
    day = timezone.localdate(at or timezone.now())
    with transaction.atomic():
        CaseSequence.objects.get_or_create(day=day)
        sequence = CaseSequence.objects.select_for_update().get(day=day)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    region = case.organization.region
    prefix = region.code if region is not None else "000000"
    return f"{prefix}{day:%Y%m%d}{sequence.last:05d}"


def progress_key(number: str) -> str:
    """The cache key of a case's public progress (apply_queries.public_progress)."""
    return f"egov:hall:progress:{number}"


def add_event(
    case: Case,
    kind: str,
    *,
    actor=None,
    organization=None,
    note: str = "",
    public_note: str = "",
    detail: dict | None = None,
) -> CaseEvent:
    """Append one line to the case's timeline. `public_note` is what anyone
    with the number and lookup code may read: never personal data. Every
    change the public lookup shows comes with a timeline line, so this is
    where its cached copy is dropped (when the transaction commits)."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        organization=organization,
        note=note,
        public_note=public_note[:300],
        detail=detail or {},
    )
    if case.number:
        number = case.number
        transaction.on_commit(lambda: cache.delete(progress_key(number)))
    return event


def statutory_subject(case: Case) -> str:
    """The clock key of the case's statutory limit (法定时限)."""
    return subject_key(case)


def promised_subject(case: Case) -> str:
    """The clock key of the case's promised limit (承诺时限)."""
    return subject_key(case, "promised")


def deadlines(cases, *, now=None) -> dict[int, dict[str, DeadlineResult]]:
    """Statutory and promised deadlines of accepted cases, by case id:
    `{case.pk: {"statutory": ..., "promised": ...}}`. Both clocks start at
    acceptance; clock stops (补正 after acceptance, hearings, inspections,
    expert review) and extensions are kept per subject and move them.
    Cases not yet accepted have none."""
    entries = []
    owners = {}
    for case in cases:
        if case.accepted_at is None:
            continue
        version = case.item_version
        for part, subject, limit in (
            ("statutory", statutory_subject(case), version.statutory),
            ("promised", promised_subject(case), version.promised),
        ):
            entries.append((subject, case.accepted_at, limit))
            owners[subject] = (case.pk, part)
    results: dict[int, dict[str, DeadlineResult]] = {}
    for subject, result in deadlines_for(entries, now=now).items():
        pk, part = owners[subject]
        results.setdefault(pk, {})[part] = result
    return results


def deadline(case: Case, *, now=None) -> dict[str, DeadlineResult]:
    """The deadlines of one case (empty before acceptance)."""
    return deadlines([case], now=now).get(case.pk, {})
