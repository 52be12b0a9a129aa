"""我的消息 on the public face: the applicant's messages about their cases,
opened (and so read) one by one, or all marked read at once."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.servicehall import message_queries as queries
from egov.workflow.models import Notification
from egov.workflow.operations.notify import read_all_notifications, read_notification

PAGE_SIZE = 20


@login_required
@require_GET
def message_list(request):
    unread_only = request.GET.get("unread") == "1"
    rows = queries.messages_for(request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicehall/messages/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": queries.unread_count(request.user),
        },
    )


@login_required
@require_POST
def message_open(request, pk):
    """Mark a message read and follow its link (to the case in 我的办件)."""
    row = queries.get_message_for(request.user, pk)
    read_notification(actor=request.user, notification=row)
    if row.url and url_has_allowed_host_and_scheme(
        row.url, allowed_hosts={request.get_host()}
    ):
        return redirect(row.url)
    return redirect("hall:messages")


@login_required
@require_POST
def message_read_all(request):
    # The page lists case messages only; staff messages stay as they were.
    count = read_all_notifications(actor=request.user, kinds=[Notification.Kind.CASE])
    flash.success(request, _("已将 %(n)s 条消息标记为已读") % {"n": count})
    return redirect("hall:messages")
