"""The sign-in page: one identifier field, clear refusals, lockout, redirects."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from egov.identity.models import User
from tests.identity.signin_helpers import (
    PASSWORD,
    ZHANGSAN_ID,
    ZHANGSAN_PHONE,
    company,
    entries,
    lisi,
    page_text,
    sign_in,
    zhangsan,
)

pytestmark = pytest.mark.django_db

LOCKED = (
    "连续登录失败次数过多，账号或IP地址已被暂时锁定，请15分钟后再试。"
    "如忘记密码，请联系管理员。"
)


@pytest.fixture(autouse=True)
def _staff_without_second_factor(settings):
    # The second step is tested in test_otp.py; here staff sign in with a password.
    settings.EGOV_STAFF_2FA_REQUIRED = False


def test_sign_in_page_offers_one_identifier_field_with_csrf_token(client):
    response = client.get("/login/")

    assert response.status_code == 200
    text = page_text(response)
    assert "账号 / 手机号 / 身份证号 / 统一社会信用代码" in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "演示环境：演示账号免二次验证" not in text


def test_staff_signs_in_with_account_name_and_lands_on_workbench(client):
    lisi()

    response = sign_in(client, "lisi")

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert entries("identity.sign_in", outcome="success")[0].username == "lisi"


@pytest.mark.parametrize(
    "identifier", [ZHANGSAN_PHONE, ZHANGSAN_ID, ZHANGSAN_ID.lower(), "zhangsan"]
)
def test_citizen_signs_in_with_phone_id_number_or_account(client, identifier):
    zhangsan()

    response = sign_in(client, identifier)

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_company_signs_in_with_its_credit_code(client):
    entity = company()

    response = sign_in(client, entity.uscc)

    assert response["Location"] == "/account/"


def test_safe_next_is_followed_and_foreign_next_ignored(client):
    lisi()

    followed = client.post(
        "/login/",
        {"identifier": "lisi", "password": PASSWORD, "next": "/staff/audit/"},
    )
    client.post("/logout/")
    ignored = client.post(
        "/login/",
        {"identifier": "lisi", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert followed["Location"] == "/staff/audit/"
    assert ignored["Location"] == "/staff/"


def test_citizen_is_not_sent_into_the_internal_face_by_next(client):
    zhangsan()

    response = client.post(
        "/login/",
        {"identifier": ZHANGSAN_PHONE, "password": PASSWORD, "next": "/staff/"},
    )

    assert response["Location"] == "/account/"


def test_wrong_password_is_refused_with_message_and_audited(client):
    lisi()

    response = sign_in(client, "lisi", "Wrong@2026pass")

    assert response.status_code == 200
    assert "账号或密码不正确" in page_text(response)
    assert "_auth_user_id" not in client.session
    failed = entries("identity.sign_in", outcome="failed")
    assert [(e.username, e.detail["reason"]) for e in failed] == [
        ("lisi", "bad_credentials")
    ]


def test_failure_by_phone_number_is_logged_under_the_account_it_names(client):
    zhangsan()

    sign_in(client, ZHANGSAN_PHONE, "Wrong@2026pass")

    assert entries("identity.sign_in", outcome="failed")[0].username == "zhangsan"


def test_unknown_id_number_is_logged_masked_never_in_clear(client):
    sign_in(client, "139921198001010011", "Wrong@2026pass")

    entry = entries("identity.sign_in", outcome="failed")[0]
    assert entry.username == "1399**********0011"


def test_disabled_account_with_right_password_is_told_it_is_disabled(client):
    user = lisi()
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = sign_in(client, "lisi")

    assert "该账号已停用，请联系管理员" in page_text(response)
    assert entries("identity.sign_in", outcome="failed")[0].detail == {
        "reason": "inactive"
    }


def test_disabled_account_with_wrong_password_gets_the_usual_message(client):
    user = lisi()
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = sign_in(client, "lisi", "Wrong@2026pass")

    text = page_text(response)
    assert "账号或密码不正确" in text
    assert "该账号已停用" not in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"identifier": "", "password": ""},
            "请输入账号、手机号、身份证号或统一社会信用代码",
        ),
        ({"identifier": "lisi", "password": ""}, "请输入密码"),
        ({"identifier": "x" * 200, "password": "a"}, "输入的账号过长"),
        ({"identifier": "li\x00si", "password": "a"}, "不允许是用空字符串。"),
    ],
)
def test_malformed_input_gets_a_clear_message_and_no_attempt(client, data, message):
    response = client.post("/login/", data)

    assert response.status_code == 200
    assert message in page_text(response)
    assert entries("identity.sign_in") == []


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("139921198001010010", "身份证号校验位不正确，请核对后重新输入"),
        ("139921198013010011", "身份证号中的出生日期无效"),
    ],
)
def test_identifier_shaped_like_a_broken_id_number_is_explained(
    client, identifier, message
):
    response = sign_in(client, identifier, "Whatever#2026")

    assert message in page_text(response)
    assert entries("identity.sign_in") == []


def test_five_failures_for_one_account_from_different_addresses_lock_it(client):
    lisi()

    answers = [
        sign_in(client, "lisi", f"Wrong@{n}pass", REMOTE_ADDR=f"10.0.0.{n}")
        for n in range(1, 6)
    ]
    after = sign_in(client, "lisi", REMOTE_ADDR="10.0.9.9")

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert LOCKED in page_text(answers[-1])
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session
    lockout = entries("identity.lock_out")
    assert [(e.username, e.outcome) for e in lockout] == [("lisi", "denied")]
    reasons = [e.detail["reason"] for e in entries("identity.sign_in")]
    assert reasons == ["bad_credentials"] * 5 + ["locked"]


def test_switching_identifiers_does_not_reset_the_account_count(client):
    zhangsan()

    for identifier in ["zhangsan", ZHANGSAN_PHONE, ZHANGSAN_ID, ZHANGSAN_PHONE]:
        sign_in(client, identifier, "Wrong@2026pass", REMOTE_ADDR="10.0.0.7")
    fifth = sign_in(client, ZHANGSAN_ID, "Wrong@2026pass", REMOTE_ADDR="10.0.0.8")

    assert fifth.status_code == 429


def test_five_failures_from_one_address_lock_that_address(client):
    lisi()

    for n in range(5):
        sign_in(client, f"nobody{n}", "Wrong@2026pass", REMOTE_ADDR="10.1.1.1")
    same_address = sign_in(client, "lisi", REMOTE_ADDR="10.1.1.1")
    other_address = sign_in(client, "lisi", REMOTE_ADDR="10.1.1.2")

    assert same_address.status_code == 429
    assert other_address.status_code == 302


def test_lockout_ends_after_the_cool_off(client):
    lisi()
    for n in range(5):
        sign_in(client, "lisi", "Wrong@2026pass", REMOTE_ADDR=f"10.2.0.{n}")

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, "lisi", REMOTE_ADDR="10.2.0.9")

    assert response.status_code == 302


def test_signed_in_person_visiting_sign_in_goes_home(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    response = client.get("/login/")

    assert response["Location"] == "/account/"


def test_sign_out_is_post_only_and_ends_the_session(client):
    lisi()
    sign_in(client, "lisi")

    refused = client.get("/logout/")
    response = client.post("/logout/")

    assert refused.status_code == 405
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/").status_code == 302
    assert [e.username for e in entries("identity.sign_out")] == ["lisi"]


def test_demo_deployment_says_so_on_the_sign_in_page(client, settings):
    settings.EGOV_DEMO_RELAX_2FA = True

    response = client.get("/login/")

    assert "演示环境：演示账号免二次验证" in page_text(response)


def test_citizen_cannot_enter_the_internal_face(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    response = client.get("/staff/")

    assert response.status_code == 403
    assert "政务办公平台仅供工作人员使用" in page_text(response)
    denied = entries("identity.enter_internal_face")
    assert [(e.username, e.outcome) for e in denied] == [("zhangsan", "denied")]


def test_internal_only_process_serves_sign_in_without_public_links(client, settings):
    settings.ROOT_URLCONF = "config.urls_internal"
    lisi()

    page = client.get("/login/")
    response = sign_in(client, "lisi")

    assert page.status_code == 200
    assert "注册个人账号" not in page_text(page)
    assert response["Location"] == "/staff/"
