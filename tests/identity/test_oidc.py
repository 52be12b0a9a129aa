"""The platform as an OpenID Connect provider: discovery, keys, the authorization
code flow with PKCE, claims, refusals of bad requests, and RP-initiated logout."""

import base64
import hashlib
import json
import os
import stat
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from jwcrypto import jwk, jwt
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
)

from egov.audit.models import AuditEntry
from egov.identity import oidc_keys
from egov.identity.models import (
    Organization,
    Post,
    PostAssignment,
    Region,
    Role,
    User,
)

Application = get_application_model()

REDIRECT_URI = "https://oa.example.gov.cn/oidc/callback"
LOGOUT_URI = "https://oa.example.gov.cn/signed-out"
CLIENT_SECRET = "s3cret-of-the-office-system-0123456789"
VERIFIER = "a-long-enough-pkce-code-verifier-0123456789-abcdefghijklmnop"


def _write_key(path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory):
    return _write_key(tmp_path_factory.mktemp("oidc") / "signing.pem")


@pytest.fixture(autouse=True)
def _oidc_settings(settings, signing_key_file):
    settings.EGOV_OIDC_RSA_KEY_FILE = str(signing_key_file)
    settings.EGOV_OIDC_RSA_INACTIVE_KEY_FILES = []
    settings.EGOV_STAFF_2FA_REQUIRED = False


def make_staff(username="wangwu", real_name="王五"):
    """王五, section chief of the county office, holding two posts and two roles."""
    region = Region.objects.create(
        code="130102", name="示范县", level=Region.Level.COUNTY, path="/130102/"
    )
    office = Organization.objects.create(
        code="XZF-BGS",
        name="县政府办公室",
        kind=Organization.Kind.DEPARTMENT,
        region=region,
        path="/1/",
    )
    hall = Organization.objects.create(
        code="ZWFW",
        name="县政务服务中心",
        kind=Organization.Kind.INSTITUTION,
        region=region,
        path="/2/",
    )
    chief = Post.objects.create(organization=office, code="KZ", name="科长")
    window = Post.objects.create(organization=hall, code="CK", name="窗口受理岗")
    user = User(username=username, real_name=real_name, kind=User.Kind.STAFF)
    user.email = "wangwu@example.gov.cn"
    user.phone = "13800138000"
    user.set_password("Passw0rd!x")
    user.save()
    PostAssignment.objects.create(user=user, post=chief, is_primary=True)
    PostAssignment.objects.create(user=user, post=window, is_primary=False)
    user.roles.add(
        Role.objects.create(code="section_chief", name="科长"),
        Role.objects.create(code="window_clerk", name="窗口人员"),
    )
    return user


def make_application(**fields):
    values = {
        "name": "协同办公系统",
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": REDIRECT_URI,
        "post_logout_redirect_uris": LOGOUT_URI,
        "algorithm": Application.RS256_ALGORITHM,
        "client_secret": CLIENT_SECRET,
    }
    values.update(fields)
    return Application.objects.create(**values)


def pkce_challenge(verifier=VERIFIER):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(application, **overrides):
    params = {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "state-42",
        "nonce": "nonce-42",
        "code_challenge": pkce_challenge(),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def basic_auth(client_id, secret=CLIENT_SECRET):
    raw = f"{client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def obtain_code(client, application, **overrides):
    params = authorize_params(application, **overrides)
    response = client.post("/o/authorize/", {**params, "allow": "on"})
    assert response.status_code == 302, response.content
    return query_of(response["Location"])["code"]


def exchange(client, application, code, verifier=VERIFIER):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic_auth(application.client_id),
    )


def verified_claims(client, id_token):
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    return json.loads(jwt.JWT(jwt=id_token, key=keys).claims)


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# Discovery and keys ---------------------------------------------------------


@pytest.mark.django_db
def test_discovery_document_announces_endpoints_pkce_and_platform_claims(client):
    response = client.get("/o/.well-known/openid-configuration")

    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == "http://testserver/o"
    assert doc["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert doc["token_endpoint"] == "http://testserver/o/token/"
    assert doc["userinfo_endpoint"] == "http://testserver/o/userinfo/"
    assert doc["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert doc["end_session_endpoint"] == "http://testserver/o/logout/"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"][0] == "RS256"
    assert "code" in doc["response_types_supported"]
    assert "token" not in doc["response_types_supported"]
    assert sorted(doc["scopes_supported"]) == ["email", "openid", "phone", "profile"]
    assert {
        "sub",
        "name",
        "preferred_username",
        "organization",
        "posts",
        "roles",
        "kind",
        "email",
        "phone_number",
    } <= set(doc["claims_supported"])


@pytest.mark.django_db
def test_jwks_publishes_the_configured_public_key_only(client, signing_key_file):
    response = client.get("/o/.well-known/jwks.json")

    keys = response.json()["keys"]
    expected = jwk.JWK.from_pem(signing_key_file.read_bytes())
    assert len(keys) == 1
    assert keys[0]["kid"] == expected.thumbprint()
    assert keys[0]["alg"] == "RS256"
    assert keys[0]["n"] == json.loads(expected.export_public())["n"]
    assert "d" not in keys[0]


@pytest.mark.django_db
def test_jwks_keeps_publishing_a_retired_key_after_rotation(
    client, settings, tmp_path, signing_key_file
):
    retired = _write_key(tmp_path / "retired.pem")
    settings.EGOV_OIDC_RSA_INACTIVE_KEY_FILES = [str(retired)]

    keys = client.get("/o/.well-known/jwks.json").json()["keys"]

    kids = [k["kid"] for k in keys]
    assert kids == [
        jwk.JWK.from_pem(signing_key_file.read_bytes()).thumbprint(),
        jwk.JWK.from_pem(retired.read_bytes()).thumbprint(),
    ]


def test_signing_key_is_generated_once_with_private_permissions(settings, tmp_path):
    settings.EGOV_OIDC_RSA_KEY_FILE = ""
    settings.VAR_DIR = tmp_path

    first = oidc_keys.signing_key_pem()
    oidc_keys.load_or_create_key.cache_clear()
    oidc_keys.read_key_file.cache_clear()
    again = oidc_keys.signing_key_pem()

    path = tmp_path / "oidc_rsa.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first == again == path.read_text()
    key = serialization.load_pem_private_key(first.encode(), password=None)
    assert key.key_size == 2048
    assert [p.name for p in tmp_path.iterdir()] == ["oidc_rsa.pem"]


def test_a_configured_key_file_that_is_not_an_rsa_key_stops_the_provider(
    settings, tmp_path
):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a key")
    settings.EGOV_OIDC_RSA_KEY_FILE = str(bogus)

    with pytest.raises(ImproperlyConfigured) as caught:
        oidc_keys.signing_key_pem()

    assert "does not hold an unencrypted PEM private key" in str(caught.value)


# The authorization code flow --------------------------------------------------


@pytest.mark.django_db
def test_consent_page_names_the_application_and_the_scopes_in_chinese(client):
    client.force_login(make_staff())
    application = make_application()

    response = client.get(
        "/o/authorize/", authorize_params(application, scope="openid profile phone")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "“协同办公系统”请求使用您的平台账号登录" in page
    assert "确认您的身份" in page
    assert "姓名、所属机构、岗位与角色" in page
    assert "手机号码" in page
    assert "授权后将返回：oa.example.gov.cn" in page
    assert "同意并登录" in page


@pytest.mark.django_db
def test_full_flow_gives_a_signed_id_token_and_userinfo_with_platform_claims(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()

    code = obtain_code(client, application, scope="openid profile email phone")
    response = exchange(client, application, code)

    assert response.status_code == 200
    tokens = response.json()
    claims = verified_claims(client, tokens["id_token"])
    assert claims["iss"] == "http://testserver/o"
    assert claims["aud"] == application.client_id
    assert claims["nonce"] == "nonce-42"
    assert claims["sub"] == str(user.subject_id)
    assert claims["name"] == "王五"
    assert claims["preferred_username"] == "wangwu"
    assert claims["kind"] == "staff"
    assert claims["organization"] == {"code": "XZF-BGS", "name": "县政府办公室"}
    assert claims["posts"] == [
        {
            "code": "KZ",
            "name": "科长",
            "organization": {"code": "XZF-BGS", "name": "县政府办公室"},
            "primary": True,
        },
        {
            "code": "CK",
            "name": "窗口受理岗",
            "organization": {"code": "ZWFW", "name": "县政务服务中心"},
            "primary": False,
        },
    ]
    assert claims["roles"] == ["section_chief", "window_clerk"]
    assert claims["email"] == "wangwu@example.gov.cn"
    assert claims["phone_number"] == "13800138000"

    info = client.get(
        "/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    )
    assert info.status_code == 200
    userinfo = info.json()
    for claim in ("sub", "name", "organization", "posts", "roles", "kind"):
        assert userinfo[claim] == claims[claim]
    assert userinfo["phone_number"] == "13800138000"


@pytest.mark.django_db
def test_id_token_and_userinfo_carry_only_the_claims_of_the_granted_scopes(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()

    code = obtain_code(client, application, scope="openid")
    tokens = exchange(client, application, code).json()

    claims = verified_claims(client, tokens["id_token"])
    assert claims["sub"] == str(user.subject_id)
    for private in ("name", "organization", "posts", "roles", "email", "phone_number"):
        assert private not in claims
    info = client.get(
        "/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    ).json()
    assert info == {"sub": str(user.subject_id)}


@pytest.mark.django_db
def test_a_citizen_without_organization_gets_no_empty_claims(client):
    citizen = User(username="zhangsan", real_name="张三", kind=User.Kind.CITIZEN)
    citizen.set_password("Passw0rd!x")
    citizen.save()
    client.force_login(citizen)
    application = make_application()

    code = obtain_code(client, application, scope="openid profile email phone")
    claims = verified_claims(
        client, exchange(client, application, code).json()["id_token"]
    )

    assert claims["name"] == "张三"
    assert claims["kind"] == "citizen"
    assert claims["posts"] == []
    assert claims["roles"] == []
    for absent in ("organization", "email", "phone_number"):
        assert absent not in claims


@pytest.mark.django_db
def test_granting_and_issuing_are_audited(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()

    code = obtain_code(client, application)
    exchange(client, application, code)

    [granted] = entries("identity.sso_authorize")
    assert granted.outcome == "success"
    assert granted.user == user
    assert granted.target_id == str(application.pk)
    assert granted.detail["client_id"] == application.client_id
    assert granted.detail["scopes"] == ["openid", "profile"]
    [issued] = entries("identity.sso_issue_token")
    assert issued.outcome == "success"
    assert issued.user == user
    assert issued.detail["grant_type"] == "authorization_code"


@pytest.mark.django_db
def test_a_trusted_application_skips_the_consent_page(client):
    client.force_login(make_staff())
    application = make_application(skip_authorization=True)

    response = client.get("/o/authorize/", authorize_params(application))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    assert query_of(location)["state"] == "state-42"
    assert "code" in query_of(location)


@pytest.mark.django_db
def test_a_visitor_not_signed_in_is_sent_to_sign_in_first(client):
    application = make_application()

    response = client.get("/o/authorize/", authorize_params(application))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert query_of(response["Location"])["next"].startswith("/o/authorize/?")


@pytest.mark.django_db
def test_declining_consent_returns_access_denied_and_is_audited(client):
    client.force_login(make_staff())
    application = make_application()

    response = client.post("/o/authorize/", authorize_params(application))

    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "access_denied"
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "access_denied"


# PKCE --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_code_challenge_is_refused(client):
    client.force_login(make_staff())
    application = make_application(skip_authorization=True)

    response = client.get(
        "/o/authorize/",
        authorize_params(application, code_challenge=None, code_challenge_method=None),
    )

    assert response.status_code == 302
    answer = query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT_URI)
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "Code challenge required."
    assert "code" not in answer
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "invalid_request"


@pytest.mark.django_db
def test_the_plain_pkce_method_is_refused(client):
    client.force_login(make_staff())
    application = make_application(skip_authorization=True)

    response = client.get(
        "/o/authorize/",
        authorize_params(
            application, code_challenge=VERIFIER, code_challenge_method="plain"
        ),
    )

    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert not get_grant_model().objects.exists()


@pytest.mark.django_db
def test_a_wrong_code_verifier_gets_no_token_and_is_audited(client):
    client.force_login(make_staff())
    application = make_application()
    code = obtain_code(client, application)

    response = exchange(client, application, code, verifier="x" * 50)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not get_access_token_model().objects.exists()
    [refused] = entries("identity.sso_issue_token")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "invalid_grant"
    assert refused.detail["client_id"] == application.client_id


# Unknown clients and unregistered addresses -------------------------------------


@pytest.mark.django_db
def test_an_unknown_client_gets_a_clear_400_page_and_an_audit_entry(client):
    user = make_staff()
    client.force_login(user)

    response = client.get(
        "/o/authorize/",
        {
            "client_id": "no-such-system",
            "response_type": "code",
            "redirect_uri": "https://evil.example.com/cb",
            "scope": "openid",
            "code_challenge": pkce_challenge(),
            "code_challenge_method": "S256",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "未登记的接入应用" in page
    assert "发起登录的系统未在本平台登记（应用标识 client_id 无效）" in page
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.user == user
    assert refused.detail["reason"] == "unknown_client"
    assert refused.detail["client_id"] == "no-such-system"
    assert refused.detail["redirect_uri"] == "https://evil.example.com/cb"


@pytest.mark.django_db
def test_an_unknown_client_is_refused_before_asking_a_visitor_to_sign_in(client):
    response = client.get(
        "/o/authorize/",
        {"client_id": "no-such-system", "response_type": "code", "scope": "openid"},
    )

    assert response.status_code == 400
    assert "未登记的接入应用" in response.content.decode()
    [refused] = entries("identity.sso_authorize")
    assert refused.user is None
    assert refused.detail["reason"] == "unknown_client"


@pytest.mark.django_db
def test_an_unregistered_redirect_uri_is_never_followed(client):
    client.force_login(make_staff())
    application = make_application(skip_authorization=True)

    response = client.get(
        "/o/authorize/",
        authorize_params(application, redirect_uri="https://evil.example.com/cb"),
    )

    assert response.status_code == 400
    assert "Location" not in response
    page = response.content.decode()
    assert "回调地址未登记" in page
    assert "不是该应用登记的地址" in page
    [refused] = entries("identity.sso_authorize")
    assert refused.detail["reason"] == "redirect_uri_mismatch"
    assert refused.target_id == str(application.pk)


@pytest.mark.django_db
def test_a_missing_client_id_gets_a_clear_400_page(client):
    client.force_login(make_staff())

    response = client.get("/o/authorize/", {"response_type": "code"})

    assert response.status_code == 400
    assert "登录请求缺少应用标识（client_id）" in response.content.decode()
    assert entries("identity.sso_authorize")[0].detail["reason"] == "missing_client_id"


@pytest.mark.django_db
def test_a_tampered_consent_form_with_an_unknown_client_gets_a_400_page(client):
    client.force_login(make_staff())
    application = make_application()
    params = authorize_params(application, client_id="forged-client")

    response = client.post("/o/authorize/", {**params, "allow": "on"})

    assert response.status_code == 400
    assert "未登记的接入应用" in response.content.decode()
    assert not get_grant_model().objects.exists()


@pytest.mark.django_db
def test_an_incomplete_consent_form_gets_a_400_page(client):
    client.force_login(make_staff())

    response = client.post("/o/authorize/", {"allow": "on"})

    assert response.status_code == 400
    assert "授权确认的内容不完整或已被改动" in response.content.decode()
    assert entries("identity.sso_authorize")[0].detail["reason"] == "incomplete_form"


@pytest.mark.django_db
def test_the_token_endpoint_refuses_an_unknown_client_without_a_server_error(client):
    response = client.post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "x"},
        HTTP_AUTHORIZATION=basic_auth("no-such-system"),
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    [refused] = entries("identity.sso_issue_token")
    assert refused.detail["client_id"] == "no-such-system"
    assert refused.detail["reason"] == "invalid_client"


@pytest.mark.django_db
def test_the_management_pages_of_the_toolkit_are_not_served(client):
    client.force_login(make_staff())

    assert client.get("/o/applications/").status_code == 404
    assert client.get("/o/applications/register/").status_code == 404


# RP-initiated logout -------------------------------------------------------------


def _signed_in_with_id_token(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()
    code = obtain_code(client, application)
    return user, application, exchange(client, application, code).json()


@pytest.mark.django_db
def test_rp_initiated_logout_signs_out_and_returns_to_the_registered_address(client):
    user, application, tokens = _signed_in_with_id_token(client)

    response = client.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "client_id": application.client_id,
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "bye",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == LOGOUT_URI + "?state=bye"
    assert "_auth_user_id" not in client.session
    assert not get_access_token_model().objects.filter(user=user).exists()
    assert not get_id_token_model().objects.filter(user=user).exists()
    [logout] = entries("identity.sso_logout")
    assert logout.outcome == "success"
    assert logout.user == user
    assert logout.target_id == str(application.pk)
    assert logout.detail["post_logout_redirect_uri"] == LOGOUT_URI


@pytest.mark.django_db
def test_logout_to_an_unregistered_address_is_refused_and_audited(client):
    user, application, tokens = _signed_in_with_id_token(client)

    response = client.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://evil.example.com/",
        },
    )

    assert response.status_code == 400
    assert "退出后要返回的地址不是该应用登记的地址" in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
    [refused] = entries("identity.sso_logout")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "post_logout_redirect_uri_not_registered"
    assert refused.detail["post_logout_redirect_uri"] == "https://evil.example.com/"


@pytest.mark.django_db
def test_logout_naming_an_unknown_client_gets_a_400_page(client):
    client.force_login(make_staff())

    response = client.get(
        "/o/logout/",
        {"client_id": "no-such-system", "post_logout_redirect_uri": LOGOUT_URI},
    )

    assert response.status_code == 400
    assert "发起退出的系统未在本平台登记" in response.content.decode()
    assert entries("identity.sso_logout")[0].detail["reason"] == "unknown_client"


@pytest.mark.django_db
def test_logout_with_a_garbled_id_token_hint_gets_a_400_page(client):
    client.force_login(make_staff())
    payload = base64.urlsafe_b64encode(b"not json").rstrip(b"=").decode()

    response = client.get(
        "/o/logout/", {"id_token_hint": f"eyJhbGciOiJub25lIn0.{payload}.sig"}
    )

    assert response.status_code == 400
    assert "登录凭据（id_token_hint）无效、已过期或已注销" in response.content.decode()


@pytest.mark.django_db
def test_logout_without_a_hint_asks_the_person_first_in_chinese(client):
    user = make_staff()
    client.force_login(user)

    response = client.get("/o/logout/")

    assert response.status_code == 200
    assert "有系统请求退出您在本平台的登录" in response.content.decode()
    confirmed = client.post("/o/logout/", {"allow": "on"})
    assert confirmed.status_code == 302
    assert "_auth_user_id" not in client.session
    assert entries("identity.sso_logout")[0].user == user


@pytest.mark.django_db
def test_choosing_to_stay_signed_in_keeps_the_session(client):
    user = make_staff()
    client.force_login(user)

    response = client.post("/o/logout/", {})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


# Malformed input never breaks the server --------------------------------------------


@pytest.mark.django_db
def test_a_client_id_with_a_nul_byte_gets_the_unknown_client_page(client):
    client.force_login(make_staff())

    response = client.get(
        "/o/authorize/",
        {"client_id": "oa\x00", "response_type": "code", "scope": "openid"},
    )

    assert response.status_code == 400
    assert "未登记的接入应用" in response.content.decode()
    assert entries("identity.sso_authorize")[0].detail["client_id"] == "oa\ufffd"


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        (
            {"code_challenge": "a" * 129},
            "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ "
            "(RFC 7636).",
        ),
        (
            {"code_challenge": "short"},
            "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ "
            "(RFC 7636).",
        ),
        ({"nonce": "n" * 256}, "nonce must not exceed 255 characters."),
    ],
)
@pytest.mark.django_db
def test_a_malformed_pkce_challenge_or_nonce_is_returned_as_invalid_request(
    client, overrides, description
):
    client.force_login(make_staff())
    application = make_application()
    params = authorize_params(application, **overrides)

    shown = client.get("/o/authorize/", params)
    posted = client.post("/o/authorize/", {**params, "allow": "on"})

    for response in (shown, posted):
        assert response.status_code == 302
        answer = query_of(response["Location"])
        assert answer["error"] == "invalid_request"
        assert answer["error_description"] == description
    assert not get_grant_model().objects.exists()


@pytest.mark.django_db
def test_a_code_with_a_nul_byte_is_an_invalid_grant(client):
    application = make_application()

    response = exchange(client, application, "code\x00")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
