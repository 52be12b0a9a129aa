"""The second factor: TOTP at sign-in, recovery codes, enrollment, management."""

import re
import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.identity import sessions
from egov.identity.models import User
from tests.identity.signin_helpers import (
    PASSWORD,
    ZHANGSAN_PHONE,
    authenticator,
    entries,
    lisi,
    page_text,
    sign_in,
    totp_code,
    zhangsan,
)

pytestmark = pytest.mark.django_db


def _verify(client, code, **extra):
    return client.post("/login/verify/", {"code": code}, **extra)


def _make_auth_old(client):
    session = client.session
    session[sessions.AUTH_AT] = int(time.time()) - 600
    session.save()


def _enroll(client):
    """Start binding an app; returns the new, unconfirmed device."""
    client.post("/account/two-factor/", {"action": "enroll"})
    return TOTPDevice.objects.get(confirmed=False)


# --- Sign-in with a second factor ------------------------------------------------


def test_staff_with_app_is_asked_for_the_code_before_being_signed_in(client):
    authenticator(lisi())

    response = sign_in(client, "lisi")

    assert response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/")["Location"].startswith("/login/")
    assert "请打开手机上的验证器应用" in page_text(client.get("/login/verify/"))


def test_right_code_signs_staff_in_and_opens_the_workbench(client):
    device = authenticator(lisi())
    sign_in(client, "lisi")

    response = _verify(client, totp_code(device))

    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    verified = entries("identity.verify_second_factor")
    assert [e.detail for e in verified] == [{"method": "totp"}]
    assert entries("identity.sign_in", outcome="success")[0].username == "lisi"


def test_wrong_code_is_refused_audited_and_keeps_person_signed_out(client):
    authenticator(lisi())
    sign_in(client, "lisi")

    response = _verify(client, "000000")

    assert response.status_code == 200
    assert "动态口令或恢复码不正确" in page_text(response)
    assert "_auth_user_id" not in client.session
    failed = entries("identity.sign_in", outcome="failed")
    assert [(e.username, e.detail["reason"]) for e in failed] == [
        ("lisi", "otp_failed")
    ]


def test_codes_tried_too_fast_are_throttled_with_a_clear_message(client):
    device = authenticator(lisi())
    sign_in(client, "lisi")
    _verify(client, "000000")

    response = _verify(client, totp_code(device))

    assert re.search(r"验证过于频繁，请\d+秒后再试", page_text(response))
    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_lock_the_account(client):
    device = authenticator(lisi())
    sign_in(client, "lisi")

    answers = []
    for _n in range(5):
        device.throttle_reset()
        answers.append(_verify(client, "000000"))
    device.throttle_reset()
    after = _verify(client, totp_code(device))

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_recovery_code_works_once_and_says_how_many_are_left(client):
    authenticator(lisi())
    sign_in(client, "lisi")

    response = _verify(client, "CODE-0003")
    messages = page_text(client.get(response["Location"]))
    client.post("/logout/")
    sign_in(client, "lisi")
    reused = _verify(client, "code0003")

    assert response["Location"] == "/staff/"
    assert "您使用了一个恢复码，还剩9个" in messages
    assert "动态口令或恢复码不正确" in page_text(reused)
    assert entries("identity.verify_second_factor")[0].detail == {
        "method": "recovery_code"
    }


def test_pending_second_step_expires_after_five_minutes(client):
    device = authenticator(lisi())
    sign_in(client, "lisi")
    session = client.session
    session[sessions.PENDING]["at"] -= sessions.PENDING_SECONDS + 1
    session.save()

    response = _verify(client, totp_code(device))

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_verify_page_without_a_pending_sign_in_sends_back_to_sign_in(client):
    response = client.get("/login/verify/")

    assert response["Location"] == "/login/"


def test_citizen_who_enabled_an_app_also_gets_the_second_step(client):
    device = authenticator(zhangsan())

    first = sign_in(client, ZHANGSAN_PHONE)
    second = _verify(client, totp_code(device))

    assert first["Location"] == "/login/verify/"
    assert second["Location"] == "/account/"


def test_staff_session_signed_in_elsewhere_must_verify_before_the_workbench(client):
    user = lisi()
    device = authenticator(user)
    client.force_login(user)

    blocked = client.get("/staff/")
    key_before = client.session.session_key
    verified = client.post("/login/verify/?next=/staff/", {"code": totp_code(device)})

    assert blocked["Location"] == "/login/verify/?next=%2Fstaff%2F"
    assert verified["Location"] == "/staff/"
    assert client.session.session_key != key_before
    assert client.get("/staff/").status_code == 200


# --- Staff without an app ------------------------------------------------------------


def test_staff_without_app_is_led_to_enroll_before_anything_else(client):
    lisi()

    response = sign_in(client, "lisi")
    workbench = client.get("/staff/")
    account = client.get("/account/")

    assert response["Location"] == "/account/two-factor/"
    assert workbench["Location"] == "/account/two-factor/?next=%2Fstaff%2F"
    assert account["Location"].startswith("/account/two-factor/")
    page = page_text(client.get("/account/two-factor/"))
    assert "工作人员必须启用双因素认证，请先绑定动态口令。" in page


def test_enrollment_shows_qr_code_and_secret_and_confirms_with_a_code(client):
    user = lisi()
    sign_in(client, "lisi")

    device = _enroll(client)
    setup = client.get("/account/two-factor/setup/")
    wrong = client.post("/account/two-factor/setup/", {"token": "000000"})
    device.throttle_reset()
    right = client.post(
        "/account/two-factor/setup/?next=/staff/", {"token": totp_code(device)}
    )

    text = page_text(setup)
    assert 'src="data:image/svg+xml' in text
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", text)
    assert "动态口令不正确，请确认手机时间准确后重试" in page_text(wrong)
    assert right["Location"] == "/account/two-factor/recovery-codes/?next=%2Fstaff%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert [e.outcome for e in entries("identity.confirm_totp")] == [
        "failed",
        "success",
    ]


def test_recovery_codes_are_shown_once_and_downloadable(client):
    user = lisi()
    sign_in(client, "lisi")
    device = _enroll(client)
    client.post("/account/two-factor/setup/?next=/staff/", {"token": totp_code(device)})
    codes = set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )

    shown = page_text(client.get("/account/two-factor/recovery-codes/"))
    download = client.get("/account/two-factor/recovery-codes.txt")
    done = client.post("/account/two-factor/recovery-codes/", {"next": "/staff/"})
    again = client.get("/account/two-factor/recovery-codes/")

    assert all(code in shown for code in codes)
    assert download["Content-Disposition"] == (
        'attachment; filename="recovery-codes.txt"'
    )
    assert all(code in download.content.decode() for code in codes)
    assert done["Location"] == "/staff/"
    assert again["Location"] == "/account/two-factor/"
    assert client.get("/staff/").status_code == 200


def test_enrolled_staff_signs_in_next_time_with_the_code(client):
    lisi()
    sign_in(client, "lisi")
    device = _enroll(client)
    client.post("/account/two-factor/setup/", {"token": totp_code(device)})
    client.post("/logout/")

    first = sign_in(client, "lisi")
    second = _verify(client, totp_code(device, steps=1))

    assert first["Location"] == "/login/verify/"
    assert second["Location"] == "/staff/"


# --- Managing the second factor ----------------------------------------------------


def test_changing_second_factor_asks_for_the_password_again_after_five_minutes(
    client,
):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _make_auth_old(client)

    detour = client.post("/account/two-factor/", {"action": "enroll"})
    enrolled_early = TOTPDevice.objects.exists()
    wrong = client.post(
        "/account/reauth/", {"password": "Wrong@2026pass", "next": "/account/"}
    )
    right = client.post(
        "/account/reauth/", {"password": PASSWORD, "next": "/account/two-factor/"}
    )
    enrolled = client.post("/account/two-factor/", {"action": "enroll"})

    assert detour["Location"] == "/account/reauth/?next=%2Faccount%2Ftwo-factor%2F"
    assert not enrolled_early
    assert "当前密码不正确" in page_text(wrong)
    assert right["Location"] == "/account/two-factor/"
    assert enrolled["Location"] == "/account/two-factor/setup/"
    assert [e.outcome for e in entries("identity.reauthenticate")] == [
        "failed",
        "success",
    ]


def test_regenerated_recovery_codes_replace_the_old_ones(client):
    user = zhangsan()
    authenticator(user)
    client.force_login(user)
    session = client.session
    session[sessions.AUTH_AT] = int(time.time())
    session.save()

    response = client.post("/account/two-factor/", {"action": "regenerate"})

    assert response["Location"] == "/account/two-factor/recovery-codes/"
    tokens = list(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert len(tokens) == 10
    assert "code0001" not in tokens
    assert len(entries("identity.regenerate_recovery_codes")) == 1


def test_staff_cannot_remove_the_second_factor_when_it_is_required(client):
    user = lisi()
    device = authenticator(user)
    sign_in(client, "lisi")
    _verify(client, totp_code(device))

    response = client.post("/account/two-factor/", {"action": "remove"}, follow=True)

    assert (
        "工作人员必须使用双因素认证，不能移除；如需更换手机，请重新绑定"
        in page_text(response)
    )
    assert TOTPDevice.objects.filter(user=user).exists()
    assert entries("identity.remove_two_factor")[0].detail["code"] == (
        "two_factor_required"
    )


def test_citizen_removes_the_second_factor_and_then_signs_in_with_password(client):
    user = zhangsan()
    device = authenticator(user)
    sign_in(client, ZHANGSAN_PHONE)
    _verify(client, totp_code(device))

    client.post("/account/two-factor/", {"action": "remove"})
    client.post("/logout/")
    response = sign_in(client, ZHANGSAN_PHONE)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert response["Location"] == "/account/"


def test_demo_accounts_skip_the_second_factor_only_when_relaxed(client, settings):
    settings.EGOV_DEMO_RELAX_2FA = True
    demo = lisi()
    User.objects.filter(pk=demo.pk).update(is_demo=True)
    other = User.objects.create_user(
        "wangwu", password=PASSWORD, kind=User.Kind.STAFF, real_name="王五"
    )
    authenticator(other)

    demo_answer = sign_in(client, "lisi")
    workbench = client.get("/staff/")
    client.post("/logout/")
    other_answer = sign_in(client, "wangwu")

    assert demo_answer["Location"] == "/staff/"
    assert workbench.status_code == 200
    assert other_answer["Location"] == "/login/verify/"


def test_demo_accounts_still_need_the_second_factor_when_not_relaxed(client):
    demo = lisi()
    User.objects.filter(pk=demo.pk).update(is_demo=True)

    response = sign_in(client, "lisi")

    assert response["Location"] == "/account/two-factor/"
