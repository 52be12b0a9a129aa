from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def home(request):
    return render(request, "web/home.html")


@login_required
def workbench(request):
    return render(request, "web/workbench.html")


def healthz(request):
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    return render(
        request,
        "web/error.html",
        {
            "title": _("请求已失效"),
            "message": _("页面已过期或请求来源无法验证，请刷新页面后重新提交。"),
        },
        status=403,
    )
