"""A real OpenID Connect client (authlib over requests) signs in through the
platform running as a live server: discovery, authorization code with PKCE,
consent, token exchange, ID token verified against the JWKS, userinfo, and
RP-initiated logout."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc import discovery as oidc_discovery
from authlib.oidc import rpinitiated
from authlib.oidc.core.util import create_half_hash
from django.conf import settings as django_settings
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from egov.audit.models import AuditEntry
from egov.identity.actions import sso
from egov.identity.models import Role, User
from egov.identity.roles import SYSTEM_ADMIN, ensure_builtin_roles
from tests.identity.test_oidc import (  # noqa: F401 - fixtures
    _oidc_settings,
    make_staff,
    signing_key_file,
)

# The relying party's own addresses; nothing listens there, the test reads the
# redirects the platform answers with instead of following them.
CALLBACK = "http://127.0.0.1:8765/callback"
SIGNED_OUT = "http://127.0.0.1:8765/signed-out"


class _FormFields(HTMLParser):
    """The input fields of the consent form (name -> value)."""

    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def _form_fields(html):
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def _registered_application():
    ensure_builtin_roles()
    admin = User(username="zhaoqi", real_name="赵七", kind=User.Kind.STAFF)
    admin.set_password("Passw0rd!x")
    admin.save()
    admin.roles.add(Role.objects.get(code=SYSTEM_ADMIN))
    return sso.register_application(
        actor=admin,
        name="协同办公系统",
        client_type="confidential",
        redirect_uris=CALLBACK,
        post_logout_redirect_uris=SIGNED_OUT,
        allowed_scopes=["openid", "profile", "email", "phone"],
    )


@pytest.fixture
def http_sessions(live_server):
    """HTTP sessions closed before the live server stops, so that no server
    thread is still serving a kept-alive connection at teardown."""
    opened = []
    yield opened
    for session in opened:
        session.close()


def _browser_signed_in_as(user, http_sessions):
    """A requests session carrying the platform's session cookie for `user`."""
    django_client = Client()
    django_client.force_login(user)
    browser = requests.Session()
    http_sessions.append(browser)
    cookie = django_settings.SESSION_COOKIE_NAME
    # No domain: the standard cookie jar never matches a dotless "localhost".
    browser.cookies.set(cookie, django_client.cookies[cookie].value)
    return browser


@pytest.mark.django_db(transaction=True)
def test_an_oidc_client_library_signs_in_and_out_through_the_platform(
    live_server, http_sessions
):
    user = make_staff()
    registered = _registered_application()
    client_id = registered.application.client_id
    browser = _browser_signed_in_as(user, http_sessions)

    # Discovery, checked against the specification by authlib.
    discovery = requests.get(
        f"{live_server.url}/o/.well-known/openid-configuration", timeout=10
    ).json()
    metadata = oidc_discovery.OpenIDProviderMetadata(discovery)
    metadata.validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
    issuer = discovery["issuer"]
    assert issuer == f"{live_server.url}/o"

    # Authorization request with PKCE, then the consent page.
    rp = OAuth2Session(
        client_id,
        registered.client_secret,
        scope="openid profile email phone",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    http_sessions.append(rp)
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    consent = browser.get(url, allow_redirects=False, timeout=10)
    assert consent.status_code == 200
    assert "“协同办公系统”请求使用您的平台账号登录" in consent.text
    fields = _form_fields(consent.text)
    assert fields["code_challenge_method"] == "S256"
    answer = browser.post(
        url, data={**fields, "allow": "on"}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    callback = answer.headers["Location"]
    assert callback.startswith(CALLBACK + "?")

    # Code exchange by the client library, authenticated with its secret.
    token = rp.fetch_token(
        discovery["token_endpoint"],
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
    )
    assert token["token_type"] == "Bearer"
    assert set(token["scope"].split()) == {"openid", "profile", "email", "phone"}

    # The ID token verifies against the published keys.
    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    id_token = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), ["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True, "value": str(user.subject_id)},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(id_token.claims)
    claims = id_token.claims
    assert id_token.header["kid"] == jwks["keys"][0]["kid"]
    assert claims["at_hash"] == create_half_hash(token["access_token"], "RS256").decode(
        "ascii"
    )
    assert claims["name"] == "王五"
    assert claims["organization"] == {"code": "XZF-BGS", "name": "县政府办公室"}
    assert [p["code"] for p in claims["posts"]] == ["KZ", "CK"]
    assert claims["roles"] == ["section_chief", "window_clerk"]
    assert claims["kind"] == "staff"
    assert claims["phone_number"] == "13800138000"

    # Userinfo with the access token gives the same person.
    userinfo = rp.get(discovery["userinfo_endpoint"], timeout=10).json()
    assert userinfo["sub"] == str(user.subject_id)
    for claim in ("name", "organization", "posts", "roles", "email", "phone_number"):
        assert userinfo[claim] == claims[claim]

    # RP-initiated logout returns to the registered address and ends the session.
    logout = browser.get(
        discovery["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": SIGNED_OUT,
            "state": "bye",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{SIGNED_OUT}?state=bye"
    again = browser.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 302
    assert urlsplit(again.headers["Location"]).path == "/login/"
    revoked = rp.get(discovery["userinfo_endpoint"], timeout=10)
    assert revoked.status_code == 401

    outcomes = {
        action: list(
            AuditEntry.objects.filter(action=action).values_list("outcome", flat=True)
        )
        for action in (
            "identity.sso_authorize",
            "identity.sso_issue_token",
            "identity.sso_logout",
        )
    }
    assert outcomes == {
        "identity.sso_authorize": ["success"],
        "identity.sso_issue_token": ["success"],
        "identity.sso_logout": ["success"],
    }


@pytest.mark.django_db(transaction=True)
def test_a_client_library_using_an_unregistered_callback_gets_a_clear_page(
    live_server, http_sessions
):
    user = make_staff()
    registered = _registered_application()
    browser = _browser_signed_in_as(user, http_sessions)
    rp = OAuth2Session(
        registered.application.client_id,
        registered.client_secret,
        scope="openid",
        redirect_uri="https://evil.example.com/callback",
        code_challenge_method="S256",
    )
    http_sessions.append(rp)

    url, _state = rp.create_authorization_url(
        f"{live_server.url}/o/authorize/", code_verifier=generate_token(64)
    )
    response = browser.get(url, allow_redirects=False, timeout=10)

    assert response.status_code == 400
    assert "回调地址未登记" in response.text
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [
        "https://evil.example.com/callback"
    ]
    refused = AuditEntry.objects.get(action="identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "redirect_uri_mismatch"
