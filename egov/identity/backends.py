"""Sign-in by account name, mobile number, ID number or USCC, plus password;
and, for the public, by mobile number plus an SMS code.

Both backends run behind django-axes (first in AUTHENTICATION_BACKENDS), so every
failure counts towards the lockout. A backend that refuses for a reason the
person should hear (a disabled account, an expired code) leaves the reason code
in `request.egov_signin_failure`; the audit log and the sign-in views read it.
"""

import re

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import ValidationError

from egov.core.crypto import blind_index
from egov.core.errors import ActionError
from egov.core.validators import (
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_uscc,
)
from egov.identity.actions.signin import LOGIN, verify_sms_code
from egov.identity.models import User

# Kinds that may sign in with an SMS code. Staff sign in with a password and a
# second factor only.
SMS_SIGN_IN_KINDS = (User.Kind.CITIZEN, User.Kind.ENTITY)


def _clean(identifier) -> str:
    return str(identifier or "").replace("\x00", "").strip()


def find_user(identifier: str) -> User | None:
    """The user an identifier names: account, mobile, ID number or USCC."""
    identifier = _clean(identifier)
    if not identifier or len(identifier) > 150:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None:
        index = blind_index(identifier)
        user = (
            User.objects.filter(phone_index=index).first()
            or User.objects.filter(id_number_index=index).first()
        )
    if user is None and len(identifier) == 18:
        user = User.objects.filter(
            uscc=identifier.upper(), kind=User.Kind.ENTITY
        ).first()
    return user


def find_sms_user(phone: str) -> User | None:
    """The citizen or legal entity whose mobile number this is, if any."""
    phone = _clean(phone)
    if not phone:
        return None
    return User.objects.filter(
        phone_index=blind_index(phone), kind__in=SMS_SIGN_IN_KINDS
    ).first()


_ID_SHAPED = re.compile(r"^\d{17}[\dX]$")


def identifier_problem(identifier) -> str:
    """What is wrong with an identifier shaped like an ID number that is not
    one (bad birth date or check digit), names no account and is no valid USCC;
    empty when there is nothing to say before checking the password."""
    value = _clean(identifier).upper()
    if not _ID_SHAPED.match(value):
        return ""
    try:
        validate_id_number(value)
    except ValidationError as exc:
        try:
            validate_uscc(value)
        except ValidationError:
            if find_user(value) is None:
                return exc.messages[0]
    return ""


def canonical_identifier(identifier) -> str:
    """The name a sign-in attempt is logged and counted under.

    Whatever a person types (account, mobile, ID number, USCC), an identifier
    that names an account becomes that account's name, so switching identifiers
    does not reset the failure count. One that names nobody stays as typed,
    except a mobile or ID number: personal data, so only its masked form is
    kept in the logs.
    """
    raw = _clean(identifier)[:150]
    if not raw:
        return ""
    user = find_user(raw)
    if user is not None:
        return user.get_username()
    if raw.rstrip("Xx").isdigit():
        return mask_phone(raw) if len(raw) == 11 else mask_id_number(raw)
    return raw


def lockout_username(request, credentials=None) -> str | None:
    """The name django-axes counts failures under (AXES_USERNAME_CALLABLE)."""
    if credentials:
        raw = (
            credentials.get("identifier")
            or credentials.get("username")
            or credentials.get("phone")
        )
    else:
        data = getattr(request, "POST", None) or {}
        raw = data.get("identifier") or data.get("phone")
    raw = _clean(raw)[:150]
    if not raw:
        return None
    memo = getattr(request, "_egov_lockout_names", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._egov_lockout_names = memo
    if raw not in memo:
        memo[raw] = canonical_identifier(raw)
    return memo[raw]


def _refuse(request, reason: str, message: str = "") -> None:
    if request is not None:
        request.egov_signin_failure = reason
        request.egov_signin_message = message


class IdentifierBackend(ModelBackend):
    """Password sign-in, and restoring the user of a session.

    Permissions come from roles only (egov.identity.permissions.RoleBackend);
    Django's per-user and group permissions are not used by the platform, so
    this backend grants none and every page is spared their two queries.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def authenticate(
        self, request, identifier=None, password=None, username=None, **kw
    ):
        identifier = identifier or username
        if not identifier or password is None:
            return None
        user = find_user(identifier)
        if user is None:
            User().set_password(password)  # same time as a real check
            return None
        if not user.check_password(password):
            return None
        if not self.user_can_authenticate(user):
            # Said only to someone who knows the password.
            _refuse(request, "inactive")
            return None
        return user


class SmsCodeBackend(BaseBackend):
    """A citizen or legal entity: mobile number plus the code sent to it.

    Permissions come from IdentifierBackend (a ModelBackend); this backend only
    authenticates and restores its own sessions, so permission checks do not
    run twice.
    """

    def get_user(self, user_id):
        return ModelBackend().get_user(user_id)

    def authenticate(self, request, phone=None, sms_code=None, **kw):
        if not phone or sms_code is None:
            return None
        user = find_sms_user(phone)
        try:
            verify_sms_code(phone=phone, purpose=LOGIN, code=sms_code)
        except ActionError as exc:
            _refuse(request, exc.code, str(exc.message))
            return None
        if user is None:
            # A code is only ever sent to a registered number.
            _refuse(request, "sms_code_invalid")
            return None
        if not user.is_active:
            _refuse(request, "inactive")
            return None
        return user
