"""The applicant's form data arrives as JSON (the draft page's hidden field
and the form viewer's save): anything but a plain JSON object of sane size,
depth and text is refused with a clear message and changes nothing."""

import json

import pytest
from django.test import Client

from tests.servicehall import apply_factories as af
from tests.servicehall.test_apply_views import _applicant_post


@pytest.fixture
def county(db, no_staff_2fa):
    return af.apply_county()


@pytest.fixture
def draft(county):
    af.with_form(county)
    return af.new_draft(county)


@pytest.fixture
def client(county):
    client = Client()
    client.force_login(county.people.zhangsan)
    return client


HOSTILE_FIELD = {
    "lone surrogate": '{"operator_name": "\\ud800"}',
    "duplicate key": '{"a": 1, "a": 2}',
    "not an object": "[1, 2]",
    "nested too deep": "[" * 5000 + "]" * 5000,
    "not a number": '{"a": NaN}',
    "not JSON": "{operator_name",
}


@pytest.mark.parametrize("body", HOSTILE_FIELD.values(), ids=HOSTILE_FIELD.keys())
def test_the_draft_page_refuses_bad_form_data_and_keeps_the_draft(client, draft, body):
    response = client.post(
        f"/hall/my/drafts/{draft.client_token}/",
        _applicant_post(draft, contact_name="李梅", form_data=body),
    )

    assert response.status_code == 400
    page = response.content.decode()
    shown = page.split("data-sh-form-data-error>", 1)[1].split("</div>", 1)[0]
    assert shown == "申请表数据格式不正确" or shown.startswith("提交的内容")
    draft.refresh_from_db()
    assert draft.contact_name == "张三"
    assert draft.form_data == {}


HOSTILE_BODY = {
    "lone surrogate": b'{"data": {"operator_name": "\\ud800"}}',
    "duplicate key": b'{"data": {"a": 1}, "data": {"a": 2}}',
    "not an object": b"[1]",
    "data not an object": b'{"data": [1]}',
    "nested too deep": b'{"data": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "not UTF-8": b'{"data": {"a": "\xff"}}',
}


@pytest.mark.parametrize("body", HOSTILE_BODY.values(), ids=HOSTILE_BODY.keys())
def test_the_form_viewer_save_refuses_bad_json_with_a_400(client, draft, body):
    response = client.post(
        f"/hall/my/{draft.client_token}/form/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"]
    draft.refresh_from_db()
    assert draft.form_data == {}


def test_a_huge_body_is_refused_before_it_is_read(client, draft):
    body = json.dumps({"data": {"a": "x" * (300 * 1024)}}).encode()

    response = client.post(
        f"/hall/my/{draft.client_token}/form/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "提交的内容过大"
    draft.refresh_from_db()
    assert draft.form_data == {}


def test_good_form_data_is_still_saved(client, draft):
    response = client.post(
        f"/hall/my/{draft.client_token}/form/",
        {"data": {"operator_name": "张三小吃店"}},
        content_type="application/json",
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.form_data == {"operator_name": "张三小吃店"}
