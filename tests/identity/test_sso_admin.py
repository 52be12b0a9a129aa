"""系统管理 → 接入应用: registering systems for single sign-on, showing the client
secret once, choosing the scopes each may ask for, disabling and enabling,
rotating and deleting, and who may do which."""

import json

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Permission
from oauth2_provider.models import get_access_token_model, get_application_model

from egov.audit.labels import action_label
from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.identity.actions import sso
from egov.identity.models import ApplicationPolicy, Organization, Region, Role, User
from egov.identity.roles import SYSTEM_ADMIN, ensure_builtin_roles
from tests.identity.test_oidc import (  # noqa: F401 - fixtures
    _oidc_settings,
    make_application,
    signing_key_file,
)

Application = get_application_model()

LIST = "/staff/sso/"
NEW = "/staff/sso/new/"

FORM = {
    "name": "协同办公系统",
    "client_type": "confidential",
    "redirect_uris": "https://oa.example.gov.cn/oidc/callback",
    "post_logout_redirect_uris": "https://oa.example.gov.cn/signed-out",
}


def staff_with(*codenames, username="liuliu"):
    """A staff member whose one role carries exactly these application permissions."""
    user = User(username=username, real_name="刘六", kind=User.Kind.STAFF)
    user.set_password("Passw0rd!x")
    user.save()
    if codenames:
        role = Role.objects.create(code=f"role_{username}", name=f"角色{username}")
        role.permissions.set(
            Permission.objects.filter(
                content_type__app_label="oauth2_provider", codename__in=codenames
            )
        )
        user.roles.add(role)
    return user


def system_admin():
    """赵七, who holds the built-in system administrator role."""
    ensure_builtin_roles()
    user = User(username="zhaoqi", real_name="赵七", kind=User.Kind.STAFF)
    user.set_password("Passw0rd!x")
    user.save()
    user.roles.add(Role.objects.get(code=SYSTEM_ADMIN))
    return user


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# Registration ----------------------------------------------------------------------


@pytest.mark.django_db
def test_registering_shows_client_id_and_secret_once_and_stores_only_a_hash(client):
    admin = system_admin()
    client.force_login(admin)

    response = client.post(NEW, FORM)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    application = Application.objects.get()
    secret = response.context["client_secret"]
    page = response.content.decode()
    assert application.client_id in page
    assert secret in page
    assert len(secret) >= 40
    assert "密钥只显示这一次" in page
    assert application.client_secret != secret
    assert check_password(secret, application.client_secret)
    assert application.name == "协同办公系统"
    assert application.client_type == "confidential"
    assert application.authorization_grant_type == "authorization-code"
    assert application.algorithm == "RS256"
    assert application.redirect_uris == "https://oa.example.gov.cn/oidc/callback"
    assert application.post_logout_redirect_uris == (
        "https://oa.example.gov.cn/signed-out"
    )
    assert application.skip_authorization is False

    detail = client.get(f"{LIST}{application.pk}/").content.decode()
    assert application.client_id in detail
    assert secret not in detail
    assert "已加密保存，无法查看；如遗失请重置。" in detail

    [entry] = entries("identity.register_application")
    assert entry.outcome == "success"
    assert entry.user == admin
    assert entry.target_id == str(application.pk)
    assert entry.detail["client_id"] == application.client_id
    assert secret not in json.dumps(entry.detail)


@pytest.mark.django_db
def test_a_public_client_is_registered_without_a_secret(client):
    client.force_login(system_admin())

    response = client.post(
        NEW,
        {
            **FORM,
            "name": "掌上办事",
            "client_type": "public",
            "redirect_uris": "https://m.example.gov.cn/cb\nhttp://localhost:5173/cb",
            "skip_authorization": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["client_secret"] == ""
    assert "公开客户端没有密钥，登录时必须使用 PKCE（S256）。" in (
        response.content.decode()
    )
    application = Application.objects.get()
    assert application.client_type == "public"
    assert application.skip_authorization is True
    assert application.redirect_uris.split() == [
        "https://m.example.gov.cn/cb",
        "http://localhost:5173/cb",
    ]


@pytest.mark.parametrize(
    ("uris", "message"),
    [
        (
            "http://oa.example.gov.cn/cb",
            "“http://oa.example.gov.cn/cb”必须使用 https"
            "（仅本机 localhost、127.0.0.1 可使用 http）",
        ),
        ("/oidc/callback", "“/oidc/callback”不是有效的网址，应以 https:// 开头"),
        ("ftp://oa.example.gov.cn/cb", "“ftp://oa.example.gov.cn/cb”不是有效的网址"),
        (
            "https://oa.example.gov.cn/cb#top",
            "“https://oa.example.gov.cn/cb#top”不能包含 # 片段",
        ),
        (
            "https://*.example.gov.cn/cb",
            "“https://*.example.gov.cn/cb”不能包含通配符 *",
        ),
        (
            "https://admin:pw@oa.example.gov.cn/cb",
            "“https://admin:pw@oa.example.gov.cn/cb”不能包含用户名或密码",
        ),
        ("https://oa.example.gov.cn:99999/cb", "不是有效的网址"),
        ("https://[::1/cb", "“https://[::1/cb”不是有效的网址"),
    ],
)
@pytest.mark.django_db
def test_a_bad_redirect_uri_is_refused_with_a_clear_message(client, uris, message):
    client.force_login(system_admin())

    response = client.post(NEW, {**FORM, "redirect_uris": uris})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in response.context["form"].errors["redirect_uris"][0]
    assert not Application.objects.exists()
    [refused] = entries("identity.register_application")
    assert refused.outcome == "failed"
    assert refused.detail["code"] == "invalid_application"


@pytest.mark.django_db
def test_http_is_accepted_for_the_local_machine_only(client):
    client.force_login(system_admin())

    response = client.post(
        NEW,
        {
            **FORM,
            "redirect_uris": "http://127.0.0.1:8000/cb http://localhost/cb",
            "post_logout_redirect_uris": "http://[::1]:8000/bye",
        },
    )

    assert response.status_code == 200
    assert Application.objects.get().post_logout_redirect_uris == (
        "http://[::1]:8000/bye"
    )


@pytest.mark.django_db
def test_a_bad_post_logout_address_is_refused_on_its_own_field(client):
    client.force_login(system_admin())

    response = client.post(
        NEW, {**FORM, "post_logout_redirect_uris": "http://evil.example.com/"}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["post_logout_redirect_uris"] == [
        "“http://evil.example.com/”必须使用 https"
        "（仅本机 localhost、127.0.0.1 可使用 http）"
    ]
    assert "redirect_uris" not in errors


@pytest.mark.django_db
def test_missing_name_and_addresses_are_reported_in_chinese(client):
    client.force_login(system_admin())

    response = client.post(NEW, {"client_type": "confidential", "name": "  "})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写应用名称"]
    assert errors["redirect_uris"] == ["请至少填写一个回调地址"]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_second_application_with_the_same_name_is_refused(client):
    client.force_login(system_admin())
    make_application(name="协同办公系统")

    response = client.post(NEW, FORM)

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["已有同名的接入应用"]
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_client_type_is_refused(client):
    client.force_login(system_admin())

    response = client.post(NEW, {**FORM, "client_type": "device"})

    assert response.status_code == 400
    assert "client_type" in response.context["form"].errors
    assert not Application.objects.exists()


# Changing, rotating, deleting -------------------------------------------------


@pytest.mark.django_db
def test_rotating_the_secret_shows_the_new_one_once_and_voids_the_old(client):
    admin = system_admin()
    client.force_login(admin)
    application = make_application()
    old_hash = application.client_secret

    response = client.post(f"{LIST}{application.pk}/secret/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["client_secret"]
    assert secret in response.content.decode()
    assert (
        "已为“协同办公系统”重置客户端密钥，旧密钥已失效。" in response.content.decode()
    )
    application.refresh_from_db()
    assert application.client_secret != old_hash
    assert check_password(secret, application.client_secret)
    assert not check_password(
        "s3cret-of-the-office-system-0123456789", application.client_secret
    )
    [entry] = entries("identity.rotate_client_secret")
    assert entry.user == admin
    assert secret not in json.dumps(entry.detail)


@pytest.mark.django_db
def test_a_public_client_has_no_secret_to_rotate(client):
    client.force_login(system_admin())
    application = make_application(client_type="public")
    before = application.client_secret

    response = client.post(f"{LIST}{application.pk}/secret/", follow=True)

    assert "公开客户端不使用密钥，无需重置" in response.content.decode()
    application.refresh_from_db()
    assert application.client_secret == before
    [refused] = entries("identity.rotate_client_secret")
    assert refused.outcome == "failed"
    assert refused.detail["code"] == "public_client_has_no_secret"


@pytest.mark.django_db
def test_changing_an_application_saves_the_addresses_and_audits_the_difference(client):
    client.force_login(system_admin())
    application = make_application()

    response = client.post(
        f"{LIST}{application.pk}/edit/",
        {
            "name": "协同办公系统（新版）",
            "redirect_uris": "https://oa.example.gov.cn/oidc/callback\n"
            "https://oa2.example.gov.cn/cb",
            "post_logout_redirect_uris": "",
            "skip_authorization": "on",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.name == "协同办公系统（新版）"
    assert application.redirect_uris.split() == [
        "https://oa.example.gov.cn/oidc/callback",
        "https://oa2.example.gov.cn/cb",
    ]
    assert application.post_logout_redirect_uris == ""
    assert application.skip_authorization is True
    assert application.client_type == "confidential"
    [entry] = entries("identity.change_application")
    assert entry.detail["before"]["name"] == "协同办公系统"
    assert entry.detail["after"]["name"] == "协同办公系统（新版）"
    assert entry.detail["after"]["skip_authorization"] is True
    assert "client_id" not in entry.detail["after"]


@pytest.mark.django_db
def test_deleting_an_application_voids_its_tokens(client):
    admin = system_admin()
    client.force_login(admin)
    application = make_application()
    get_access_token_model().objects.create(
        user=admin,
        application=application,
        token="access-token-1",
        expires="2099-01-01T00:00:00Z",
        scope="openid",
    )

    response = client.post(f"{LIST}{application.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Application.objects.exists()
    assert not get_access_token_model().objects.exists()
    [entry] = entries("identity.delete_application")
    assert entry.detail["client_id"] == application.client_id
    assert entry.detail["revoked_access_tokens"] == 1
    listing = client.get(LIST).content.decode()
    assert "已删除接入应用“协同办公系统”" in listing
    assert "还没有登记接入应用" in listing


@pytest.mark.django_db
def test_a_missing_application_answers_404(client):
    client.force_login(system_admin())

    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.get(f"{LIST}99999999999999999999999/").status_code == 404


# Policy: scopes, description, organization; disabling and enabling -------------


def county_office(*, is_active=True, code="XZF-BGS"):
    region, _created = Region.objects.get_or_create(
        code="130102",
        defaults={"name": "示范县", "level": Region.Level.COUNTY, "path": "/130102/"},
    )
    return Organization.objects.create(
        code=code,
        name="县政府办公室" if is_active else "已撤销的办公室",
        kind=Organization.Kind.DEPARTMENT,
        region=region,
        path=f"/{code}/",
        is_active=is_active,
    )


@pytest.mark.django_db
def test_the_registration_form_offers_the_scopes_with_openid_always_on(client):
    client.force_login(system_admin())

    response = client.get(NEW)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_allowed_scopes_0" checked disabled' in page
    assert 'name="allowed_scopes" id="id_allowed_scopes_1" value="profile" checked' in (
        page
    )
    assert 'name="allowed_scopes" id="id_allowed_scopes_3" value="phone">' in page
    for label in ("允许的授权范围", "确认您的身份", "手机号码", "主管单位", "说明"):
        assert label in page


@pytest.mark.django_db
def test_registering_keeps_the_chosen_scopes_description_and_organization(client):
    admin = system_admin()
    client.force_login(admin)
    office = county_office()

    response = client.post(
        NEW,
        {
            **FORM,
            "allowed_scopes": ["phone", "profile"],
            "description": "县政府办公室的公文系统，联系人：钱八",
            "organization": str(office.pk),
        },
    )

    assert response.status_code == 200
    policy = ApplicationPolicy.objects.get()
    assert policy.application == Application.objects.get()
    assert policy.is_active is True
    assert policy.allowed_scopes == ["openid", "profile", "phone"]
    assert policy.description == "县政府办公室的公文系统，联系人：钱八"
    assert policy.organization == office
    [entry] = entries("identity.register_application")
    assert entry.detail["allowed_scopes"] == ["openid", "profile", "phone"]
    assert entry.detail["organization"] == "XZF-BGS"
    assert entry.detail["is_active"] is True
    detail = client.get(f"{LIST}{policy.application.pk}/").content.decode()
    assert "县政府办公室的公文系统，联系人：钱八" in detail
    assert "县政府办公室" in detail
    scopes = detail.split('id="allowed-scopes"')[1].split("</dd>")[0]
    assert "手机号码" in scopes
    assert "电子邮箱" not in scopes


@pytest.mark.django_db
def test_registering_without_a_scope_ticked_allows_openid_only(client):
    client.force_login(system_admin())

    client.post(NEW, FORM)

    assert ApplicationPolicy.objects.get().allowed_scopes == ["openid"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("allowed_scopes", ["openid", "address"], "未知的授权范围：address"),
        ("organization", "999999", "请选择启用中的机构"),
        ("organization", "x", "请选择启用中的机构"),
        ("description", "长" * 501, "说明不能超过 500 个字"),
    ],
)
@pytest.mark.django_db
def test_a_bad_policy_field_is_refused_with_a_clear_message(
    client, field, value, message
):
    client.force_login(system_admin())

    response = client.post(NEW, {**FORM, field: value})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not Application.objects.exists()
    assert not ApplicationPolicy.objects.exists()


@pytest.mark.django_db
def test_an_inactive_organization_cannot_be_chosen(client):
    client.force_login(system_admin())
    closed = county_office(is_active=False)

    response = client.post(NEW, {**FORM, "organization": str(closed.pk)})

    assert response.status_code == 400
    assert response.context["form"].errors["organization"] == ["请选择启用中的机构"]


@pytest.mark.django_db
def test_the_action_refuses_unknown_scopes_and_inactive_organizations():
    admin = system_admin()

    with pytest.raises(ActionError) as caught:
        sso.register_application(
            actor=admin,
            name="协同办公系统",
            client_type="confidential",
            redirect_uris="https://oa.example.gov.cn/cb",
            allowed_scopes=["openid", "address"],
            organization=county_office(is_active=False),
        )

    assert caught.value.fields == {
        "allowed_scopes": "未知的授权范围：address",
        "organization": "请选择启用中的机构",
    }
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_changing_the_scopes_saves_them_and_audits_the_difference(client):
    client.force_login(system_admin())
    application = make_application()
    ApplicationPolicy.objects.create(
        application=application, allowed_scopes=["openid", "profile", "phone"]
    )
    form = client.get(f"{LIST}{application.pk}/edit/").content.decode()
    assert 'value="phone" checked' in form
    assert 'value="email">' in form

    response = client.post(
        f"{LIST}{application.pk}/edit/",
        {
            "name": application.name,
            "redirect_uris": application.redirect_uris,
            "allowed_scopes": ["profile", "email"],
            "description": "公文流转",
        },
    )

    assert response.status_code == 302
    policy = ApplicationPolicy.objects.get()
    assert policy.allowed_scopes == ["openid", "profile", "email"]
    assert policy.description == "公文流转"
    [entry] = entries("identity.change_application")
    assert entry.detail["before"]["allowed_scopes"] == ["openid", "profile", "phone"]
    assert entry.detail["after"]["allowed_scopes"] == ["openid", "profile", "email"]
    assert entry.detail["after"]["description"] == "公文流转"


@pytest.mark.django_db
def test_editing_an_application_without_a_policy_row_starts_from_every_scope(client):
    client.force_login(system_admin())
    application = make_application()

    form = client.get(f"{LIST}{application.pk}/edit/").content.decode()
    client.post(
        f"{LIST}{application.pk}/edit/",
        {
            "name": application.name,
            "redirect_uris": application.redirect_uris,
            "allowed_scopes": ["profile"],
        },
    )

    for scope in ("profile", "email", "phone"):
        assert f'value="{scope}" checked' in form
    policy = ApplicationPolicy.objects.get(application=application)
    assert policy.allowed_scopes == ["openid", "profile"]
    assert policy.is_active is True


@pytest.mark.django_db
def test_disabling_asks_first_then_stops_the_application_and_is_audited(client):
    admin = system_admin()
    client.force_login(admin)
    application = make_application()

    confirm = client.get(f"{LIST}{application.pk}/disable/").content.decode()
    response = client.post(f"{LIST}{application.pk}/disable/", follow=True)

    assert "停用后，用户不能再通过本平台登录该系统" in confirm
    assert "确认停用" in confirm
    policy = ApplicationPolicy.objects.get(application=application)
    assert policy.is_active is False
    assert policy.disabled_at is not None
    page = response.content.decode()
    assert "已停用接入应用“协同办公系统”" in page
    assert "该应用已于" in page
    assert 'id="application-status">已停用' in page
    assert "/enable/" in page
    assert "/disable/" not in page
    listing = client.get(LIST).content.decode()
    assert "已停用" in listing
    [entry] = entries("identity.disable_application")
    assert entry.outcome == "success"
    assert entry.user == admin
    assert entry.target_id == str(application.pk)
    assert entry.detail == {"client_id": application.client_id}


@pytest.mark.django_db
def test_enabling_a_disabled_application_makes_it_active_again(client):
    admin = system_admin()
    client.force_login(admin)
    application = make_application()
    sso.disable_application(actor=admin, application=application)

    confirm = client.get(f"{LIST}{application.pk}/enable/").content.decode()
    response = client.post(f"{LIST}{application.pk}/enable/", follow=True)

    assert "确认启用" in confirm
    policy = ApplicationPolicy.objects.get()
    assert policy.is_active is True
    assert policy.disabled_at is None
    page = response.content.decode()
    assert "已启用接入应用“协同办公系统”" in page
    assert 'id="application-status">启用' in page
    [entry] = entries("identity.enable_application")
    assert entry.outcome == "success"
    assert entry.detail["client_id"] == application.client_id
    assert entry.detail["disabled_at"]


@pytest.mark.django_db
def test_disabling_twice_or_enabling_an_active_application_is_refused(client):
    admin = system_admin()
    client.force_login(admin)
    application = make_application()

    enabled = client.post(f"{LIST}{application.pk}/enable/", follow=True)
    sso.disable_application(actor=admin, application=application)
    again = client.post(f"{LIST}{application.pk}/disable/", follow=True)

    assert "接入应用“协同办公系统”已是启用状态" in enabled.content.decode()
    assert "接入应用“协同办公系统”已是停用状态" in again.content.decode()
    [refused_enable] = entries("identity.enable_application")
    assert refused_enable.outcome == "failed"
    assert refused_enable.detail["code"] == "application_already_enabled"
    disables = entries("identity.disable_application")
    assert [e.outcome for e in disables] == ["success", "failed"]
    assert disables[1].detail["code"] == "application_already_disabled"


@pytest.mark.django_db
def test_the_actions_refuse_to_disable_without_the_change_permission():
    reader = staff_with("view_application")
    application = make_application()

    with pytest.raises(PermissionDenied):
        sso.disable_application(actor=reader, application=application)

    assert sso.is_application_active(application)
    [refused] = entries("identity.disable_application")
    assert refused.outcome == "denied"


def test_the_new_audit_actions_have_chinese_names():
    assert action_label("identity.disable_application") == "停用接入应用"
    assert action_label("identity.enable_application") == "启用接入应用"
    assert action_label("identity.sso_use_token") == "使用单点登录令牌"


# Who may do what ------------------------------------------------------------------


PAGES = ["list", "new", "detail", "edit", "secret", "disable", "enable", "delete"]

MATRIX = {
    "nobody": ((), [403, 403, 404, 404, 404, 404, 404, 404]),
    "reader": (("view_application",), [200, 403, 200, 403, 403, 403, 403, 403]),
    "registrar": (
        ("view_application", "add_application"),
        [200, 200, 200, 403, 403, 403, 403, 403],
    ),
    "maintainer": (
        ("view_application", "change_application"),
        [200, 403, 200, 200, 200, 200, 200, 403],
    ),
    "remover": (
        ("view_application", "delete_application"),
        [200, 403, 200, 403, 403, 403, 403, 200],
    ),
}


def _url(page, application):
    base = f"{LIST}{application.pk}/"
    return {
        "list": LIST,
        "new": NEW,
        "detail": base,
        "edit": base + "edit/",
        "secret": base + "secret/",
        "disable": base + "disable/",
        "enable": base + "enable/",
        "delete": base + "delete/",
    }[page]


@pytest.mark.parametrize("holder", sorted(MATRIX))
@pytest.mark.django_db
def test_only_holders_of_the_permissions_reach_each_page(client, holder):
    codenames, expected = MATRIX[holder]
    client.force_login(staff_with(*codenames))
    application = make_application()

    answers = [client.get(_url(page, application)).status_code for page in PAGES]

    assert answers == expected


@pytest.mark.django_db
def test_the_built_in_system_administrator_reaches_every_page(client):
    client.force_login(system_admin())
    application = make_application()

    answers = [client.get(_url(page, application)).status_code for page in PAGES]

    assert answers == [200] * len(PAGES)


@pytest.mark.parametrize(
    ("codenames", "page", "action", "status"),
    [
        ((), "new", "identity.register_application", 403),
        (("view_application",), "new", "identity.register_application", 403),
        (("view_application",), "edit", "identity.change_application", 403),
        (("view_application",), "secret", "identity.change_application", 403),
        (("view_application",), "delete", "identity.delete_application", 403),
        (("view_application",), "disable", "identity.disable_application", 403),
        (("view_application",), "enable", "identity.enable_application", 403),
    ],
)
@pytest.mark.django_db
def test_a_refused_change_leaves_everything_as_it_was_and_is_audited(
    client, codenames, page, action, status
):
    user = staff_with(*codenames)
    client.force_login(user)
    application = make_application()
    before = Application.objects.values().get()

    response = client.post(_url(page, application), {**FORM, "name": "改名"})

    assert response.status_code == status
    assert Application.objects.values().get() == before
    assert not ApplicationPolicy.objects.exists()
    [refused] = entries(action)
    assert refused.outcome == "denied"
    assert refused.user == user


@pytest.mark.django_db
def test_a_visitor_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_the_actions_themselves_refuse_an_actor_without_permission():
    user = staff_with("view_application")

    with pytest.raises(PermissionDenied):
        sso.register_application(
            actor=user,
            name="协同办公系统",
            client_type="confidential",
            redirect_uris="https://oa.example.gov.cn/cb",
        )

    assert not Application.objects.exists()
    [refused] = entries("identity.register_application")
    assert refused.outcome == "denied"


@pytest.mark.django_db
def test_the_menu_shows_the_entry_only_to_those_who_may_see_applications(client):
    client.force_login(staff_with(username="nobody"))
    assert "接入应用（单点登录）" not in client.get("/staff/").content.decode()

    client.force_login(system_admin())
    assert "接入应用（单点登录）" in client.get("/staff/").content.decode()


@pytest.mark.django_db
def test_the_detail_page_gives_integrators_the_issuer_and_discovery_address(client):
    client.force_login(system_admin())
    application = make_application()

    page = client.get(f"{LIST}{application.pk}/").content.decode()

    assert "<code>http://testserver/o</code>" in page
    assert "<code>http://testserver/o/.well-known/openid-configuration</code>" in page
