"""身份证号, 统一社会信用代码 and mobile number validators, and masking."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from egov.core.validators import (
    id_number_check_char,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_uscc,
    uscc_check_char,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"


def refusal(validator, value) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.code, caught.value.messages[0]


def with_check_char(first17: str) -> str:
    return first17 + id_number_check_char(first17)


# ---- 身份证号 (GB 11643-1999) ------------------------------------------------

born = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))


@st.composite
def id_bodies(draw) -> str:
    """The 17 characters before the check character: address, birth, sequence."""
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return region + draw(born).strftime("%Y%m%d") + sequence


def test_id_number_from_the_standard_is_valid():
    validate_id_number("11010519491231002X")


def test_id_number_check_char_of_the_standard_example_is_x():
    assert id_number_check_char("11010519491231002") == "X"


def test_id_number_with_lower_case_x_and_spaces_is_valid():
    validate_id_number(" 11010519491231002x ")


def test_normalize_id_number_strips_and_upper_cases():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_number(None) == ""


@given(id_bodies())
def test_id_number_with_its_computed_check_char_is_valid(body):
    validate_id_number(with_check_char(body))


@given(
    id_bodies(),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(DIGITS + "X"),
)
def test_id_number_with_any_single_character_changed_is_invalid(body, position, new):
    # Given a valid number
    valid = with_check_char(body)
    assume(valid[position] != new)

    # When one character is replaced
    changed = valid[:position] + new + valid[position + 1 :]

    # Then it is refused, whatever the reason found first
    code, _ = refusal(validate_id_number, changed)
    assert code in {"id_number_chars", "id_number_birth", "id_number_checksum"}


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "id_number_length", "身份证号应为18位"),
        (None, "id_number_length", "身份证号应为18位"),
        ("110105194912310", "id_number_length", "身份证号应为18位"),
        ("11010519491231002X1", "id_number_length", "身份证号应为18位"),
        (
            "1101051949123100XX",
            "id_number_chars",
            "身份证号前17位应为数字，最后一位为数字或X",
        ),
        (
            "11010519491231002Y",
            "id_number_chars",
            "身份证号前17位应为数字，最后一位为数字或X",
        ),
        (
            "１１０１０５１９４９１２３１００２X",
            "id_number_chars",
            "身份证号前17位应为数字，最后一位为数字或X",
        ),
        ("110105194902300026", "id_number_birth", "身份证号中的出生日期无效"),
        ("110105189912310021", "id_number_birth", "身份证号中的出生日期无效"),
        (
            "110105194912310021",
            "id_number_checksum",
            "身份证号校验位不正确，请核对后重新输入",
        ),
    ],
    ids=[
        "empty",
        "none",
        "15-digit-old-number",
        "19-characters",
        "x-inside",
        "letter-y",
        "full-width-digits",
        "30-february",
        "before-1900",
        "wrong-check-char",
    ],
)
def test_id_number_refusal_has_its_exact_message(value, code, message):
    assert refusal(validate_id_number, value) == (code, message)


def test_id_number_born_tomorrow_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    value = with_check_char("110105" + tomorrow.strftime("%Y%m%d") + "002")

    assert refusal(validate_id_number, value) == (
        "id_number_birth",
        "身份证号中的出生日期无效",
    )


def test_id_number_born_today_is_valid():
    today = timezone.localdate()

    validate_id_number(with_check_char("110105" + today.strftime("%Y%m%d") + "002"))


# ---- 统一社会信用代码 (GB 32100-2015) -----------------------------------------


@st.composite
def uscc_bodies(draw) -> str:
    """17 characters: department and kind, a 6-digit region, the subject code."""
    head = draw(st.text(USCC_CHARS, min_size=2, max_size=2))
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    subject = draw(st.text(USCC_CHARS, min_size=9, max_size=9))
    return head + region + subject


@pytest.mark.parametrize("value", ["91350100M000100Y43", "91440300708461136T"])
def test_published_uscc_is_valid(value):
    validate_uscc(value)


def test_uscc_in_lower_case_with_spaces_is_valid():
    validate_uscc(" 91350100m000100y43 ")


def test_normalize_uscc_strips_and_upper_cases():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc(None) == ""


def test_uscc_check_char_that_sums_to_a_multiple_of_31_is_zero():
    assert uscc_check_char("0" * 17) == "0"


@given(uscc_bodies())
def test_uscc_with_its_computed_check_char_is_valid(body):
    validate_uscc(body + uscc_check_char(body))


@given(
    uscc_bodies(),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(USCC_CHARS + "IOZSV"),
)
def test_uscc_with_any_single_character_changed_is_invalid(body, position, new):
    # Given a valid code
    valid = body + uscc_check_char(body)
    assume(valid[position] != new)

    # When one character is replaced
    changed = valid[:position] + new + valid[position + 1 :]

    # Then it is refused
    code, _ = refusal(validate_uscc, changed)
    assert code in {"uscc_chars", "uscc_region", "uscc_checksum"}


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "uscc_length", "统一社会信用代码应为18位"),
        (None, "uscc_length", "统一社会信用代码应为18位"),
        ("91350100M000100Y4", "uscc_length", "统一社会信用代码应为18位"),
        (
            "91350100M000100I43",
            "uscc_chars",
            "统一社会信用代码含有无效字符（不使用I、O、Z、S、V）",
        ),
        (
            "91350100M0001-0Y43",
            "uscc_chars",
            "统一社会信用代码含有无效字符（不使用I、O、Z、S、V）",
        ),
        (
            "91３50100M000100Y43",
            "uscc_chars",
            "统一社会信用代码含有无效字符（不使用I、O、Z、S、V）",
        ),
        (
            "913501A0M000100Y43",
            "uscc_region",
            "统一社会信用代码第3至8位应为登记管理机关的行政区划代码（数字）",
        ),
        (
            "91350100M000100Y44",
            "uscc_checksum",
            "统一社会信用代码校验位不正确，请核对后重新输入",
        ),
    ],
    ids=[
        "empty",
        "none",
        "17-characters",
        "letter-i",
        "hyphen",
        "full-width-digit",
        "letter-in-region",
        "wrong-check-char",
    ],
)
def test_uscc_refusal_has_its_exact_message(value, code, message):
    assert refusal(validate_uscc, value) == (code, message)


# ---- mobile numbers ------------------------------------------------------------


@pytest.mark.parametrize("value", ["13800138000", "19912345678", " 15012345678 "])
def test_mainland_mobile_number_is_valid(value):
    validate_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "1380013800",
        "138001380000",
        "12800138000",
        "23800138000",
        "+8613800138000",
        "138-0013-8000",
        "１３８００１３８０００",
        "1380013800a",
    ],
)
def test_other_mobile_numbers_are_refused_with_the_exact_message(value):
    assert refusal(validate_mobile, value) == (
        "mobile_invalid",
        "请输入11位中国大陆手机号码",
    )


@given(st.sampled_from("3456789"), st.text(DIGITS, min_size=9, max_size=9))
def test_every_eleven_digit_number_from_13_to_19_is_a_mobile_number(second, rest):
    validate_mobile("1" + second + rest)


# ---- masking -----------------------------------------------------------------


def test_masked_id_number_shows_the_first_and_last_four_characters():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_masked_id_number_hides_the_birth_date():
    assert "19491231" not in mask_id_number("11010519491231002X")


@pytest.mark.parametrize(("value", "masked"), [("", ""), (None, ""), ("1234", "****")])
def test_short_or_blank_id_number_masks_to_nothing_readable(value, masked):
    assert mask_id_number(value) == masked


def test_masked_phone_shows_the_first_three_and_last_four_digits():
    assert mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize(("value", "masked"), [("", ""), (None, ""), ("12345", "****")])
def test_short_or_blank_phone_masks_to_nothing_readable(value, masked):
    assert mask_phone(value) == masked
