"""系统管理 → 表单管理 pages and their JSON endpoints."""

import json

import pytest
from django.test import Client

from egov.eforms.models import FormDefinition
from tests.eforms.factories import form_role, leave_schema, published_form, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_the_menu_offers_form_management_to_form_administrators_only(admin, clerk):
    page = signed_in(admin).get("/staff/")
    other = signed_in(clerk).get("/staff/")

    assert "表单管理" in page.content.decode()
    assert 'href="/staff/forms/"' in page.content.decode()
    assert "表单管理" not in other.content.decode()


def test_the_list_shows_each_form_with_its_published_version(admin):
    published_form(admin)

    response = signed_in(admin).get("/staff/forms/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "请假申请表" in body
    assert "第1版" in body
    assert 'href="/staff/forms/new/"' in body


@pytest.mark.parametrize(
    "url",
    [
        "/staff/forms/",
        "/staff/forms/leave/",
        "/staff/forms/leave/edit/",
        "/staff/forms/leave/v1/schema/",
        "/staff/forms/leave/v1/preview/",
        "/staff/forms/leave/v1/preview/data/",
        "/staff/forms/new/",
    ],
)
def test_staff_without_form_permissions_get_not_found(admin, clerk, url):
    published_form(admin)

    assert signed_in(clerk).get(url).status_code == 404


def test_a_missing_form_or_version_is_not_found(admin):
    published_form(admin)
    client = signed_in(admin)

    assert client.get("/staff/forms/trip/").status_code == 404
    assert client.get("/staff/forms/leave/v9/schema/").status_code == 404


def test_a_viewer_without_the_change_permission_may_not_open_the_designer(admin):
    published_form(admin)
    reader = staff(
        "zhouba", "周八", roles=[form_role("reader", ["view_formdefinition"])]
    )

    response = signed_in(reader).get("/staff/forms/leave/edit/")

    assert response.status_code == 403


def test_the_designer_page_loads_the_bundle_and_admits_editor_styles_by_nonce(admin):
    published_form(admin)

    response = signed_in(admin).get("/staff/forms/leave/edit/")

    body = response.content.decode()
    policy = response["Content-Security-Policy"]
    nonce = body.split('name="egov-style-nonce" content="')[1].split('"')[0]
    assert "/static/build/form-designer.js" in body
    assert 'data-schema-url="/staff/forms/leave/v1/schema/"' in body
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert "script-src 'self'" in [part.strip() for part in policy.split(";")]


def test_other_form_pages_keep_the_strict_style_policy(admin):
    published_form(admin)

    response = signed_in(admin).get("/staff/forms/leave/")

    directives = [
        part.strip() for part in response["Content-Security-Policy"].split(";")
    ]
    assert "style-src 'self'" in directives
    assert "nonce" not in response["Content-Security-Policy"]


def test_the_versions_page_lists_versions_and_offers_to_publish_a_draft(admin):
    published_form(admin)
    post_json(
        signed_in(admin),
        "/staff/forms/save/",
        {"key": "leave", "name": "请假申请表", "schema": leave_schema(id="v2")},
    )

    body = signed_in(admin).get("/staff/forms/leave/").content.decode()

    assert body.count("<tr>") == 3
    assert "发布第2版" in body
    assert "已发布" in body and "草稿" in body


def test_saving_through_the_designer_endpoint_answers_the_version(admin):
    response = post_json(
        signed_in(admin),
        "/staff/forms/save/",
        {"key": "leave", "name": "请假申请表", "schema": leave_schema()},
    )

    assert response.status_code == 200
    assert response.json() == {
        "key": "leave",
        "version": 1,
        "message": "已保存第1版草稿",
        "edit_url": "/staff/forms/leave/edit/",
        "publish_url": "/staff/forms/leave/publish/",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "提交的内容不是有效的 JSON"),
        (b"[1, 2]", "提交的内容应为 JSON 对象"),
        (b"\xff\xfe", "提交的内容不是有效的 JSON"),
        (b'{"x": "' + b"a" * (1024 * 1024) + b'"}', "提交的内容过大"),
    ],
)
def test_a_broken_request_body_is_refused_with_a_message(admin, body, message):
    response = signed_in(admin).post(
        "/staff/forms/save/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == message
    assert FormDefinition.objects.count() == 0


def test_a_refused_save_answers_the_problems(admin):
    response = post_json(
        signed_in(admin),
        "/staff/forms/save/",
        {"key": "Leave!", "name": "请假", "schema": leave_schema()},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_form_key"
    assert response.json()["errors"] == {"key": ["表单标识格式不正确"]}


def test_saving_without_the_permission_is_forbidden(clerk):
    response = post_json(
        signed_in(clerk),
        "/staff/forms/save/",
        {"key": "leave", "name": "请假", "schema": leave_schema()},
    )

    assert response.status_code == 403
    assert response.json()["message"] == "您没有执行此操作的权限"


def test_publishing_from_the_designer_answers_where_to_go(admin):
    client = signed_in(admin)
    post_json(
        client,
        "/staff/forms/save/",
        {"key": "leave", "name": "请假申请表", "schema": leave_schema()},
    )

    response = post_json(client, "/staff/forms/leave/publish/", {"key": "leave"})

    assert response.json() == {
        "message": "已发布“请假申请表”第1版",
        "redirect": "/staff/forms/leave/",
    }
    assert FormDefinition.objects.get().published is True


def test_publishing_from_the_versions_page_redirects_with_a_message(admin):
    client = signed_in(admin)
    post_json(
        client,
        "/staff/forms/save/",
        {"key": "leave", "name": "请假申请表", "schema": leave_schema()},
    )

    response = client.post("/staff/forms/leave/publish/", follow=True)

    assert response.redirect_chain[-1][0] == "/staff/forms/leave/"
    assert "已发布“请假申请表”第1版" in response.content.decode()


def test_publishing_nothing_from_the_versions_page_explains_why(admin):
    published_form(admin)

    response = signed_in(admin).post("/staff/forms/leave/publish/", follow=True)

    assert "该表单没有待发布的草稿" in response.content.decode()


def test_publishing_without_the_permission_is_forbidden(admin, clerk):
    save = signed_in(admin)
    post_json(
        save,
        "/staff/forms/save/",
        {"key": "leave", "name": "请假", "schema": leave_schema()},
    )

    assert signed_in(clerk).post("/staff/forms/leave/publish/").status_code == 403
    assert FormDefinition.objects.get().published is False


def test_the_schema_endpoint_answers_the_version(admin):
    published_form(admin)

    response = signed_in(admin).get("/staff/forms/leave/v1/schema/")

    assert response.json()["schema"] == leave_schema()
    assert response.json()["published"] is True


def test_the_preview_uses_the_task_form_widget(admin):
    published_form(admin)

    body = signed_in(admin).get("/staff/forms/leave/v1/preview/").content.decode()

    assert 'data-schema-url="/staff/forms/leave/v1/schema/"' in body
    assert 'data-data-url="/staff/forms/leave/v1/preview/data/"' in body
    assert 'data-submit-url="/staff/forms/leave/v1/preview/check/"' in body
    assert "/static/build/form-viewer.js" in body
    assert 'data-egov-submit="submit"' in body


def test_the_preview_check_runs_server_validation_and_stores_nothing(admin):
    published_form(admin)
    client = signed_in(admin)

    bad = post_json(
        client, "/staff/forms/leave/v1/preview/check/", {"data": {"days": 100}}
    )
    good = post_json(
        client,
        "/staff/forms/leave/v1/preview/check/",
        {"data": {"applicant": "王五", "days": 1, "kind": "sick"}},
    )

    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "applicant": ["此项为必填项"],
        "days": ["不能大于30"],
        "kind": ["此项为必填项"],
    }
    assert good.json()["message"] == "服务器校验通过（预览不会保存数据）"
    assert FormDefinition.objects.get().submissions.count() == 0


def test_pages_refuse_the_wrong_method(admin):
    published_form(admin)
    client = signed_in(admin)

    assert client.get("/staff/forms/save/").status_code == 405
    assert client.post("/staff/forms/").status_code == 405
