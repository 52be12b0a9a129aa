"""Validators for Chinese identifiers, with checksums and clear messages."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# [0-9], not \d: \d also matches full-width and other Unicode digits, which
# would pass here and then be stored or crash the checksum.
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_USCC_REGION_RE = re.compile(r"[0-9]{6}")

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    """身份证号 per GB 11643-1999: 18 characters, a real birth date, checksum."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(_("身份证号应为18位"), code="id_number_length")
    if not _ID_RE.fullmatch(value):
        raise ValidationError(
            _("身份证号前17位应为数字，最后一位为数字或X"), code="id_number_chars"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期无效"), code="id_number_birth"
        ) from None
    if born.year < 1900 or born > timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期无效"), code="id_number_birth")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("身份证号校验位不正确，请核对后重新输入"), code="id_number_checksum"
        )


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper()


def uscc_check_char(first17: str) -> str:
    total = sum(
        _USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """统一社会信用代码 per GB 32100-2015: 18 characters and a mod-31 checksum."""
    value = normalize_uscc(value)
    if len(value) != 18:
        raise ValidationError(_("统一社会信用代码应为18位"), code="uscc_length")
    if not _USCC_RE.fullmatch(value):
        raise ValidationError(
            _("统一社会信用代码含有无效字符（不使用I、O、Z、S、V）"), code="uscc_chars"
        )
    if not _USCC_REGION_RE.fullmatch(value[2:8]):
        raise ValidationError(
            _("统一社会信用代码第3至8位应为登记管理机关的行政区划代码（数字）"),
            code="uscc_region",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新输入"), code="uscc_checksum"
        )


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.fullmatch((value or "").strip()):
        raise ValidationError(_("请输入11位中国大陆手机号码"), code="mobile_invalid")


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "****"


def mask_phone(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "****"
