"""The personal centre: profile, password, second factor, sessions; and the
public registration pages."""

from base64 import b32encode
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core.errors import ActionError
from egov.identity import sessions
from egov.identity.actions.signin import (
    REGISTER,
    SMS_CODE_SECONDS,
    SMS_RESEND_SECONDS,
    change_password,
    confirm_totp,
    end_other_sessions,
    enroll_totp,
    pending_totp_device,
    recovery_codes_left,
    regenerate_recovery_codes,
    register_citizen,
    register_entity,
    remove_two_factor,
    second_factor_mandatory,
    send_sms_code,
    totp_device,
)
from egov.identity.forms_auth import (
    CitizenRegistrationForm,
    EntityRegistrationForm,
    PasswordChangeForm,
    TotpConfirmForm,
)
from egov.identity.models import User
from egov.identity.passwords import password_expires_at, password_rules
from egov.identity.views.auth import home_url, page_base, safe_next


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _add_action_error(form, exc: ActionError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, str(error))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _require_recent_authentication(request):
    """None when the password was typed recently; else the way to type it."""
    if sessions.has_recent_authentication(request):
        return None
    messages.info(request, _("为保障账号安全，请再次输入登录密码以确认是本人操作。"))
    return redirect(_with_next("account:reauth", request.get_full_path()))


def recent_authentication_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            detour = _require_recent_authentication(request)
            if detour is not None:
                return detour
        return view(request, *args, **kwargs)

    return wrapper


# --- Personal centre ----------------------------------------------------------------


@never_cache
@login_required
@require_GET
def home(request):
    user = request.user
    current_key = request.session.session_key
    return render(
        request,
        "identity/account.html",
        {
            "base_template": page_base(request),
            "profile": user,
            "kind_label": User.Kind(user.kind).label if user.kind else "",
            "password_expires_at": password_expires_at(user),
            "totp": totp_device(user),
            "codes_left": recovery_codes_left(user),
            "second_factor_mandatory": second_factor_mandatory(user),
            "user_sessions": sessions.sessions_of(user, current_key=current_key),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def end_sessions(request):
    ended = end_other_sessions(
        actor=request.user,
        user=request.user,
        keep_session_key=request.session.session_key,
    )
    messages.success(request, _("已结束其他%(n)d个会话。") % {"n": ended})
    return redirect("account:home")


# --- Password ------------------------------------------------------------------------


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password(request):
    user = request.user
    next_url = safe_next(request, user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_password(
                actor=user,
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
            )
        except ActionError as exc:
            _add_action_error(form, exc)
        else:
            sessions.after_password_change(request, user)
            messages.success(request, _("密码已修改，其他设备上的登录已全部退出。"))
            return redirect(next_url or home_url(user))
    return render(
        request,
        "identity/password.html",
        {
            "base_template": page_base(request),
            "form": form,
            "rules": password_rules(),
            "next": next_url,
            "password_expires_at": password_expires_at(user),
        },
    )


# --- Second factor ----------------------------------------------------------------


def _keep_codes(request, codes: list[str]) -> None:
    request.session[sessions.RECOVERY_CODES] = codes


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def two_factor(request):
    user = request.user
    next_url = safe_next(request, user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "enroll":
                enroll_totp(actor=user, user=user)
                return redirect(_with_next("account:two_factor_setup", next_url))
            if action == "regenerate":
                _keep_codes(request, regenerate_recovery_codes(actor=user, user=user))
                return redirect(_with_next("account:recovery_codes", next_url))
            if action == "remove":
                remove_two_factor(actor=user, user=user)
                messages.success(request, _("已关闭双因素认证。"))
                return redirect("account:two_factor")
            messages.error(request, _("无法识别的操作，请重试。"))
        except ActionError as exc:
            messages.error(request, str(exc.message))
        return redirect(_with_next("account:two_factor", next_url))
    return render(
        request,
        "identity/two_factor.html",
        {
            "base_template": page_base(request),
            "totp": totp_device(user),
            "pending": pending_totp_device(user),
            "codes_left": recovery_codes_left(user),
            "mandatory": second_factor_mandatory(user),
            "next": next_url,
        },
    )


def _secret_groups(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def two_factor_setup(request):
    user = request.user
    next_url = safe_next(request, user)
    device = pending_totp_device(user)
    if device is None:
        messages.info(request, _("请先点击“绑定动态口令”开始绑定。"))
        return redirect(_with_next("account:two_factor", next_url))
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed, codes = confirm_totp(
                actor=user, user=user, token=form.cleaned_data["token"]
            )
        except ActionError as exc:
            _add_action_error(form, exc)
            if exc.code == "totp_enrollment_missing":
                return redirect(_with_next("account:two_factor", next_url))
        else:
            sessions.second_factor_verified(request, confirmed)
            _keep_codes(request, codes)
            messages.success(request, _("动态口令已绑定，下次登录时需要输入动态口令。"))
            return redirect(_with_next("account:recovery_codes", next_url))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "identity/two_factor_setup.html",
        {
            "base_template": page_base(request),
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
            "secret": _secret_groups(device),
            "next": next_url,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    next_url = safe_next(request, request.user)
    codes = request.session.get(sessions.RECOVERY_CODES)
    if request.method == "POST":
        request.session.pop(sessions.RECOVERY_CODES, None)
        return redirect(next_url or home_url(request.user))
    if not codes:
        messages.info(request, _("恢复码只在生成时显示一次；如已遗失，请重新生成。"))
        return redirect(_with_next("account:two_factor", next_url))
    return render(
        request,
        "identity/two_factor_codes.html",
        {"base_template": page_base(request), "codes": codes, "next": next_url},
    )


@never_cache
@login_required
@require_GET
def recovery_codes_download(request):
    codes = request.session.get(sessions.RECOVERY_CODES)
    if not codes:
        messages.info(request, _("恢复码只在生成时显示一次；如已遗失，请重新生成。"))
        return redirect("account:two_factor")
    lines = [
        _("账号 %(user)s 的双因素认证恢复码") % {"user": request.user.get_username()},
        _("每个恢复码只能使用一次。请妥善保管，不要告诉他人。"),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


# --- Registration (public face) -----------------------------------------------------


_REGISTRATION = {
    "citizen": (CitizenRegistrationForm, register_citizen),
    "entity": (EntityRegistrationForm, register_entity),
}


def _register_args(kind: str, data: dict) -> dict:
    common = {
        "phone": data["phone"],
        "sms_code": data["code"],
        "password": data["password1"],
    }
    if kind == "entity":
        return {
            **common,
            "uscc": data["uscc"],
            "name": data["name"],
            "legal_representative": data["legal_representative"],
        }
    return {**common, "real_name": data["real_name"], "id_number": data["id_number"]}


@sensitive_post_parameters("password1", "password2", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    kind = request.POST.get("kind") or request.GET.get("kind") or "citizen"
    if kind not in _REGISTRATION:
        kind = "citizen"
    form_class, action = _REGISTRATION[kind]
    sending = request.POST.get("action") == "send"
    form = form_class(request.POST or None, sending=sending)
    valid = request.method == "POST" and form.is_valid()
    # Sending a code needs only a good mobile number; other fields may wait.
    sending = sending and "phone" in getattr(form, "cleaned_data", {})
    code_sent = False
    if sending or valid:
        try:
            if sending:
                send_sms_code(phone=form.cleaned_data["phone"], purpose=REGISTER)
                code_sent = True
                messages.success(
                    request,
                    _("验证码已发送，%(m)d分钟内有效。")
                    % {"m": SMS_CODE_SECONDS // 60},
                )
            else:
                action(**_register_args(kind, form.cleaned_data))
                messages.success(
                    request,
                    _("注册成功，请使用手机号或身份证号登录。")
                    if kind == "citizen"
                    else _("注册成功，请使用统一社会信用代码或手机号登录。"),
                )
                return redirect("account:login")
        except ActionError as exc:
            _add_action_error(form, exc)
    return render(
        request,
        "identity/register.html",
        {
            "form": form,
            "kind": kind,
            "rules": password_rules(),
            "code_sent": code_sent,
            "resend_seconds": SMS_RESEND_SECONDS,
        },
    )
