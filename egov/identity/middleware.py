"""Sign-in policy applied to every request.

- SessionPolicyMiddleware: idle timeout and absolute lifetime of a session.
- StaffTwoFactorMiddleware: only staff enter the internal face, and staff who
  must use a second factor reach nothing but the enrollment and verification
  pages until they have used it.
- PasswordExpiryMiddleware: an expired password leads to the change page.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.identity import sessions
from egov.identity.actions.signin import (
    is_internal_user,
    second_factor_mandatory,
    totp_device,
)
from egov.identity.passwords import password_expired

INTERNAL_PREFIX = "/staff/"

# Pages a signed-in person can always reach, so that the policies below never
# send anyone round in circles.
_SECOND_FACTOR_PAGES = {
    "account:login",
    "account:login_verify",
    "account:logout",
    "account:reauth",
    "account:two_factor",
    "account:two_factor_setup",
    "account:recovery_codes",
    "account:recovery_codes_download",
}
_PASSWORD_PAGES = _SECOND_FACTOR_PAGES | {"account:password", "account:login_sms"}
_ALWAYS = {"set_language", "healthz"}


def _view_name(request) -> str:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return ""
    return match.view_name


def _exempt(request, names: set[str]) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    name = _view_name(request)
    return name in names or name in _ALWAYS


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(sessions.STARTED)
            seen = session.get(sessions.SEEN, now)
            idle = settings.EGOV_SESSION_IDLE_MINUTES * 60
            absolute = settings.EGOV_SESSION_ABSOLUTE_HOURS * 3600
            if started is None:
                # Signed in some other way than the sign-in pages (the admin
                # site, a test): start the clocks and track the session here.
                session[sessions.STARTED] = now
                session[sessions.SEEN] = now
                sessions.record_session(request, user)
            elif now - started > absolute or now - seen > idle:
                reason = "absolute" if now - started > absolute else "idle"
                record(
                    actor=user,
                    action="identity.expire_session",
                    target=user,
                    detail={"reason": reason},
                )
                sessions.end_expired(request, reason)
                request.egov_session_expired = True
            elif now - seen >= 30:
                # Written at most every 30 s, so most requests save nothing.
                session[sessions.SEEN] = now
        elif (
            request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            and request.session.session_key is None
            and sessions.NOTICE not in request.session
        ):
            # The browser sent a session the server does not know: ended
            # elsewhere, expired, or tampered with. Signed out; say so once.
            request.session[sessions.NOTICE] = "invalid"
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if request.path_info.startswith(INTERNAL_PREFIX) and not is_internal_user(user):
            record(
                actor=user,
                action="identity.enter_internal_face",
                outcome="denied",
                detail={"path": request.path_info[:200]},
            )
            return render(
                request,
                "identity/account_notice.html",
                {
                    "title": _("无权访问"),
                    "message": _(
                        "政务办公平台仅供工作人员使用。公众和法人请使用网上办事大厅。"
                    ),
                },
                status=403,
            )
        if (
            second_factor_mandatory(user)
            and not user.is_verified()
            and not _exempt(request, _SECOND_FACTOR_PAGES)
        ):
            query = urlencode({"next": request.get_full_path()})
            if totp_device(user) is None:
                messages.warning(
                    request, _("工作人员须启用双因素认证，请先绑定动态口令。")
                )
                return redirect(f"{reverse('account:two_factor')}?{query}")
            return redirect(f"{reverse('account:login_verify')}?{query}")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and password_expired(user)
            and not _exempt(request, _PASSWORD_PAGES)
        ):
            messages.warning(
                request,
                _("您的密码已超过%(d)d天未修改，请先修改密码。")
                % {"d": settings.EGOV_PASSWORD_MAX_AGE_DAYS},
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('account:password')}?{query}")
        return self.get_response(request)
