"""Sign-in, the second step, SMS sign-in, re-authentication, sign-out, lockout.

Thin views: forms check the input, django.contrib.auth.authenticate (with
django-axes in front) checks the credentials, egov.identity.actions.signin holds
the rules, egov.identity.sessions keeps the session state.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from egov.audit.actions import record
from egov.core.errors import ActionError
from egov.core.validators import mask_phone
from egov.identity import sessions
from egov.identity.actions.signin import (
    LOGIN,
    SMS_CODE_SECONDS,
    SMS_RESEND_SECONDS,
    is_internal_user,
    needs_enrollment,
    reauthenticate,
    recovery_codes_left,
    second_factor_needed,
    send_sms_code,
    totp_device,
    verify_second_factor,
)
from egov.identity.backends import (
    canonical_identifier,
    identifier_problem,
    lockout_username,
)
from egov.identity.forms_auth import (
    ReauthForm,
    SecondFactorForm,
    SignInForm,
    SmsSignInForm,
)
from egov.identity.passwords import password_expired

# What a failed sign-in tells the person, by reason code.
_FAILURE_MESSAGES = {
    "inactive": gettext_lazy("该账号已停用，请联系管理员"),
    "sms_code_invalid": gettext_lazy("验证码不正确，请核对后重新输入"),
    "sms_code_expired": gettext_lazy("验证码已过期或不存在，请重新获取"),
    "sms_code_locked": gettext_lazy("验证码错误次数过多，请重新获取"),
}


def _mounted(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def page_base(request) -> str:
    """The layout of an account page: the face the person belongs to, when the
    process serves it, or the plain sign-in layout."""
    user = request.user
    if is_internal_user(user) and _mounted("staff:workbench"):
        return "web/internal_base.html"
    if _mounted("public:home"):
        return "web/public_base.html"
    return "identity/login_base.html"


def home_url(user) -> str:
    """Where a signed-in person lands: staff on the workbench, others at home."""
    if is_internal_user(user) and _mounted("staff:workbench"):
        return reverse("staff:workbench")
    return reverse("account:home")


def safe_next(request, user=None) -> str:
    """The `next` the request asks for, if it stays on this site (and, for
    someone outside the staff, outside the internal face)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    if not target.startswith("/"):
        return ""
    if user is not None and not is_internal_user(user) and target.startswith("/staff/"):
        return ""
    return target


def _after_sign_in(request, user, next_url: str) -> HttpResponseRedirect:
    """Where to go once signed in: set-up steps first, then `next` or home."""
    query = urlencode({"next": next_url}) if next_url else ""
    if needs_enrollment(user):
        messages.warning(request, _("工作人员须启用双因素认证，请先绑定动态口令。"))
        return redirect(f"{reverse('account:two_factor')}?{query}".rstrip("?"))
    if password_expired(user):
        record(
            actor=user,
            action="identity.require_password_change",
            target=user,
            detail={"reason": "password_expired"},
        )
        messages.warning(
            request,
            _("您的密码已超过%(d)d天未修改，请先修改密码。")
            % {"d": settings.EGOV_PASSWORD_MAX_AGE_DAYS},
        )
        return redirect(f"{reverse('account:password')}?{query}".rstrip("?"))
    return redirect(next_url or home_url(user))


def _signed_in(request, user, next_url: str) -> HttpResponseRedirect:
    """Credentials accepted: either the second step, or signed in."""
    if second_factor_needed(user):
        sessions.begin_second_factor(request, user, next_url=next_url)
        return redirect("account:login_verify")
    sessions.complete_sign_in(request, user)
    return _after_sign_in(request, user, next_url)


def _login_context(request, form, **extra):
    return {
        "form": form,
        "next": safe_next(request),
        "demo_relaxed": settings.EGOV_DEMO_RELAX_2FA,
        "register_available": _mounted("public_account:register"),
        **extra,
    }


@sensitive_post_parameters("password")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request, request.user) or home_url(request.user))
    notice = sessions.take_notice(request)
    if notice:
        messages.info(request, notice)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = identifier_problem(form.cleaned_data["identifier"])
        if problem:
            form.add_error("identifier", problem)
            return render(request, "identity/login.html", _login_context(request, form))
        # Logged and counted under the account it names, never as a bare ID
        # number or mobile number.
        identifier = canonical_identifier(form.cleaned_data["identifier"])
        if sessions.is_locked_out(request, identifier):
            request.egov_signin_failure = "locked"
        user = authenticate(
            request, identifier=identifier, password=form.cleaned_data["password"]
        )
        if user is not None:
            return _signed_in(request, user, safe_next(request, user))
        reason = getattr(request, "egov_signin_failure", "") or "bad_credentials"
        form.add_error(None, _FAILURE_MESSAGES.get(reason, _("账号或密码不正确")))
    return render(request, "identity/login.html", _login_context(request, form))


def _second_factor_subject(request):
    """Who is proving a second factor: a pending sign-in, or a signed-in staff
    member whose session has not used one yet (e.g. signed in elsewhere)."""
    user, state = sessions.pending_sign_in(request)
    if user is not None:
        return user, state, True
    current = request.user
    if current.is_authenticated and not current.is_verified():
        if totp_device(current) is not None:
            return current, {"next": safe_next(request, current)}, False
    return None, {}, False


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_verify(request):
    user, state, pending = _second_factor_subject(request)
    if user is None:
        messages.info(request, _("请先输入账号和密码登录。"))
        return redirect("account:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        if sessions.is_locked_out(request, username):
            request.egov_signin_failure = "locked"
            record(
                action="identity.sign_in",
                outcome="failed",
                username=username,
                detail={"reason": "locked"},
            )
            return lockout_response(request, None, {"identifier": username})
        device, wait = verify_second_factor(user=user, token=form.cleaned_data["code"])
        if wait:
            # Slowed down after a failure: nothing was checked, nothing counted.
            form.add_error(None, _("验证过于频繁，请%(n)d秒后再试") % {"n": wait})
        elif device is None:
            sessions.report_sign_in_failure(
                request, identifier=username, reason="otp_failed"
            )
            form.add_error(None, _("动态口令或恢复码不正确"))
        else:
            method = "recovery_code" if isinstance(device, StaticDevice) else "totp"
            next_url = state.get("next", "")
            if pending:
                sessions.complete_sign_in(request, user, device=device)
            else:
                sessions.second_factor_verified(request, device)
            record(
                actor=user,
                action="identity.verify_second_factor",
                target=user,
                detail={"method": method},
            )
            if method == "recovery_code":
                messages.warning(
                    request,
                    _("您使用了一个恢复码，还剩%(n)d个。恢复码用完前请重新生成。")
                    % {"n": recovery_codes_left(user)},
                )
            return _after_sign_in(request, user, next_url)
    return render(
        request,
        "identity/login_verify.html",
        {"form": form, "subject": user, "pending": pending},
    )


def _sms_sign_in(request, form):
    phone = form.cleaned_data["phone"]
    identifier = canonical_identifier(phone)
    if sessions.is_locked_out(request, identifier):
        request.egov_signin_failure = "locked"
    # `identifier` names the attempt in the log and the lockout count; the
    # password backend ignores it for want of a password.
    user = authenticate(
        request,
        identifier=identifier,
        phone=phone,
        sms_code=form.cleaned_data["code"],
    )
    if user is not None:
        return _signed_in(request, user, safe_next(request, user))
    reason = getattr(request, "egov_signin_failure", "") or "sms_code_invalid"
    message = getattr(request, "egov_signin_message", "") or _FAILURE_MESSAGES.get(
        reason, _("验证码不正确，请核对后重新输入")
    )
    form.add_error("code", message)
    return None


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_sms(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(home_url(request.user))
    sending = request.POST.get("action") == "send"
    form = SmsSignInForm(request.POST or None, sending=sending)
    code_sent = False
    if request.method == "POST" and form.is_valid():
        if sending:
            phone = form.cleaned_data["phone"]
            try:
                send_sms_code(phone=phone, purpose=LOGIN)
            except ActionError as exc:
                form.add_error("phone", str(exc.message))
            else:
                code_sent = True
                messages.success(
                    request,
                    _("如该手机号已注册，验证码已发送至%(phone)s，%(m)d分钟内有效。")
                    % {"phone": mask_phone(phone), "m": SMS_CODE_SECONDS // 60},
                )
        else:
            response = _sms_sign_in(request, form)
            if response is not None:
                return response
    return render(
        request,
        "identity/login_sms.html",
        {
            "form": form,
            "next": safe_next(request),
            "code_sent": code_sent,
            "resend_seconds": SMS_RESEND_SECONDS,
            "register_available": _mounted("public_account:register"),
        },
    )


@require_POST
@csrf_protect
def logout(request):
    if request.user.is_authenticated:
        sessions.sign_out(request)
        messages.success(request, _("您已安全退出。"))
    return redirect("account:login")


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauth(request):
    """Type the password again before changing the password or second factor."""
    next_url = safe_next(request, request.user) or reverse("account:home")
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reauthenticate(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["password"],
            )
        except ActionError as exc:
            form.add_error("password", str(exc.message))
        else:
            sessions.mark_authenticated(request)
            return redirect(next_url)
    return render(
        request,
        "identity/reauth.html",
        {"form": form, "next": next_url, "base_template": page_base(request)},
    )


def lockout_response(request, original_response=None, credentials=None, *a, **kw):
    """django-axes' answer when an account or an address is locked (429).

    The attempt that reaches the limit is logged by its own reason; this adds the
    lockout itself. Attempts made while locked were logged as "locked" already.
    """
    if getattr(request, "egov_signin_failure", "") != "locked":
        record(
            action="identity.lock_out",
            outcome="denied",
            username=str(lockout_username(request, credentials) or "")[:150],
            detail={
                "reason": "locked",
                "failures": getattr(request, "axes_failures_since_start", None),
            },
        )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "identity/locked.html",
        {
            "message": _(
                "连续登录失败次数过多，账号或IP地址已被暂时锁定，"
                "请%(m)d分钟后再试。如忘记密码，请联系管理员。"
            )
            % {"m": minutes}
        },
        status=429,
    )
