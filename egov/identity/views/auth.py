"""Sign-in, sign-out and the lockout answer."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials=None, *args, **kwargs):
    return render(
        request,
        "identity/locked.html",
        {
            "message": _(
                "连续登录失败次数过多，账号或IP已被暂时锁定，请15分钟后再试。"
            )
        },
        status=429,
    )
