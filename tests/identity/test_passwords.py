"""The password policy, changing one's password, history and expiry."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from egov.identity.models import PasswordHistory, User
from tests.identity.signin_helpers import (
    PASSWORD,
    ZHANGSAN_PHONE,
    entries,
    page_text,
    sign_in,
    zhangsan,
)

pytestmark = pytest.mark.django_db


def _messages(password, user=None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return exc.messages
    return []


def _change(client, current, new, confirm=None, **extra):
    return client.post(
        "/account/password/",
        {
            "current_password": current,
            "new_password1": new,
            "new_password2": new if confirm is None else confirm,
            **extra,
        },
    )


@pytest.fixture
def citizen_client(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    return client


# --- The policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!x", "密码长度至少为8位"),
        ("abcdefgh1", "密码须包含大写字母、小写字母、数字、符号中的至少3类"),
        ("ABCDEFGH!", "密码须包含大写字母、小写字母、数字、符号中的至少3类"),
        ("Password1", "这个密码太常见了。"),
    ],
)
def test_policy_refuses_weak_passwords_with_the_rule_broken(password, message):
    assert message in _messages(password)


@pytest.mark.parametrize("password", ["Qinghe#2026", "qinghe#2026x", "QINGHE2026!"])
def test_policy_accepts_three_of_four_classes_at_eight_characters(password):
    assert _messages(password) == []


def test_password_may_not_contain_the_account_name():
    user = User(username="zhangsan", kind=User.Kind.CITIZEN, real_name="张三")

    assert "密码不能包含账号名" in _messages("ZhangSan#2026", user)


def test_policy_is_configurable(settings):
    settings.EGOV_PASSWORD_MIN_LENGTH = 12
    settings.EGOV_PASSWORD_MIN_CLASSES = 4

    messages = _messages("Qinghe#2026")

    assert messages == ["密码长度至少为12位"]
    assert _messages("Qinghe2026ab") == [
        "密码须包含大写字母、小写字母、数字、符号中的至少4类"
    ]


# --- Changing one's password ---------------------------------------------------------


def test_change_page_shows_the_rules_and_needs_sign_in(client, citizen_client):
    anonymous = Client().get("/account/password/")
    page = page_text(citizen_client.get("/account/password/"))

    assert anonymous["Location"] == "/login/?next=/account/password/"
    assert "新密码不能与最近5次使用过的密码相同" in page
    assert "密码不能包含账号名" in page


def test_changing_the_password_keeps_history_and_restarts_the_clock(citizen_client):
    user = User.objects.get(username="zhangsan")
    old_hash = user.password

    response = _change(citizen_client, PASSWORD, "Qinghe#2026")

    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password("Qinghe#2026")
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    assert list(user.password_history.values_list("password", flat=True)) == [old_hash]
    assert citizen_client.get("/account/").status_code == 200
    assert entries("identity.change_password", outcome="success")[0].username == (
        "zhangsan"
    )


def test_wrong_current_password_is_refused_and_audited(citizen_client):
    response = _change(citizen_client, "Wrong#2026x", "Qinghe#2026")

    assert "当前密码不正确" in page_text(response)
    assert User.objects.get(username="zhangsan").check_password(PASSWORD)
    refused = entries("identity.change_password", outcome="failed")
    assert refused[0].detail["code"] == "current_password_wrong"


def test_guessing_the_current_password_is_stopped_after_five_tries(citizen_client):
    for _n in range(5):
        _change(citizen_client, "Wrong#2026x", "Qinghe#2026")

    response = _change(citizen_client, PASSWORD, "Qinghe#2026")

    assert "密码验证失败次数过多，请15分钟后再试" in page_text(response)
    assert User.objects.get(username="zhangsan").check_password(PASSWORD)


def test_new_password_must_follow_the_policy_and_match(citizen_client):
    weak = _change(citizen_client, PASSWORD, "abcdefgh")
    mismatch = _change(citizen_client, PASSWORD, "Qinghe#2026", "Qinghe#2027")

    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in page_text(weak)
    assert "两次输入的新密码不一致" in page_text(mismatch)
    assert User.objects.get(username="zhangsan").check_password(PASSWORD)


def test_none_of_the_last_five_passwords_may_be_reused(citizen_client):
    chain = [PASSWORD] + [f"Qinghe#20{n}x" for n in range(5)]
    for current, new in zip(chain, chain[1:], strict=False):
        _change(citizen_client, current, new)

    reused = _change(citizen_client, chain[-1], chain[2])
    sixth_back = _change(citizen_client, chain[-1], chain[0])

    assert "新密码不能与最近5次使用过的密码相同" in page_text(reused)
    assert sixth_back["Location"] == "/account/"


def test_history_keeps_only_the_configured_number(citizen_client, settings):
    settings.EGOV_PASSWORD_HISTORY = 3
    chain = [PASSWORD] + [f"Qinghe#20{n}x" for n in range(5)]
    for current, new in zip(chain, chain[1:], strict=False):
        _change(citizen_client, current, new)

    assert PasswordHistory.objects.count() == 3


def test_changing_the_password_signs_out_other_sessions(citizen_client):
    other = Client()
    sign_in(other, ZHANGSAN_PHONE)

    _change(citizen_client, PASSWORD, "Qinghe#2026")

    assert other.get("/account/")["Location"].startswith("/login/")
    assert citizen_client.get("/account/").status_code == 200
    assert entries("identity.change_password")[0].detail == {"other_sessions_ended": 1}


# --- Expiry --------------------------------------------------------------------------


def _age_password(days: int) -> None:
    User.objects.filter(username="zhangsan").update(
        password_changed_at=timezone.now() - timedelta(days=days)
    )


def test_expired_password_leads_to_the_change_page_after_sign_in(client):
    zhangsan()
    _age_password(91)

    response = sign_in(client, ZHANGSAN_PHONE)
    page = client.get(response["Location"])

    assert response["Location"] == "/account/password/"
    assert "您的密码已超过90天未修改，请先修改密码。" in page_text(page)
    assert entries("identity.require_password_change")[0].detail == {
        "reason": "password_expired"
    }


def test_expired_password_blocks_other_pages_until_changed(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _age_password(91)

    blocked = client.get("/account/")
    _change(client, PASSWORD, "Qinghe#2026", next="/account/")
    open_again = client.get("/account/")

    assert blocked["Location"] == "/account/password/?next=%2Faccount%2F"
    assert open_again.status_code == 200


def test_password_younger_than_the_limit_is_not_expired(client):
    zhangsan()
    _age_password(89)

    response = sign_in(client, ZHANGSAN_PHONE)

    assert response["Location"] == "/account/"


def test_expiry_can_be_turned_off(client, settings):
    settings.EGOV_PASSWORD_MAX_AGE_DAYS = 0
    zhangsan()
    _age_password(400)

    response = sign_in(client, ZHANGSAN_PHONE)

    assert response["Location"] == "/account/"
