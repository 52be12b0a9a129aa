"""Hostile JSON bodies (nesting 100,000 deep, 20 MB, NaN, duplicate keys, a list
where an object belongs, characters the database cannot store) get a clear
400 in Chinese from every endpoint family that reads JSON, and change nothing:
the REST APIs (workflow and approval operations), the form designer's save,
the form preview check, the task form's submit and the process designer's
deploy."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from egov.audit.models import AuditEntry
from egov.core import jsonin
from egov.eforms.models import FormDefinition, FormSubmission
from egov.workflow.models import (
    Delegation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskEvent,
)
from tests.eforms.factories import form_role, published_form
from tests.identity.factories import fresh
from tests.workflow import builders as b
from tests.workflow.conftest import _fresh_spec_cache, county, deploy, start

__all__ = ["_fresh_spec_cache", "county"]

CHINESE = re.compile(r"[\u4e00-\u9fff]")
MB = 1024 * 1024

# name: (body, the code each endpoint answers with)
HOSTILE = {
    "arrays_100000_deep": (b"[" * 100_000 + b"]" * 100_000, jsonin.TOO_DEEP),
    "objects_50000_deep": (
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        jsonin.TOO_DEEP,
    ),
    "objects_100_deep": (b'{"a":' * 100 + b"1" + b"}" * 100, jsonin.TOO_DEEP),
    "twenty_megabytes": (b'{"x": "' + b"a" * (20 * MB) + b'"}', jsonin.TOO_LARGE),
    "nan": (b'{"key": "leave", "x": NaN}', jsonin.NOT_A_NUMBER),
    "infinity": (b'{"key": "leave", "x": -Infinity}', jsonin.NOT_A_NUMBER),
    "float_overflow": (b'{"key": "leave", "x": 1e999}', jsonin.NOT_A_NUMBER),
    "duplicate_keys": (b'{"key": "leave", "key": "trip"}', jsonin.DUPLICATE_KEY),
    "a_list": (b'[{"key": "leave"}]', jsonin.NOT_OBJECT),
    "a_string": (b'"leave"', jsonin.NOT_OBJECT),
    "nul_character": (b'{"key": "leave\\u0000"}', jsonin.BAD_TEXT),
    "lone_surrogate": (b'{"key": "\\ud800"}', jsonin.BAD_TEXT),
    "not_json": (b"{oops", jsonin.INVALID),
    "not_utf8": (b'{"key": "\xff"}', jsonin.INVALID),
}


def chinese(message: str) -> bool:
    return bool(CHINESE.search(message))


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False


@pytest.fixture
def leave(county):
    """A leave process whose one task goes to 王五, with a published form."""
    published_form(county.people.liuqi)
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "x",
                "审核",
                assignment={"rule": "user", "users": "wangwu"},
            ),
        ),
    )
    instance = start(county)
    return instance.tasks.get()


def snapshot():
    """Counts of everything a refused request must leave untouched."""
    return {
        model.__name__: model.objects.count()
        for model in (
            AuditEntry,
            Delegation,
            FormDefinition,
            FormSubmission,
            ProcessDefinition,
            ProcessInstance,
            TaskEvent,
        )
    }


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(fresh(person))
    return client


def page(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- the shared reader --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_reader_refuses_each_hostile_body_with_its_code(name):
    # Given a hostile body / When read / Then refused, saying why in Chinese
    body, code = HOSTILE[name]
    with pytest.raises(jsonin.BadJSON) as caught:
        jsonin.parse_json(body)

    assert caught.value.code == code
    assert chinese(caught.value.message)
    assert caught.value.status == 400


def test_the_reader_names_the_limit_and_the_duplicate_key():
    # When too deep or a key repeats / Then the message says which
    with pytest.raises(jsonin.BadJSON) as deep:
        jsonin.parse_json(b"[" * 65 + b"]" * 65, expect=None)
    with pytest.raises(jsonin.BadJSON) as twice:
        jsonin.parse_json('{"a": {"名称": 1, "名称": 2}}')

    assert deep.value.message == "提交的内容嵌套层级过深（不能超过 64 层）"
    assert twice.value.message == "提交的内容中有重复的键：名称"


def test_the_reader_accepts_what_forms_and_apis_send():
    # Given JSON 64 levels deep, with Chinese text, floats and big integers
    deep = '{"a":' * 63 + "[]" + "}" * 63
    ordinary = '{"名称": "请假", "天数": 1.5, "编号": 12345678901234567890}'

    # Then it is read as it is
    value = jsonin.parse_json(deep)
    for _level in range(63):
        value = value["a"]
    assert value == []
    assert jsonin.parse_json(ordinary) == {
        "名称": "请假",
        "天数": 1.5,
        "编号": 12345678901234567890,
    }
    assert jsonin.parse_json(b"[1, 2]", expect=None) == [1, 2]


def test_a_page_keeps_its_own_wording_for_the_usual_refusals():
    # When a page passes its words / Then they replace the shared ones
    with pytest.raises(jsonin.BadJSON) as caught:
        jsonin.parse_json(b"[]", messages={jsonin.NOT_OBJECT: "流程文件格式不正确"})

    assert caught.value.message == "流程文件格式不正确"


# --- the REST APIs (DRF, through SafeJSONParser) --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_starting_a_process_through_the_api_refuses_hostile_json(county, leave, name):
    # Given the counts before
    body, code = HOSTILE[name]
    before = snapshot()

    # When 罗丹 starts a process with the hostile body
    response = api(county.people.luodan).post(
        "/api/workflow/instances/", body, content_type="application/json"
    )

    # Then a 400 in Chinese with the reason's code, and nothing was written
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert chinese(response.json()["detail"])
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_completing_a_task_through_the_api_refuses_hostile_json(county, leave, name):
    # Given 王五's open task
    body, code = HOSTILE[name]
    before = snapshot()

    # When he completes it with the hostile body
    response = api(county.people.wangwu).post(
        f"/api/workflow/tasks/{leave.pk}/complete/",
        body,
        content_type="application/json",
    )

    # Then refused; the task is still open and nothing was written
    assert response.status_code == 400
    assert response.json()["code"] == code
    leave.refresh_from_db()
    assert leave.state == Task.State.OPEN
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["arrays_100000_deep", "twenty_megabytes", "nan", "duplicate_keys"]
)
def test_approval_operations_and_delegations_refuse_hostile_json(county, leave, name):
    # Given 王五's open task
    body, code = HOSTILE[name]
    before = snapshot()
    client = api(county.people.wangwu)

    # When he returns it, transfers it, or gives a delegation with the body
    answers = [
        client.post(url, body, content_type="application/json")
        for url in (
            f"/api/workflow/ops/tasks/{leave.pk}/return/",
            f"/api/workflow/ops/tasks/{leave.pk}/transfer/",
            "/api/workflow/ops/delegations/",
        )
    ]

    # Then every one is refused in Chinese and nothing changed
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert {a.json()["code"] for a in answers} == {code}
    assert all(chinese(a.json()["detail"]) for a in answers)
    leave.refresh_from_db()
    assert (leave.state, leave.assignee) == (Task.State.OPEN, county.people.wangwu)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_well_formed_api_call_still_works(county, leave):
    # When 罗丹 starts a process with ordinary JSON / Then it starts
    response = api(county.people.luodan).post(
        "/api/workflow/instances/",
        {"definition_key": "leave", "subject": "第二份", "data": {"天数": 2}},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["data"]["天数"] == 2


# --- pages that read JSON themselves ------------------------------------------


@pytest.fixture
def form_admin(county):
    person = county.people.liuqi
    person.roles.add(form_role())
    return fresh(person)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_saving_a_form_schema_refuses_hostile_json(county, form_admin, name):
    # Given the form designer's save endpoint and the counts before
    body, code = HOSTILE[name]
    client = page(form_admin)
    before = snapshot()

    # When the form administrator saves the hostile body
    response = client.post("/staff/forms/save/", body, content_type="application/json")

    # Then a 400 in Chinese and no form was saved
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert chinese(response.json()["message"])
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["objects_100_deep", "nan", "duplicate_keys"])
def test_a_schema_nested_inside_the_body_is_checked_too(county, form_admin, name):
    # Given a body whose schema (not the top level) is hostile
    inner, code = HOSTILE[name]
    body = b'{"key": "leave", "name": "\xe8\xaf\xb7\xe5\x81\x87", "schema": %s}' % (
        inner
    )

    client = page(form_admin)
    before = snapshot()

    # When saved / Then refused for the same reason
    response = client.post("/staff/forms/save/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["arrays_100000_deep", "twenty_megabytes", "nan"])
def test_the_form_preview_check_refuses_hostile_json(county, form_admin, leave, name):
    # When the preview's server check gets the hostile body / Then a 400
    body, code = HOSTILE[name]

    response = page(form_admin).post(
        "/staff/forms/leave/v1/preview/check/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert chinese(response.json()["message"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_submitting_a_task_form_refuses_hostile_json(county, leave, name):
    # Given 王五's open task and the counts before
    body, code = HOSTILE[name]
    client = page(county.people.wangwu)
    before = snapshot()

    # When the task form's submit sends the hostile body
    response = client.post(
        f"/staff/workflow/tasks/{leave.pk}/submit/",
        body,
        content_type="application/json",
    )

    # Then refused in Chinese; the task is still open and nothing was written
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert chinese(response.json()["message"])
    leave.refresh_from_db()
    assert leave.state == Task.State.OPEN
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_deploying_from_the_designer_refuses_hostile_json(county, name):
    # Given 刘七, who may deploy, and the counts before
    body, code = HOSTILE[name]
    client = page(county.people.liuqi)
    before = snapshot()

    # When the designer's deploy sends the hostile body
    response = client.post(
        "/staff/workflow/designer/deploy/", body, content_type="application/json"
    )

    # Then refused in Chinese and no process was deployed
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert chinese(response.json()["message"])
    assert snapshot() == before
