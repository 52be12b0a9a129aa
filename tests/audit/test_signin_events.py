"""Sign-ins, failures with their reason, and sign-outs land in the audit log."""

import pytest
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from egov.audit.models import AuditEntry
from egov.core.middleware import RequestContextMiddleware
from egov.identity.models import User

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0) 测试浏览器"


def _sign_in(identifier: str, password: str, *, failure: str | None = None):
    """Run authenticate() and login() as the sign-in view does, behind the
    middleware that keeps the request's IP and user agent for the log."""
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.20.30.40", HTTP_USER_AGENT=BROWSER
    )
    request.session = SessionStore()
    request.user = AnonymousUser()
    if failure:
        request.egov_signin_failure = failure

    def view(request):
        user = authenticate(request, identifier=identifier, password=password)
        if user is not None:
            login(request, user)
            logout(request)
        return user

    return RequestContextMiddleware(view)(request)


def _entries():
    return list(
        AuditEntry.objects.filter(action__startswith="identity.sign_").order_by("seq")
    )


def test_a_sign_in_and_sign_out_are_logged_with_ip_and_browser(clerk):
    _sign_in("lisi", "Pa55-word!")

    signed_in, signed_out = _entries()
    assert (signed_in.action, signed_in.outcome) == ("identity.sign_in", "success")
    assert (signed_in.user, signed_in.username) == (clerk, "lisi")
    assert signed_in.organization_name == "县政府办公室"
    assert (signed_in.ip, signed_in.user_agent) == ("10.20.30.40", BROWSER)
    assert (signed_in.target_type, signed_in.target_id) == (
        "identity.User",
        str(clerk.pk),
    )
    assert (signed_out.action, signed_out.user) == ("identity.sign_out", clerk)


def test_a_wrong_password_is_logged_as_failed_with_its_reason(clerk):
    _sign_in("lisi", "wrong-password")

    (failed,) = _entries()
    assert (failed.outcome, failed.user) == ("failed", None)
    assert failed.username == "lisi"
    assert failed.detail == {"reason": "bad_credentials"}
    assert (failed.target_type, failed.target_id) == ("identity.User", str(clerk.pk))
    assert failed.ip == "10.20.30.40"


def test_the_reason_the_sign_in_view_gives_is_logged(clerk):
    _sign_in("lisi", "wrong-password", failure="otp_failed")

    (failed,) = _entries()
    assert failed.detail == {"reason": "otp_failed"}


def test_a_disabled_account_is_logged_as_such(clerk):
    User.objects.filter(pk=clerk.pk).update(is_active=False)

    _sign_in("lisi", "Pa55-word!")

    (failed,) = _entries()
    assert failed.detail == {"reason": "inactive"}


def test_an_unknown_account_is_logged_as_typed():
    _sign_in("nobody", "whatever")

    (failed,) = _entries()
    assert (failed.username, failed.target_type) == ("nobody", "")


def test_a_mobile_or_id_number_is_logged_as_the_account_it_names(clerk):
    clerk.phone = "13800138000"
    clerk.save()

    _sign_in("13800138000", "wrong-password")

    (failed,) = _entries()
    assert failed.username == "lisi"


@pytest.mark.parametrize(
    ("identifier", "logged"),
    [("13912345678", "139****5678"), ("11010519491231002X", "1101**********002X")],
)
def test_personal_numbers_naming_nobody_are_logged_masked(identifier, logged):
    _sign_in(identifier, "whatever")

    (failed,) = _entries()
    assert failed.username == logged
    assert identifier not in str(failed.detail)
