"""Sign-in and account security: registration, passwords, the second factor and
SMS codes.

Writes are actions (`@audited`): each writes its success entry; a refusal raises
ActionError with a Chinese message and a stable code, and the decorator logs the
refused attempt. The reads at the top are the rules the sign-in views and the
middleware ask, so that no view decides them on its own.
"""

import hmac
import logging
import secrets
import time

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit.actions import record
from egov.core import crypto
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.core.sms import send_sms
from egov.core.validators import (
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)
from egov.identity.models import PasswordHistory, User

logger = logging.getLogger("egov.identity")

RECOVERY_CODE_COUNT = 10

# SMS codes: purposes, lifetime and limits.
LOGIN = "login"
REGISTER = "register"
SMS_PURPOSES = (LOGIN, REGISTER)
SMS_CODE_SECONDS = 5 * 60
SMS_RESEND_SECONDS = 60
SMS_DAILY_LIMIT = 10
SMS_MAX_ATTEMPTS = 5

# Re-typing the current password (password change, re-authentication).
PASSWORD_CHECK_LIMIT = 5
PASSWORD_CHECK_WINDOW = 15 * 60


# --- Rules the views and middleware read -------------------------------------


def is_internal_user(user) -> bool:
    """Whether `user` may enter the internal face (政务内网)."""
    return bool(
        user.is_authenticated
        and (getattr(user, "kind", "") == User.Kind.STAFF or user.is_superuser)
    )


def demo_relaxed(user) -> bool:
    """A demo account in a demo deployment, which skips the second factor."""
    return bool(settings.EGOV_DEMO_RELAX_2FA and getattr(user, "is_demo", False))


def second_factor_mandatory(user) -> bool:
    """Staff (and operators) must use a second factor unless relaxed for demos."""
    if not settings.EGOV_STAFF_2FA_REQUIRED or demo_relaxed(user):
        return False
    return is_internal_user(user) or bool(getattr(user, "is_staff", False))


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_needed(user) -> bool:
    """Whether signing in as `user` takes a second step after the password."""
    if demo_relaxed(user):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_enrollment(user) -> bool:
    """A user who must use a second factor but has not set one up yet."""
    return second_factor_mandatory(user) and totp_device(user) is None


# --- Checking the current password -------------------------------------------


def _check_key(user) -> str:
    return f"egov:pwcheck:{user.pk}"


def _check_current_password(user, password: str, field: str) -> None:
    """Re-typing the current password, with its own limit against guessing."""
    key = _check_key(user)
    failures = cache.get(key, 0)
    if failures >= PASSWORD_CHECK_LIMIT:
        raise ActionError(
            _("密码验证失败次数过多，请%(m)d分钟后再试")
            % {"m": PASSWORD_CHECK_WINDOW // 60},
            code="password_check_throttled",
            target=user,
        )
    if not user.check_password(password or ""):
        if not cache.add(key, 1, PASSWORD_CHECK_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, PASSWORD_CHECK_WINDOW)
        message = _("当前密码不正确")
        raise ActionError(
            message,
            code="current_password_wrong",
            fields={field: [message]},
            target=user,
        )
    cache.delete(key)


def _require_self(actor, user) -> None:
    if actor is None or user is None or actor.pk != user.pk:
        raise PermissionDenied(target=user)


@audited("identity.reauthenticate", target_kwarg="user")
def reauthenticate(*, actor, user, password: str) -> None:
    """Confirm that the person at the keyboard still knows the password."""
    _require_self(actor, user)
    _check_current_password(user, password, "password")
    record(actor=actor, action="identity.reauthenticate", target=user)


# --- Passwords ----------------------------------------------------------------


def _policy_errors(password: str, user) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def _trim_history(user) -> None:
    keep = max(settings.EGOV_PASSWORD_HISTORY, 1)
    stale = list(user.password_history.values_list("id", flat=True)[keep:])
    if stale:
        PasswordHistory.objects.filter(id__in=stale).delete()


@audited("identity.change_password", target_kwarg="user")
def change_password(
    *,
    actor,
    user,
    current_password: str,
    new_password: str,
    keep_session_key: str | None = None,
) -> User:
    """Change one's own password after re-typing the current one.

    The old hash joins the history (the last EGOV_PASSWORD_HISTORY are kept and
    may not be reused), `password_changed_at` restarts the expiry clock, and
    every other session of the user ends.
    """
    from egov.identity.sessions import end_sessions_of

    _require_self(actor, user)
    _check_current_password(user, current_password, "current_password")
    errors = _policy_errors(new_password, user)
    if errors:
        raise ActionError(
            " ".join(errors),
            code="password_policy",
            fields={"new_password1": errors},
            target=user,
        )
    PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    _trim_history(user)
    ended = end_sessions_of(user, except_key=keep_session_key)
    record(
        actor=actor,
        action="identity.change_password",
        target=user,
        detail={"other_sessions_ended": ended},
    )
    return user


# --- SMS codes ----------------------------------------------------------------


def _phone_key(phone: str) -> str:
    # Cache keys carry a keyed digest, never the number itself.
    return crypto.blind_index(phone)[:40]


def _code_key(purpose: str, phone: str) -> str:
    return f"egov:sms:code:{purpose}:{_phone_key(phone)}"


def _code_digest(purpose: str, phone: str, code: str) -> str:
    return crypto.sm3_hmac(
        crypto.index_key(), f"{purpose}:{phone}:{code}".encode()
    ).hex()


def _sms_text(purpose: str, code: str) -> str:
    minutes = SMS_CODE_SECONDS // 60
    site = settings.EGOV_SITE_NAME
    if purpose == REGISTER:
        return _(
            "【%(site)s】您正在注册账号，验证码为%(code)s，%(m)d分钟内有效，"
            "请勿告诉他人。"
        ) % {"site": site, "code": code, "m": minutes}
    return _(
        "【%(site)s】您的登录验证码为%(code)s，%(m)d分钟内有效。"
        "如非本人操作，请忽略本短信。"
    ) % {"site": site, "code": code, "m": minutes}


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ActionError(
            message, code="mobile_invalid", fields={"phone": [message]}
        ) from None
    return phone


def _phone_taken(phone: str) -> bool:
    return User.objects.filter(phone_index=crypto.blind_index(phone)).exists()


@audited("identity.send_sms_code")
def send_sms_code(*, phone: str, purpose: str, actor=None) -> bool:
    """Send a 6-digit code to `phone` for signing in or registering.

    Limits: one code per number every 60 seconds, ten a day; a code lives five
    minutes and allows five tries; only its keyed digest is kept, in the cache.
    A sign-in code goes only to a registered citizen or entity; for any other
    number nothing is sent, the answer is the same (so the page does not tell
    who is registered), and the log says so. Returns whether a code was sent.
    """
    from egov.identity.backends import find_sms_user

    if purpose not in SMS_PURPOSES:
        raise ActionError(_("验证码用途无效"), code="sms_purpose_invalid")
    phone = _clean_phone(phone)
    if purpose == REGISTER and _phone_taken(phone):
        message = _("该手机号已注册，请直接登录")
        raise ActionError(message, code="phone_taken", fields={"phone": [message]})
    now = time.time()
    last_key = f"egov:sms:last:{_phone_key(phone)}"
    if not cache.add(last_key, now, SMS_RESEND_SECONDS):
        wait = max(1, int(SMS_RESEND_SECONDS - (now - (cache.get(last_key) or now))))
        message = _("验证码发送过于频繁，请%(n)d秒后再试") % {"n": wait}
        raise ActionError(message, code="sms_too_frequent", fields={"phone": [message]})
    day_key = f"egov:sms:day:{_phone_key(phone)}:{timezone.localdate():%Y%m%d}"
    cache.add(day_key, 0, 24 * 3600)
    try:
        sent_today = cache.incr(day_key)
    except ValueError:
        cache.set(day_key, 1, 24 * 3600)
        sent_today = 1
    if sent_today > SMS_DAILY_LIMIT:
        message = _("该手机号今日获取验证码次数已达上限（%(n)d次），请明天再试") % {
            "n": SMS_DAILY_LIMIT
        }
        raise ActionError(message, code="sms_daily_limit", fields={"phone": [message]})
    detail = {"phone": mask_phone(phone), "purpose": purpose}
    if purpose == LOGIN and find_sms_user(phone) is None:
        record(
            actor=actor,
            action="identity.send_sms_code",
            outcome="failed",
            detail={**detail, "reason": "unknown_phone"},
        )
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _code_key(purpose, phone),
        {
            "digest": _code_digest(purpose, phone, code),
            "expires": now + SMS_CODE_SECONDS,
            "attempts": 0,
        },
        SMS_CODE_SECONDS,
    )
    try:
        send_sms(phone, _sms_text(purpose, code))
    except Exception:  # noqa: BLE001 - any gateway failure is the same to the user
        logger.exception("SMS gateway failed for %s", mask_phone(phone))
        cache.delete(_code_key(purpose, phone))
        cache.delete(last_key)
        raise ActionError(
            _("短信发送失败，请稍后再试"), code="sms_send_failed"
        ) from None
    record(actor=actor, action="identity.send_sms_code", detail=detail)
    return True


def verify_sms_code(*, phone: str, purpose: str, code: str) -> None:
    """Use up the code sent to `phone`, or raise ActionError saying why not.

    Not audited here: the sign-in or registration that asked logs the outcome.
    """
    phone = (phone or "").strip()
    key = _code_key(purpose, phone)
    entry = cache.get(key)
    if not entry or entry.get("expires", 0) < time.time():
        cache.delete(key)
        raise ActionError(
            _("验证码已过期或不存在，请重新获取"),
            code="sms_code_expired",
            fields={"code": [_("验证码已过期或不存在，请重新获取")]},
        )
    if entry["attempts"] >= SMS_MAX_ATTEMPTS:
        cache.delete(key)
        raise ActionError(
            _("验证码错误次数过多，请重新获取"),
            code="sms_code_locked",
            fields={"code": [_("验证码错误次数过多，请重新获取")]},
        )
    given = _code_digest(purpose, phone, (code or "").strip())
    if hmac.compare_digest(given, entry["digest"]):
        cache.delete(key)
        return
    entry["attempts"] += 1
    left = SMS_MAX_ATTEMPTS - entry["attempts"]
    if left <= 0:
        cache.delete(key)
        message = _("验证码错误次数过多，请重新获取")
        raise ActionError(message, code="sms_code_locked", fields={"code": [message]})
    cache.set(key, entry, max(1, int(entry["expires"] - time.time())))
    message = _("验证码不正确，还可尝试%(n)d次") % {"n": left}
    raise ActionError(message, code="sms_code_invalid", fields={"code": [message]})


# --- Registration ---------------------------------------------------------------


def _new_username(prefix: str) -> str:
    while True:
        candidate = prefix + "".join(secrets.choice("0123456789") for _n in range(10))
        if not User.objects.filter(username=candidate).exists():
            return candidate


def _validated(validator, value: str, field: str, code: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ActionError(message, code=code, fields={field: [message]}) from None


def _clean_name(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        message = _("请填写%(label)s") % {"label": label}
        raise ActionError(message, code="name_required", fields={field: [message]})
    if len(value) > 100:
        message = _("%(label)s不能超过100个字符") % {"label": label}
        raise ActionError(message, code="name_too_long", fields={field: [message]})
    return value


def _require_new_password(password: str, user) -> None:
    errors = _policy_errors(password or "", user)
    if errors:
        raise ActionError(
            " ".join(errors), code="password_policy", fields={"password1": errors}
        )


def _save_new_user(user, *, unique_code: str, unique_message: str, field: str):
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone registered the same number a moment ago.
        raise ActionError(
            unique_message, code=unique_code, fields={field: [unique_message]}
        ) from None
    return user


@audited("identity.register_citizen")
def register_citizen(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    sms_code: str,
    password: str,
    actor=None,
) -> User:
    """Create a citizen account (kind=citizen) with a generated account name.

    The ID number must pass the GB 11643 checksum, the mobile number must have
    received `sms_code`, and neither may belong to another account. The code is
    used up only when everything else is in order.
    """
    real_name = _clean_name(real_name, "real_name", _("姓名"))
    id_number = normalize_id_number(id_number)
    _validated(validate_id_number, id_number, "id_number", "id_number_invalid")
    phone = _clean_phone(phone)
    if User.objects.filter(id_number_index=crypto.blind_index(id_number)).exists():
        message = _("该身份证号已注册，请直接登录")
        raise ActionError(
            message, code="id_number_taken", fields={"id_number": [message]}
        )
    if _phone_taken(phone):
        message = _("该手机号已注册，请直接登录")
        raise ActionError(message, code="phone_taken", fields={"phone": [message]})
    user = User(
        username=_new_username("c"), kind=User.Kind.CITIZEN, real_name=real_name
    )
    _require_new_password(password, user)
    verify_sms_code(phone=phone, purpose=REGISTER, code=sms_code)
    user.id_number = id_number
    user.phone = phone
    user.set_password(password)
    user.password_changed_at = timezone.now()
    _save_new_user(
        user,
        unique_code="phone_taken",
        unique_message=_("该手机号已注册，请直接登录"),
        field="phone",
    )
    record(
        actor=user,
        action="identity.register_citizen",
        target=user,
        detail={"id_number": mask_id_number(id_number), "phone": mask_phone(phone)},
    )
    return user


@audited("identity.register_entity")
def register_entity(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    phone: str,
    sms_code: str,
    password: str,
    actor=None,
) -> User:
    """Create a legal-entity account (kind=entity) identified by its USCC.

    The legal representative's name is kept in `first_name`, the person-name
    field of the account, since the entity itself is the account's real name.
    """
    uscc = normalize_uscc(uscc)
    _validated(validate_uscc, uscc, "uscc", "uscc_invalid")
    name = _clean_name(name, "name", _("单位名称"))
    legal_representative = _clean_name(
        legal_representative, "legal_representative", _("法定代表人")
    )
    phone = _clean_phone(phone)
    if User.objects.filter(uscc=uscc, kind=User.Kind.ENTITY).exists():
        message = _("该统一社会信用代码已注册，请直接登录")
        raise ActionError(message, code="uscc_taken", fields={"uscc": [message]})
    if _phone_taken(phone):
        message = _("该手机号已注册，请直接登录")
        raise ActionError(message, code="phone_taken", fields={"phone": [message]})
    user = User(
        username=_new_username("e"),
        kind=User.Kind.ENTITY,
        real_name=name,
        uscc=uscc,
        first_name=legal_representative[:150],
    )
    _require_new_password(password, user)
    verify_sms_code(phone=phone, purpose=REGISTER, code=sms_code)
    user.phone = phone
    user.set_password(password)
    user.password_changed_at = timezone.now()
    _save_new_user(
        user,
        unique_code="phone_taken",
        unique_message=_("该手机号已注册，请直接登录"),
        field="phone",
    )
    record(
        actor=user,
        action="identity.register_entity",
        target=user,
        detail={"uscc": uscc, "phone": mask_phone(phone)},
    )
    return user


# --- The second factor ---------------------------------------------------------


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=token) for token in codes]
    )
    return codes


@audited("identity.enroll_totp", target_kwarg="user")
def enroll_totp(*, actor, user) -> TOTPDevice:
    """Start binding an authenticator app: a new, unconfirmed TOTP device.

    An app already in use keeps working until the new one is confirmed.
    """
    _require_self(actor, user)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=_("动态口令"), confirmed=False)
    record(actor=actor, action="identity.enroll_totp", target=user)
    return device


def pending_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


@audited("identity.confirm_totp", target_kwarg="user")
def confirm_totp(*, actor, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Finish binding: the app's current code proves it holds the secret.

    The new app replaces any earlier one, and ten fresh recovery codes replace
    any earlier codes. Returns the device and the codes (shown once).
    """
    _require_self(actor, user)
    device = pending_totp_device(user)
    if device is None:
        raise ActionError(
            _("绑定已失效，请重新开始绑定动态口令"), code="totp_enrollment_missing"
        )
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == device.digits):
        message = _("请输入验证器应用显示的6位动态口令")
        raise ActionError(message, code="totp_format", fields={"token": [message]})
    if not device.verify_token(token):
        message = _("动态口令不正确，请确认手机时间准确后重试")
        raise ActionError(message, code="totp_invalid", fields={"token": [message]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    record(
        actor=actor,
        action="identity.confirm_totp",
        target=user,
        detail={"recovery_codes": len(codes)},
    )
    return device, codes


@audited("identity.regenerate_recovery_codes", target_kwarg="user")
def regenerate_recovery_codes(*, actor, user) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working."""
    _require_self(actor, user)
    if totp_device(user) is None:
        raise ActionError(_("请先启用动态口令，再生成恢复码"), code="totp_not_enabled")
    codes = _new_recovery_codes(user)
    record(actor=actor, action="identity.regenerate_recovery_codes", target=user)
    return codes


@audited("identity.remove_two_factor", target_kwarg="user")
def remove_two_factor(*, actor, user) -> None:
    """Turn the second factor off: the app and the recovery codes go."""
    _require_self(actor, user)
    if second_factor_mandatory(user):
        raise ActionError(
            _("工作人员必须使用双因素认证，不能移除；如需更换手机，请重新绑定"),
            code="two_factor_required",
            target=user,
        )
    if totp_device(user) is None:
        raise ActionError(_("尚未启用双因素认证"), code="totp_not_enabled")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor=actor, action="identity.remove_two_factor", target=user)


def verify_second_factor(*, user, token: str):
    """Check a TOTP code or a recovery code: returns (device, seconds_to_wait).

    Six digits go to the authenticator app, anything else to the recovery codes
    (each works once). django-otp slows a device down after each failure; while
    it does, the code is not checked at all and the wait is returned instead.
    Not audited here: the sign-in step logs the outcome.
    """
    token = (token or "").strip().replace(" ", "").replace("-", "").lower()
    if not token or len(token) > 16:
        return None, 0
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    tried, wait = False, 0
    with transaction.atomic():
        for device in model.objects.filter(
            user=user, confirmed=True
        ).select_for_update():
            allowed, data = device.verify_is_allowed()
            if not allowed:
                wait = max(wait, _seconds_until((data or {}).get("locked_until")))
                continue
            tried = True
            if device.verify_token(token):
                return device, 0
    return None, 0 if tried else max(wait, 1)


def _seconds_until(moment) -> int:
    if moment is None:
        return 1
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)


# --- Sessions ---------------------------------------------------------------------


@audited("identity.end_other_sessions", target_kwarg="user")
def end_other_sessions(*, actor, user, keep_session_key: str | None) -> int:
    """Sign one's account out everywhere but here; returns how many ended."""
    from egov.identity.sessions import end_sessions_of

    _require_self(actor, user)
    ended = end_sessions_of(user, except_key=keep_session_key)
    record(
        actor=actor,
        action="identity.end_other_sessions",
        target=user,
        detail={"ended": ended},
    )
    return ended
