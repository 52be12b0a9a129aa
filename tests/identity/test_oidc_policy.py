"""Each application's policy at the OpenID Connect endpoints: a disabled
application signs nobody in and cannot obtain, refresh, introspect or use
tokens until it is enabled again; scopes outside its allowed set are refused
when asked for and give no claims once withdrawn."""

import pytest
from django.contrib.auth.models import Permission
from oauth2_provider.models import get_access_token_model, get_grant_model

from egov.identity.actions import sso
from egov.identity.models import ApplicationPolicy
from tests.identity.test_oidc import (  # noqa: F401 - fixtures
    REDIRECT_URI,
    _oidc_settings,
    authorize_params,
    basic_auth,
    entries,
    exchange,
    make_application,
    make_staff,
    obtain_code,
    query_of,
    signing_key_file,
    verified_claims,
)
from tests.identity.test_sso_admin import system_admin

EVERY_SCOPE = ["openid", "profile", "email", "phone"]


def with_policy(application, *, is_active=True, allowed_scopes=EVERY_SCOPE):
    ApplicationPolicy.objects.create(
        application=application, is_active=is_active, allowed_scopes=allowed_scopes
    )
    return application


def disabled(application):
    application.egov_policy.is_active = False
    application.egov_policy.save(update_fields=["is_active"])
    return application


def userinfo(client, access_token):
    return client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def refresh(client, application, refresh_token):
    return client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic_auth(application.client_id),
    )


REFUSAL_TITLE = "接入应用已停用"
REFUSAL_TEXT = (
    "“协同办公系统”已被本平台管理员停用，暂时不能使用平台账号登录该系统。"
    "如需继续使用，请联系该系统的管理员。"
)


# A disabled application --------------------------------------------------------


@pytest.mark.django_db
def test_a_disabled_application_gets_a_chinese_403_page_and_no_redirect(client):
    user = make_staff()
    client.force_login(user)
    application = with_policy(make_application(skip_authorization=True))
    disabled(application)

    response = client.get("/o/authorize/", authorize_params(application))

    assert response.status_code == 403
    assert "Location" not in response
    page = response.content.decode()
    assert REFUSAL_TITLE in page
    assert REFUSAL_TEXT in page
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.user == user
    assert refused.target_id == str(application.pk)
    assert refused.detail["reason"] == "application_disabled"


@pytest.mark.django_db
def test_a_visitor_is_not_asked_to_sign_in_for_a_disabled_application(client):
    application = disabled(with_policy(make_application()))

    response = client.get("/o/authorize/", authorize_params(application))

    assert response.status_code == 403
    assert REFUSAL_TEXT in response.content.decode()
    [refused] = entries("identity.sso_authorize")
    assert refused.user is None
    assert refused.detail["reason"] == "application_disabled"


@pytest.mark.django_db
def test_consent_given_after_the_application_was_disabled_grants_nothing(client):
    client.force_login(make_staff())
    application = with_policy(make_application())
    params = authorize_params(application)
    assert client.get("/o/authorize/", params).status_code == 200
    disabled(application)

    response = client.post("/o/authorize/", {**params, "allow": "on"})

    assert response.status_code == 403
    assert REFUSAL_TEXT in response.content.decode()
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.detail["reason"] == "application_disabled"


@pytest.mark.django_db
def test_a_disabled_application_cannot_exchange_its_code(client):
    client.force_login(make_staff())
    application = with_policy(make_application())
    code = obtain_code(client, application)
    disabled(application)

    response = exchange(client, application, code)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not get_access_token_model().objects.exists()
    [refused] = entries("identity.sso_issue_token")
    assert refused.outcome == "failed"
    assert refused.target_id == str(application.pk)
    assert refused.detail["reason"] == "application_disabled"


@pytest.mark.django_db
def test_a_disabled_public_client_cannot_exchange_its_code(client):
    client.force_login(make_staff())
    application = with_policy(make_application(client_type="public"))
    code = obtain_code(client, application)
    disabled(application)

    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "client_id": application.client_id,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": (
                "a-long-enough-pkce-code-verifier-0123456789-abcdefghijklmnop"
            ),
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert entries("identity.sso_issue_token")[0].detail["reason"] == (
        "application_disabled"
    )


@pytest.mark.django_db
def test_a_disabled_application_cannot_refresh_or_use_its_tokens(client):
    user = make_staff()
    client.force_login(user)
    application = with_policy(make_application())
    tokens = exchange(client, application, obtain_code(client, application)).json()
    disabled(application)

    refreshed = refresh(client, application, tokens["refresh_token"])
    info = userinfo(client, tokens["access_token"])

    assert refreshed.status_code == 401
    assert refreshed.json()["error"] == "invalid_client"
    assert info.status_code == 401
    assert 'error="invalid_token"' in info["WWW-Authenticate"]
    [used] = entries("identity.sso_use_token")
    assert used.outcome == "failed"
    assert used.user == user
    assert used.target_id == str(application.pk)
    assert used.detail == {
        "client_id": application.client_id,
        "reason": "application_disabled",
    }
    assert entries("identity.sso_issue_token")[-1].detail["reason"] == (
        "application_disabled"
    )


@pytest.mark.django_db
def test_enabling_the_application_again_restores_sign_in_and_its_tokens(client):
    user = make_staff()
    admin = system_admin()
    client.force_login(user)
    application = with_policy(make_application())
    tokens = exchange(client, application, obtain_code(client, application)).json()
    sso.disable_application(actor=admin, application=application)
    assert userinfo(client, tokens["access_token"]).status_code == 401

    sso.enable_application(actor=admin, application=application)

    assert userinfo(client, tokens["access_token"]).json() == {
        "sub": str(user.subject_id),
        "name": "王五",
        "preferred_username": "wangwu",
        "kind": "staff",
        "organization": {"code": "XZF-BGS", "name": "县政府办公室"},
        "posts": [
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
        ],
        "roles": ["section_chief", "window_clerk"],
    }
    assert refresh(client, application, tokens["refresh_token"]).status_code == 200
    assert client.get("/o/authorize/", authorize_params(application)).status_code == (
        200
    )


@pytest.mark.django_db
def test_introspection_reports_a_disabled_applications_token_as_inactive(client):
    user = make_staff()
    client.force_login(user)
    archive = with_policy(make_application(name="档案系统"))
    office = with_policy(
        make_application(
            name="协同办公系统", redirect_uris="https://oa2.example.gov.cn/cb"
        )
    )
    tokens = exchange(client, archive, obtain_code(client, archive)).json()

    def introspect(caller):
        return client.post(
            "/o/introspect/",
            {"token": tokens["access_token"]},
            HTTP_AUTHORIZATION=basic_auth(caller.client_id),
        )

    assert introspect(office).json()["active"] is True
    disabled(archive)
    assert introspect(office).json() == {"active": False}
    disabled(office)
    assert introspect(office).status_code == 403


@pytest.mark.django_db
def test_an_application_without_a_policy_row_is_active_with_every_scope(client):
    user = make_staff()
    client.force_login(user)
    application = make_application()

    code = obtain_code(client, application, scope="openid profile email phone")
    claims = verified_claims(
        client, exchange(client, application, code).json()["id_token"]
    )

    assert not ApplicationPolicy.objects.exists()
    assert sso.is_application_active(application) is True
    assert sso.allowed_scopes_of(application) == EVERY_SCOPE
    assert claims["phone_number"] == "13800138000"


@pytest.mark.django_db
def test_signing_out_still_works_through_a_disabled_application(client):
    user = make_staff()
    client.force_login(user)
    application = with_policy(make_application())
    tokens = exchange(client, application, obtain_code(client, application)).json()
    disabled(application)

    response = client.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://oa.example.gov.cn/signed-out",
        },
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# Allowed scopes -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_scope_outside_the_allowed_set_is_refused_on_the_redirect(client):
    client.force_login(make_staff())
    application = with_policy(make_application(), allowed_scopes=["openid", "profile"])

    response = client.get(
        "/o/authorize/",
        authorize_params(application, scope="openid profile phone email"),
    )

    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = query_of(response["Location"])
    assert answer["error"] == "invalid_scope"
    assert answer["error_description"] == (
        "Scope not allowed for this client: email phone."
    )
    assert answer["state"] == "state-42"
    assert "code" not in answer
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "invalid_scope"


@pytest.mark.django_db
def test_a_trusted_application_is_refused_a_scope_it_is_not_allowed(client):
    client.force_login(make_staff())
    application = with_policy(
        make_application(skip_authorization=True), allowed_scopes=["openid"]
    )

    response = client.get("/o/authorize/", authorize_params(application))

    assert query_of(response["Location"])["error"] == "invalid_scope"
    assert not get_grant_model().objects.exists()


@pytest.mark.django_db
def test_an_unknown_scope_is_refused_as_invalid_scope(client):
    client.force_login(make_staff())
    application = with_policy(make_application())

    response = client.get(
        "/o/authorize/", authorize_params(application, scope="openid address")
    )

    assert query_of(response["Location"])["error"] == "invalid_scope"


@pytest.mark.django_db
def test_openid_is_always_allowed_and_is_the_default_scope(client):
    user = make_staff()
    client.force_login(user)
    application = with_policy(
        make_application(skip_authorization=True), allowed_scopes=[]
    )

    response = client.get("/o/authorize/", authorize_params(application, scope=None))
    code = query_of(response["Location"])["code"]
    tokens = exchange(client, application, code).json()

    assert tokens["scope"] == "openid"
    assert userinfo(client, tokens["access_token"]).json() == {
        "sub": str(user.subject_id)
    }


@pytest.mark.django_db
def test_the_consent_page_lists_only_the_allowed_scopes_asked_for(client):
    client.force_login(make_staff())
    application = with_policy(
        make_application(), allowed_scopes=["openid", "profile", "email"]
    )

    response = client.get(
        "/o/authorize/", authorize_params(application, scope="openid email")
    )

    assert response.status_code == 200
    items = response.content.decode().split('id="requested-scopes"')[1]
    items = items.split("</ul>")[0]
    assert "确认您的身份" in items
    assert "电子邮箱" in items
    assert "姓名、所属机构、岗位与角色" not in items
    assert "手机号码" not in items


@pytest.mark.django_db
def test_a_consent_form_tampered_to_ask_for_more_is_refused_and_audited(client):
    client.force_login(make_staff())
    application = with_policy(make_application(), allowed_scopes=["openid", "profile"])
    params = authorize_params(application)

    response = client.post(
        "/o/authorize/", {**params, "scope": "openid profile phone", "allow": "on"}
    )

    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_scope"
    assert not get_grant_model().objects.exists()
    [refused] = entries("identity.sso_authorize")
    assert refused.outcome == "failed"
    assert refused.detail["reason"] == "invalid_scope"


@pytest.mark.django_db
def test_a_withdrawn_scope_gives_no_claims_and_is_dropped_on_refresh(client):
    client.force_login(make_staff())
    admin = system_admin()
    application = with_policy(make_application())
    code = obtain_code(client, application, scope="openid profile phone")
    tokens = exchange(client, application, code).json()
    assert userinfo(client, tokens["access_token"]).json()["phone_number"] == (
        "13800138000"
    )

    sso.update_application(
        actor=admin,
        application=application,
        name=application.name,
        redirect_uris=application.redirect_uris,
        post_logout_redirect_uris=application.post_logout_redirect_uris,
        allowed_scopes=["openid", "profile"],
    )

    info = userinfo(client, tokens["access_token"]).json()
    assert "phone_number" not in info
    assert info["name"] == "王五"
    renewed = refresh(client, application, tokens["refresh_token"]).json()
    assert renewed["scope"] == "openid profile"
    claims = verified_claims(client, renewed["id_token"])
    assert "phone_number" not in claims
    assert claims["name"] == "王五"


@pytest.mark.django_db
def test_the_rest_api_refuses_an_access_token_of_a_disabled_application(client):
    user = make_staff()
    user.roles.get(code="section_chief").permissions.add(
        Permission.objects.get(
            content_type__app_label="identity", codename="view_organization"
        )
    )
    client.force_login(user)
    application = with_policy(make_application())
    tokens = exchange(client, application, obtain_code(client, application)).json()
    client.logout()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}

    accepted = client.get("/api/identity/organizations/", **bearer)
    disabled(application)
    refused = client.get("/api/identity/organizations/", **bearer)

    assert accepted.status_code == 200
    assert "results" in accepted.json()
    assert refused.status_code == 403
    assert "results" not in refused.json()
    [used] = entries("identity.sso_use_token")
    assert used.detail["reason"] == "application_disabled"
