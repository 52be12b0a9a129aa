"""Reads of the audit log, shared by the pages, the export and the REST API.

Every read takes the viewer and returns nothing the viewer may not see: a viewer
without the audit view permission gets an empty set, and a single entry answers
404 whether it is missing or hidden.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from egov.audit.models import AuditEntry
from egov.audit.permissions import audit_policy
from egov.identity.models import Organization, User

PAGE_SIZE = 50


def entries_for(
    viewer,
    *,
    user: str = "",
    organization: Organization | None = None,
    include_children: bool = False,
    action: str = "",
    outcome: str = "",
    start=None,
    end=None,
) -> QuerySet:
    """The entries `viewer` may read that match the filters, newest first.

    `user` matches an account name or a person's full name exactly (a failed
    sign-in has only the account typed); `action` is a code prefix; `start` and
    `end` bound the time, both inclusive.
    """
    if not audit_policy.can(viewer, "view"):
        return AuditEntry.objects.none()
    # An entry waiting to be chained (for milliseconds) shows once it is.
    entries = (
        AuditEntry.objects.filter(seq__isnull=False)
        .select_related("user")
        .order_by("-seq")
    )
    if user:
        people = User.objects.filter(Q(username=user) | Q(real_name=user))
        entries = entries.filter(Q(username=user) | Q(user__in=people))
    if organization is not None:
        if include_children:
            codes = Organization.objects.filter(
                path__startswith=organization.path
            ).values("code")
            entries = entries.filter(organization_code__in=codes)
        else:
            entries = entries.filter(organization_code=organization.code)
    if action:
        entries = entries.filter(action__startswith=action)
    if outcome:
        entries = entries.filter(outcome=outcome)
    if start is not None:
        entries = entries.filter(created_at__gte=start)
    if end is not None:
        entries = entries.filter(created_at__lte=end)
    return entries


def get_entry_for(viewer, seq: int) -> AuditEntry:
    """The entry with this seq, or Http404 if it is missing or not for `viewer`."""
    entry = entries_for(viewer).filter(seq=seq).first()
    if entry is None:
        raise Http404
    return entry


def neighbours_of(viewer, entry: AuditEntry) -> tuple[int | None, int | None]:
    """The seqs of the entries just before and just after `entry` on the chain."""
    entries = entries_for(viewer).values_list("seq", flat=True)
    before = entries.filter(seq__lt=entry.seq).order_by("-seq").first()
    after = entries.filter(seq__gt=entry.seq).order_by("seq").first()
    return before, after


@dataclass(frozen=True)
class EntryPage:
    """One page of entries, newest first, with the cursors to its neighbours."""

    entries: list
    newer: int | None
    older: int | None
    is_first: bool


def page_of(
    entries: QuerySet, *, before: int | None = None, after: int | None = None
) -> EntryPage:
    """A page by keyset on seq: fast at any depth, with no count of the table.

    `before` shows the entries older than that seq, `after` those newer.
    """
    size = PAGE_SIZE
    if after is not None:
        rows = list(entries.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_older = entries.filter(seq__lte=after).exists()
    else:
        older = entries if before is None else entries.filter(seq__lt=before)
        rows = list(older[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None and entries.filter(seq__gte=before).exists()
    return EntryPage(
        entries=rows,
        newer=rows[0].seq if rows and has_newer else None,
        older=rows[-1].seq if rows and has_older else None,
        is_first=not has_newer,
    )
