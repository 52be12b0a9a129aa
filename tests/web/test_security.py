"""Security basics: CSRF on every form, headers, cookies, no inline scripts."""

import json
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.test import Client

from egov.identity import sessions
from tests.identity.signin_helpers import (
    PASSWORD,
    ZHANGSAN_PHONE,
    authenticator,
    entries,
    lisi,
    page_text,
    sign_in,
    zhangsan,
)

pytestmark = pytest.mark.django_db

STALE = "页面已过期或请求来源无法验证，请刷新页面后重新提交。"


class _InlineFinder(HTMLParser):
    """Collects what the CSP would block: inline scripts, styles, handlers."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.forms: list[bool] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in names
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}=javascript:")
        if tag == "form":
            self.forms.append(names.get("method", "get").lower() == "post")
        if tag == "input" and names.get("name") == "csrfmiddlewaretoken":
            self.forms.append("token")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script")


def _inspect(response) -> _InlineFinder:
    finder = _InlineFinder()
    finder.feed(page_text(response))
    return finder


def _post_forms_without_token(finder: _InlineFinder) -> int:
    """POST forms not followed by a CSRF token before the next form starts."""
    missing, waiting = 0, False
    for item in finder.forms:
        if item == "token":
            waiting = False
        else:
            if waiting:
                missing += 1
            waiting = item is True
    return missing + (1 if waiting else 0)


@pytest.fixture
def staff_client(client):
    user = lisi()
    authenticator(user)
    client.force_login(user)
    session = client.session
    session[sessions.AUTH_AT] = int(time.time())
    session.save()
    client.post("/account/two-factor/", {"action": "enroll"})
    return client


ANONYMOUS_PAGES = ["/login/", "/login/sms/", "/register/", "/register/?kind=entity"]
SIGNED_IN_PAGES = [
    "/account/",
    "/account/password/",
    "/account/reauth/",
    "/account/two-factor/",
    "/account/two-factor/setup/",
]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_public_pages_have_no_inline_code_and_csrf_on_every_form(client, path):
    response = client.get(path)

    finder = _inspect(response)
    assert response.status_code == 200
    assert finder.problems == []
    assert _post_forms_without_token(finder) == 0


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_account_pages_have_no_inline_code_and_csrf_on_every_form(
    staff_client, settings, path
):
    settings.EGOV_STAFF_2FA_REQUIRED = False

    response = staff_client.get(path)

    finder = _inspect(response)
    assert response.status_code == 200
    assert finder.problems == []
    assert _post_forms_without_token(finder) == 0


def test_second_step_and_lockout_pages_have_no_inline_code(client):
    authenticator(lisi())
    sign_in(client, "lisi")
    verify = client.get("/login/verify/")
    for n in range(5):
        sign_in(client, "nobody", "Wrong#2026", REMOTE_ADDR=f"10.7.0.{n}")
    locked = sign_in(client, "nobody", "Wrong#2026", REMOTE_ADDR="10.7.0.9")

    assert _inspect(verify).problems == []
    assert locked.status_code == 429
    assert _inspect(locked).problems == []


def test_sign_in_page_sends_security_headers(client):
    response = client.get("/login/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("max-age=0")


def test_forged_csrf_token_is_refused_with_message_and_audited():
    zhangsan()
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")

    response = browser.post(
        "/login/",
        {
            "identifier": ZHANGSAN_PHONE,
            "password": PASSWORD,
            "csrfmiddlewaretoken": "forged" * 8,
        },
    )

    assert response.status_code == 403
    assert STALE in page_text(response)
    assert "_auth_user_id" not in browser.session
    refused = entries("web.reject_csrf")
    assert [(e.outcome, e.detail["path"]) for e in refused] == [("denied", "/login/")]
    assert "CSRF token" in refused[0].detail["reason"]


def test_missing_csrf_token_on_a_signed_in_form_is_refused(client):
    zhangsan()
    browser = Client(enforce_csrf_checks=True)
    sign_in(client, ZHANGSAN_PHONE)
    browser.cookies = client.cookies

    response = browser.post("/account/sessions/end/")

    assert response.status_code == 403
    assert STALE in page_text(response)
    assert entries("web.reject_csrf")[0].username == "zhangsan"


def test_valid_csrf_token_is_accepted():
    zhangsan()
    browser = Client(enforce_csrf_checks=True)
    page = page_text(browser.get("/login/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(
        "/login/",
        {
            "identifier": ZHANGSAN_PHONE,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )

    assert response["Location"] == "/account/"


def test_session_and_csrf_cookies_are_http_only_and_same_site(client):
    zhangsan()

    client.get("/login/")
    sign_in(client, ZHANGSAN_PHONE)

    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    csrf_cookie = client.cookies[django_settings.CSRF_COOKIE_NAME]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert csrf_cookie["httponly"] is True
    assert csrf_cookie["samesite"] == "Lax"
    assert session_cookie["secure"] == ""


def test_cookies_are_secure_and_hsts_sent_behind_https(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    zhangsan()

    page = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    sign_in(client, ZHANGSAN_PHONE, HTTP_X_FORWARDED_PROTO="https")

    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.cookies[django_settings.SESSION_COOKIE_NAME]["secure"] is True
    assert client.cookies[django_settings.CSRF_COOKIE_NAME]["secure"] is True


def test_no_hsts_over_plain_http(client):
    response = client.get("/login/")

    assert "Strict-Transport-Security" not in response


def _settings_under(env: dict) -> dict:
    script = (
        "import json, config.settings as s; print(json.dumps({k: getattr(s, k, None)"
        " for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER',"
        " 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return json.loads(result.stdout)


def test_https_deployment_setting_turns_on_secure_cookies_and_hsts():
    values = _settings_under({"EGOV_HTTPS": "1"})

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def test_plain_http_deployment_leaves_cookies_without_secure_flag():
    values = _settings_under({"EGOV_HTTPS": "0"})

    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] is None


@pytest.mark.parametrize(
    "cookie",
    ["not-a-session", "x" * 300, "'; DROP TABLE django_session; --", "\u00e9\u00e8"],
)
def test_tampered_session_cookie_is_treated_as_signed_out(client, cookie):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie

    account = client.get("/account/")
    login = client.get("/login/")

    assert account.status_code == 302
    assert account["Location"] == "/login/?next=/account/"
    assert login.status_code == 200
