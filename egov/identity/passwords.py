"""Password rules of 等保 level 3: character classes, no username, no reuse."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_CLASSES = [r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]"]


class MinimumLengthValidator:
    """At least EGOV_PASSWORD_MIN_LENGTH characters (Django's own validator has
    no Chinese message for every count)."""

    def __init__(self, min_length=None):
        self.min_length = min_length

    def _needed(self) -> int:
        return self.min_length or settings.EGOV_PASSWORD_MIN_LENGTH

    def validate(self, password, user=None):
        if len(password) < self._needed():
            raise ValidationError(
                _("密码长度至少为%(n)d位") % {"n": self._needed()},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("密码长度至少为%(n)d位") % {"n": self._needed()}


class CharacterClassValidator:
    """At least N of: lower-case, upper-case, digits, symbols."""

    def validate(self, password, user=None):
        needed = settings.EGOV_PASSWORD_MIN_CLASSES
        found = sum(1 for pattern in _CLASSES if re.search(pattern, password))
        if found < needed:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类")
                % {"n": needed},
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类") % {
            "n": settings.EGOV_PASSWORD_MIN_CLASSES
        }


class NotContainingUsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and len(username) >= 3 and username in password.lower():
            raise ValidationError(
                _("密码不能包含账号名"), code="password_contains_username"
            )

    def get_help_text(self):
        return _("密码不能包含账号名")


class HistoryValidator:
    """Not one of the user's last N passwords (the current one included)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        keep = settings.EGOV_PASSWORD_HISTORY
        previous = [user.password] if user.password else []
        previous += list(
            user.password_history.values_list("password", flat=True)[: max(keep - 1, 0)]
        )
        if any(check_password(password, encoded) for encoded in previous if encoded):
            raise ValidationError(
                _("新密码不能与最近%(n)d次使用过的密码相同") % {"n": keep},
                code="password_reused",
            )

    def get_help_text(self):
        return _("新密码不能与最近%(n)d次使用过的密码相同") % {
            "n": settings.EGOV_PASSWORD_HISTORY
        }


def password_age_limit_days() -> int:
    """Days a password stays valid (EGOV_PASSWORD_MAX_AGE_DAYS; 0 = no expiry)."""
    return max(0, settings.EGOV_PASSWORD_MAX_AGE_DAYS)


def password_expires_at(user):
    """When `user`'s password expires, or None when passwords do not expire.

    A password never changed through the platform counts from the day the
    account was created.
    """
    days = password_age_limit_days()
    if not days:
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + timedelta(days=days)


def password_expired(user) -> bool:
    expires = password_expires_at(user)
    return expires is not None and timezone.now() >= expires


def password_rules() -> list[str]:
    """The rules a new password must meet, as shown next to the password field."""
    return [str(text) for text in password_validators_help_texts()]
