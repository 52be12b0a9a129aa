from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.workflow import queries as workflow_queries


def home(request):
    return render(request, "web/home.html")


@login_required
def workbench(request):
    return render(
        request,
        "web/workbench.html",
        {"workflow_counts": workflow_queries.counts(request.user)},
    )


def healthz(request):
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """A form came back without a valid CSRF token: stale page or forgery.

    Either way nothing is done; the person is told to reload, and the rejected
    request is logged since a forged one is an attack.
    """
    from egov.audit.actions import record

    user = getattr(request, "user", None)
    record(
        actor=user if user is not None and user.is_authenticated else None,
        action="web.reject_csrf",
        outcome="denied",
        detail={
            "reason": str(reason)[:200],
            "method": request.method,
            "path": request.path[:200],
        },
    )
    return render(
        request,
        "identity/account_notice.html",
        {
            "title": _("请求已失效"),
            "message": _("页面已过期或请求来源无法验证，请刷新页面后重新提交。"),
        },
        status=403,
    )
