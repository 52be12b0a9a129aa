"""Signed-in sessions: tracked, rotated, timed out, ended."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from egov.identity import sessions
from egov.identity.models import User, UserSession
from tests.identity.signin_helpers import (
    PASSWORD,
    ZHANGSAN_ID,
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


def _shift(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_sign_in_records_the_session_with_address_and_client(client):
    user = zhangsan()
    anonymous_key = client.session.session_key

    sign_in(client, ZHANGSAN_PHONE, REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="Firefox")

    row = UserSession.objects.get(user=user)
    assert row.session_key == client.session.session_key != anonymous_key
    assert (row.ip, row.user_agent) == ("10.9.8.7", "Firefox")


def test_verifying_the_second_factor_gives_a_new_key_and_the_row_follows(client):
    user = lisi()
    device = authenticator(user)
    client.force_login(user)
    client.get("/account/")
    before = client.session.session_key

    client.post("/login/verify/", {"code": totp_code(device)})

    after = client.session.session_key
    assert after != before
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [after]


def test_changing_the_password_gives_a_new_key_and_the_row_follows(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    before = client.session.session_key

    client.post(
        "/account/password/",
        {
            "current_password": PASSWORD,
            "new_password1": "Qinghe#2026",
            "new_password2": "Qinghe#2026",
        },
    )

    after = client.session.session_key
    assert after != before
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [after]


def test_session_signed_in_another_way_is_tracked_on_its_first_request(client):
    user = zhangsan()
    client.force_login(user)

    client.get("/account/")

    assert UserSession.objects.get(user=user).session_key == client.session.session_key


def test_idle_session_is_signed_out_with_a_message(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _shift(client, sessions.SEEN, 31 * 60)

    response = client.get("/account/")
    page = client.get(response["Location"])

    assert response["Location"] == "/login/?next=/account/"
    assert "您已超过30分钟未操作，为保障账号安全已自动退出，请重新登录。" in page_text(
        page
    )
    assert entries("identity.expire_session")[0].detail == {"reason": "idle"}
    assert not UserSession.objects.exists()


def test_activity_within_the_idle_limit_keeps_the_session(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _shift(client, sessions.SEEN, 29 * 60)

    first = client.get("/account/")
    seen = client.session[sessions.SEEN]

    assert first.status_code == 200
    assert time.time() - seen < 5


def test_session_ends_at_its_absolute_lifetime_even_when_active(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _shift(client, sessions.STARTED, 12 * 3600 + 1)

    response = client.get("/account/")
    page = client.get("/login/")

    assert response["Location"] == "/login/?next=/account/"
    assert "本次登录已超过12小时的最长有效期，请重新登录。" in page_text(page)
    assert entries("identity.expire_session")[0].detail == {"reason": "absolute"}


def test_idle_limit_is_configurable(client, settings):
    settings.EGOV_SESSION_IDLE_MINUTES = 5
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    _shift(client, sessions.SEEN, 6 * 60)

    response = client.get("/account/")

    assert response.status_code == 302


def test_disabling_an_account_ends_its_sessions(client):
    user = zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    other = Client()
    sign_in(other, ZHANGSAN_ID)

    ended = sessions.end_sessions_of(user)

    assert ended == 2
    assert not UserSession.objects.exists()
    assert not Session.objects.exists()
    assert client.get("/account/")["Location"].startswith("/login/")
    assert other.get("/account/")["Location"].startswith("/login/")


def test_disabled_account_loses_its_session_even_if_not_ended(client):
    user = zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/account/")["Location"].startswith("/login/")


def test_personal_centre_lists_sessions_and_ends_the_others(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE, HTTP_USER_AGENT="Firefox")
    other = Client()
    sign_in(other, ZHANGSAN_ID, HTTP_USER_AGENT="PhoneBrowser")

    listing = page_text(client.get("/account/"))
    response = client.post("/account/sessions/end/")
    after = page_text(client.get("/account/"))

    assert "PhoneBrowser" in listing
    assert "当前会话" in listing
    assert response["Location"] == "/account/"
    assert "已结束其他1个会话。" in after
    assert "PhoneBrowser" not in after
    assert other.get("/account/")["Location"].startswith("/login/")
    assert client.get("/account/").status_code == 200
    assert entries("identity.end_other_sessions")[0].detail == {"ended": 1}


def test_personal_centre_shows_id_and_phone_masked(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    page = page_text(client.get("/account/"))

    assert ZHANGSAN_ID[:4] + "**********" + ZHANGSAN_ID[-4:] in page
    assert "139****1001" in page
    assert ZHANGSAN_ID not in page
    assert ZHANGSAN_PHONE not in page


def test_ended_sessions_drop_out_of_the_list(client):
    user = zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    other = Client()
    sign_in(other, ZHANGSAN_ID)
    Session.objects.exclude(session_key=client.session.session_key).delete()

    listed = sessions.sessions_of(user, current_key=client.session.session_key)

    assert [row.is_current for row in listed] == [True]
    assert UserSession.objects.count() == 1


def test_tampered_session_cookie_counts_as_signed_out_and_says_so(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    client.cookies["sessionid"] = client.session.session_key[:-4] + "abcd"

    response = client.get("/account/")
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"
    assert "登录状态已失效，请重新登录。" in page_text(page)


def test_signing_out_normally_brings_no_invalid_session_notice(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    client.post("/logout/")
    page = page_text(client.get("/login/"))

    assert "您已安全退出。" in page
    assert "登录状态已失效" not in page
