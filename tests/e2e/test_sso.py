"""系统管理 → 接入应用 in a real browser: an administrator registers a system for
single sign-on and receives its client id and its secret, once; an administrator
disables a system, and signing in through it then ends on a refusal page."""

from urllib.parse import urlencode

import pytest
from oauth2_provider.models import get_application_model

from egov.identity.actions import sso
from egov.identity.models import Role, User
from egov.identity.roles import SYSTEM_ADMIN, ensure_builtin_roles
from tests.e2e.session import sign_in
from tests.identity.test_oidc import (  # noqa: F401 - fixtures
    REDIRECT_URI,
    _oidc_settings,
    authorize_params,
    signing_key_file,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _system_admin():
    ensure_builtin_roles()
    admin = User(username="zhaoqi", real_name="赵七", kind=User.Kind.STAFF)
    admin.set_password("Passw0rd!x")
    admin.save()
    admin.roles.add(Role.objects.get(code=SYSTEM_ADMIN))
    return admin


def test_an_administrator_registers_an_application_and_sees_its_client_id(
    page, live_server
):
    sign_in(page, live_server, _system_admin())

    page.goto("/staff/")
    page.get_by_role("link", name="接入应用（单点登录）").click()
    page.get_by_role("link", name="登记接入应用").click()
    page.get_by_label("应用名称").fill("协同办公系统")
    page.get_by_label("机密客户端（服务器端系统，可保管密钥）").check()
    page.get_by_label("登录回调地址").fill("https://oa.example.gov.cn/oidc/callback")
    page.get_by_label("退出后返回地址").fill("https://oa.example.gov.cn/signed-out")
    page.get_by_role("button", name="保存").click()

    application = get_application_model().objects.get()
    assert page.locator(".alert-success").inner_text().strip() == (
        "已登记接入应用“协同办公系统”。"
    )
    assert page.locator("#client-id").inner_text() == application.client_id
    secret = page.locator("#client-secret").inner_text()
    assert len(secret) >= 40
    assert secret != application.client_secret

    page.get_by_role("link", name="我已保存，查看应用").click()
    assert page.locator("#client-id").inner_text() == application.client_id
    assert secret not in page.content()
    page.get_by_role("link", name="接入应用").first.click()
    row = page.locator("#application-table tbody tr")
    assert row.count() == 1
    assert "协同办公系统" in row.inner_text()
    assert application.client_id in row.inner_text()


def test_a_bad_callback_address_is_explained_next_to_the_field(page, live_server):
    sign_in(page, live_server, _system_admin())

    page.goto("/staff/sso/new/")
    page.get_by_label("应用名称").fill("协同办公系统")
    page.get_by_label("登录回调地址").fill("http://oa.example.gov.cn/cb")
    page.get_by_role("button", name="保存").click()

    feedback = page.locator("#id_redirect_uris ~ .invalid-feedback")
    assert feedback.inner_text() == (
        "“http://oa.example.gov.cn/cb”必须使用 https"
        "（仅本机 localhost、127.0.0.1 可使用 http）"
    )
    assert page.locator("#id_redirect_uris.is-invalid").count() == 1
    assert not get_application_model().objects.exists()


def test_an_administrator_disables_an_application_and_sign_in_through_it_is_refused(
    page, live_server
):
    admin = _system_admin()
    application = sso.register_application(
        actor=admin,
        name="协同办公系统",
        client_type="confidential",
        redirect_uris=REDIRECT_URI,
        allowed_scopes=["openid", "profile"],
    ).application
    sign_in(page, live_server, admin)
    sign_in_url = "/o/authorize/?" + urlencode(authorize_params(application))

    page.goto(f"/staff/sso/{application.pk}/")
    page.get_by_role("link", name="停用").click()
    page.get_by_role("button", name="确认停用").click()

    assert page.locator(".alert-success").inner_text().strip() == (
        "已停用接入应用“协同办公系统”"
    )
    assert page.locator("#application-status").inner_text() == "已停用"
    refused = page.goto(sign_in_url)
    assert refused.status == 403
    assert page.get_by_role("heading", name="接入应用已停用").is_visible()
    assert (
        "“协同办公系统”已被本平台管理员停用"
        in page.locator(".alert-danger").inner_text()
    )
    assert page.url.startswith(live_server.url)

    page.goto(f"/staff/sso/{application.pk}/")
    page.get_by_role("link", name="启用").click()
    page.get_by_role("button", name="确认启用").click()
    assert page.locator("#application-status").inner_text() == "启用"
    consent = page.goto(sign_in_url)
    assert consent.status == 200
    assert page.get_by_role(
        "heading", name="“协同办公系统”请求使用您的平台账号登录"
    ).is_visible()
