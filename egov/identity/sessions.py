"""Signed-in sessions: started, tracked, rotated and ended.

Every signed-in session has a UserSession row (key, IP, user agent), so a person
can see and end their own sessions and an administrator who disables an account
ends all of its sessions at once (`end_sessions_of`). The session key changes on
sign-in (Django) and on every change of privilege (second factor verified,
password changed); the row follows the key.

The sign-in steps keep their state in the session under the keys below.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from egov.core.middleware import client_ip
from egov.identity.models import User, UserSession

STARTED = "egov_started"  # when the session signed in (absolute lifetime)
SEEN = "egov_seen"  # last request (idle timeout)
AUTH_AT = "egov_auth_at"  # last time the password was typed (re-authentication)
PENDING = "egov_pending"  # password accepted, second factor still to come
NOTICE = "egov_notice"  # why the last session ended, told on the sign-in page
RECOVERY_CODES = "egov_recovery_codes"  # fresh codes, shown once

PENDING_SECONDS = 5 * 60


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


# --- Tracking -----------------------------------------------------------------


def record_session(request, user) -> UserSession:
    """Write (or refresh) the UserSession row of the current session."""
    if request.session.session_key is None:
        request.session.save()
    row, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request)[:64],
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
        },
    )
    return row


def rotate_session(request) -> None:
    """A new session key for the same session, after a change of privilege."""
    old = request.session.session_key
    request.session.cycle_key()
    _follow_key(old, request.session.session_key)


def _follow_key(old: str | None, new: str | None) -> None:
    if old and new and old != new:
        UserSession.objects.filter(session_key=old).update(session_key=new)


def forget_session(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_sessions_of(user, *, except_key: str | None = None) -> int:
    """End every session of `user` (except `except_key`); returns how many.

    The identity administration calls this when it disables an account.
    """
    rows = UserSession.objects.filter(user=user)
    if except_key:
        rows = rows.exclude(session_key=except_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _store_class()()
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def sessions_of(user, *, current_key: str | None = None) -> list[UserSession]:
    """The user's live sessions, newest first; rows of ended sessions are dropped.

    Each row gets `is_current` for the session asking.
    """
    store = _store_class()()
    live, dead = [], []
    for row in UserSession.objects.filter(user=user).order_by("-created_at", "-id"):
        if store.exists(row.session_key):
            row.is_current = row.session_key == current_key
            live.append(row)
        else:
            dead.append(row.pk)
    if dead:
        UserSession.objects.filter(pk__in=dead).delete()
    return live


# --- Signing in -------------------------------------------------------------------


def mark_authenticated(request) -> None:
    request.session[AUTH_AT] = int(time.time())


def seconds_since_authentication(request) -> float:
    return time.time() - request.session.get(AUTH_AT, 0)


def has_recent_authentication(request) -> bool:
    window = settings.EGOV_REAUTH_MINUTES * 60
    return seconds_since_authentication(request) <= window


def begin_second_factor(request, user, *, next_url: str = "") -> None:
    """Password (or SMS code) accepted; remember who, until the code comes."""
    request.session[PENDING] = {
        "uid": user.pk,
        "backend": user.backend,
        "at": int(time.time()),
        "next": next_url,
    }


def pending_sign_in(request) -> tuple[User | None, dict]:
    """The user waiting for the second factor in this session, if still valid."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict):
        return None, {}
    if time.time() - state.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, {}
    user = User.objects.filter(pk=state.get("uid"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None, {}
    user.backend = state.get("backend") or "egov.identity.backends.IdentifierBackend"
    return user, state


def complete_sign_in(request, user, *, device=None) -> None:
    """Sign `user` in on this request: session, second factor, tracking row."""
    request.session.pop(PENDING, None)
    auth.login(request, user, backend=user.backend)
    if device is not None:
        otp_login(request, device)
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    mark_authenticated(request)
    record_session(request, user)


def second_factor_verified(request, device) -> None:
    """A signed-in session proved its second factor: new key, device noted."""
    otp_login(request, device)
    rotate_session(request)


def after_password_change(request, user) -> None:
    """Keep this session signed in with the new password, under a new key."""
    old = request.session.session_key
    auth.update_session_auth_hash(request, user)
    _follow_key(old, request.session.session_key)
    mark_authenticated(request)


def sign_out(request) -> None:
    forget_session(request.session.session_key)
    auth.logout(request)


def end_expired(request, reason: str) -> None:
    """The session passed its idle or absolute limit: sign out, say why next."""
    sign_out(request)
    request.session[NOTICE] = reason


def take_notice(request) -> str:
    """The message about how the previous session ended, once."""
    reason = request.session.pop(NOTICE, "")
    if reason == "idle":
        return _("您已超过%(m)d分钟未操作，为保障账号安全已自动退出，请重新登录。") % {
            "m": settings.EGOV_SESSION_IDLE_MINUTES
        }
    if reason == "absolute":
        return _("本次登录已超过%(h)d小时的最长有效期，请重新登录。") % {
            "h": settings.EGOV_SESSION_ABSOLUTE_HOURS
        }
    if reason == "invalid":
        return _("登录状态已失效，请重新登录。")
    return ""


# --- Failures and lockout -------------------------------------------------------


def report_sign_in_failure(request, *, identifier: str, reason: str) -> None:
    """A failed step outside `authenticate` (second factor): logged and counted.

    It goes the way a wrong password goes: the audit log records it with its
    reason, and django-axes counts it towards the lockout of the account and the
    IP address.
    """
    request.egov_signin_failure = reason
    user_login_failed.send(
        sender=__name__, credentials={"identifier": identifier}, request=request
    )


def is_locked_out(request, identifier: str) -> bool:
    """Whether django-axes has locked this account or this IP address."""
    if not settings.AXES_ENABLED:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {"identifier": identifier})
