"""Signing in with a mobile number and an SMS code."""

import re
import time

import pytest
from django.core.cache import cache

from egov.core import sms
from egov.identity.actions import signin
from egov.identity.actions.signin import LOGIN
from egov.identity.models import User
from tests.identity.signin_helpers import (
    LISI_PHONE,
    ZHANGSAN_PHONE,
    entries,
    lisi,
    page_text,
    zhangsan,
)

pytestmark = pytest.mark.django_db


class BrokenGateway:
    def send(self, phone, text):
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def clock(monkeypatch):
    """time.time() that tests move forward (the cache's expiry follows it too)."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def _send(client, phone=ZHANGSAN_PHONE):
    return client.post("/login/sms/", {"phone": phone, "action": "send"})


def _sign_in(client, code, phone=ZHANGSAN_PHONE, **extra):
    return client.post(
        "/login/sms/", {"phone": phone, "code": code, "action": "login"}, **extra
    )


def _last_code() -> str:
    return re.search(r"验证码为(\d{6})", sms.outbox[-1][1]).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_citizen_gets_a_six_digit_code_by_sms(client):
    zhangsan()

    response = _send(client)

    assert response.status_code == 200
    assert "如该手机号已注册，验证码已发送至139****1001，5分钟内有效。" in page_text(
        response
    )
    assert [phone for phone, _text in sms.outbox] == [ZHANGSAN_PHONE]
    assert sms.outbox[0][1] == (
        f"【示范县人民政府】您的登录验证码为{_last_code()}，5分钟内有效。"
        "如非本人操作，请忽略本短信。"
    )
    sent = entries("identity.send_sms_code")
    assert [e.detail for e in sent] == [{"phone": "139****1001", "purpose": "login"}]


def test_code_is_kept_only_as_a_digest(client):
    zhangsan()
    _send(client)
    code = _last_code()

    stored = cache.get(signin._code_key(LOGIN, ZHANGSAN_PHONE))

    assert code not in str(stored)
    assert stored["digest"] == signin._code_digest(LOGIN, ZHANGSAN_PHONE, code)


def test_right_code_signs_the_citizen_in(client):
    zhangsan()
    _send(client)

    response = _sign_in(client, _last_code())

    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert entries("identity.sign_in", outcome="success")[0].username == "zhangsan"


def test_a_code_works_only_once(client):
    zhangsan()
    _send(client)
    code = _last_code()
    _sign_in(client, code)
    client.post("/logout/")

    response = _sign_in(client, code)

    assert "验证码已过期或不存在，请重新获取" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_wrong_code_says_how_many_tries_are_left_and_is_audited(client):
    zhangsan()
    _send(client)

    response = _sign_in(client, _wrong(_last_code()))

    assert "验证码不正确，还可尝试4次" in page_text(response)
    failed = entries("identity.sign_in", outcome="failed")
    assert [(e.username, e.detail["reason"]) for e in failed] == [
        ("zhangsan", "sms_code_invalid")
    ]


def test_five_wrong_codes_use_the_code_up_and_lock_the_account(client):
    zhangsan()
    _send(client)
    code = _last_code()

    answers = [
        _sign_in(client, _wrong(code), REMOTE_ADDR=f"10.3.0.{n}") for n in range(5)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "验证码不正确，还可尝试1次" in page_text(answers[3])
    assert _sign_in(client, code, REMOTE_ADDR="10.3.0.9").status_code == 429


def test_code_expires_after_five_minutes(client, clock):
    zhangsan()
    _send(client)
    code = _last_code()

    clock[0] += 5 * 60 + 1
    response = _sign_in(client, code)

    assert "验证码已过期或不存在，请重新获取" in page_text(response)
    assert entries("identity.sign_in", outcome="failed")[0].detail == {
        "reason": "sms_code_expired"
    }


def test_one_code_per_minute_per_number(client, clock):
    zhangsan()
    _send(client)

    clock[0] += 20
    too_soon = _send(client)
    clock[0] += 41
    later = _send(client)

    assert "验证码发送过于频繁，请40秒后再试" in page_text(too_soon)
    assert len(sms.outbox) == 2
    assert later.status_code == 200
    refused = entries("identity.send_sms_code", outcome="failed")
    assert refused[0].detail["code"] == "sms_too_frequent"


def test_ten_codes_a_day_per_number(client, clock):
    zhangsan()
    for _n in range(10):
        _send(client)
        clock[0] += 61

    response = _send(client)

    assert len(sms.outbox) == 10
    assert "该手机号今日获取验证码次数已达上限（10次），请明天再试" in page_text(
        response
    )


def test_unregistered_number_gets_the_same_answer_but_no_sms(client):
    response = _send(client, "13700000000")

    assert "如该手机号已注册，验证码已发送至137****0000" in page_text(response)
    assert sms.outbox == []
    refused = entries("identity.send_sms_code", outcome="failed")
    assert refused[0].detail == {
        "phone": "137****0000",
        "purpose": LOGIN,
        "reason": "unknown_phone",
    }


def test_staff_cannot_sign_in_by_sms(client):
    lisi()

    _send(client, LISI_PHONE)
    response = _sign_in(client, "123456", phone=LISI_PHONE)

    assert sms.outbox == []
    assert "验证码已过期或不存在，请重新获取" in page_text(response)


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12345", "请输入11位中国大陆手机号码"),
        ("", "请输入手机号码"),
        ("１３９９９２１１００１", "请输入11位中国大陆手机号码"),
    ],
)
def test_malformed_number_gets_a_clear_message(client, phone, message):
    response = _send(client, phone)

    assert message in page_text(response)
    assert sms.outbox == []


@pytest.mark.parametrize(
    ("code", "message"), [("", "请输入短信验证码"), ("12ab56", "验证码为6位数字")]
)
def test_malformed_code_gets_a_clear_message_and_no_attempt(client, code, message):
    zhangsan()

    response = _sign_in(client, code)

    assert message in page_text(response)
    assert entries("identity.sign_in") == []


def test_disabled_citizen_is_told_with_the_right_code(client):
    user = zhangsan()
    _send(client)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = _sign_in(client, _last_code())

    assert "该账号已停用，请联系管理员" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_gateway_failure_is_a_message_not_an_error_page(client, settings):
    zhangsan()
    settings.EGOV_SMS_BACKEND = "tests.identity.test_sms_login.BrokenGateway"

    response = _send(client)
    settings.EGOV_SMS_BACKEND = "egov.core.sms.ConsoleSMSBackend"
    retry = _send(client)

    assert response.status_code == 200
    assert "短信发送失败，请稍后再试" in page_text(response)
    assert retry.status_code == 200
    assert len(sms.outbox) == 1
