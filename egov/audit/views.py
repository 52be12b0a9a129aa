"""The auditor's pages: the filtered log, one entry, and the Excel export."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from egov.audit import queries
from egov.audit.actions import export_entries, require_reader
from egov.audit.chain import entry_hash
from egov.audit.forms import EntryFilterForm
from egov.audit.labels import ACTION_LABELS
from egov.audit.models import AuditEntry
from egov.audit.permissions import audit_policy
from egov.core.errors import ActionError, PermissionDenied


def _require_reader(user) -> None:
    try:
        require_reader(actor=user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc


def _cursor(value: str | None) -> int | None:
    # A cursor someone typed by hand is ignored rather than answered with 500.
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filter_query(form: EntryFilterForm) -> str:
    return urlencode(
        [(key, value) for key, value in form.data.items() if key in form.fields]
    )


@require_GET
@login_required
def entry_list(request):
    _require_reader(request.user)
    form = EntryFilterForm(request.GET or None)
    page = None
    if form.is_bound and not form.is_valid():
        entries = None
    else:
        filters = form.filters() if form.is_bound else {}
        entries = queries.entries_for(request.user, **filters)
        page = queries.page_of(
            entries,
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "filter_query": _filter_query(form) if form.is_bound else "",
            "can_export": audit_policy.can(request.user, "export"),
            "known_actions": sorted(ACTION_LABELS.items()),
        },
    )


@require_GET
@login_required
def entry_detail(request, seq: int):
    _require_reader(request.user)
    entry = queries.get_entry_for(request.user, seq)
    before, after = queries.neighbours_of(request.user, entry)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "hash_matches": entry_hash(entry) == entry.hash,
            "before": before,
            "after": after,
        },
    )


@require_POST
@login_required
def entry_export(request):
    form = EntryFilterForm(request.POST)
    valid = form.is_valid()
    back = reverse("audit:entry_list")
    if not valid and audit_policy.can(request.user, "export"):
        messages.error(
            request,
            " ".join(str(m) for errors in form.errors.values() for m in errors),
        )
        return redirect(back)
    back = f"{back}?{_filter_query(form)}"
    # Someone who may not export still goes through the action, which refuses
    # and logs the attempt.
    entries = (
        queries.entries_for(request.user, **form.filters())
        if valid
        else AuditEntry.objects.none()
    )
    try:
        handle, _rows = export_entries(
            actor=request.user, entries=entries, filters=form.summary()
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"audit-log-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
