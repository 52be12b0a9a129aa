"""The workflow REST API at /api/workflow/."""

import pytest
from rest_framework.test import APIClient

from egov.workflow.models import ProcessInstance, Task
from tests.identity.factories import no_staff_2fa
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, open_tasks, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]


@pytest.fixture
def leave(county):
    return deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "review", "科长审核", assignment={"rule": "user", "users": "wangwu"}
            ),
            b.user(
                "check", "初审", assignment={"rule": "post", "post": "139921-104/staff"}
            ),
        ),
    )


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_starting_a_process_and_listing_my_tasks(county, leave):
    # When 罗丹 starts a process through the API
    response = api(county.people.luodan).post(
        "/api/workflow/instances/",
        {"definition_key": "leave", "subject": "年假申请", "data": {"days": 3}},
        format="json",
    )

    # Then it is created and 王五's task list has the review
    assert response.status_code == 201
    assert response.json()["state"] == "running"
    assert response.json()["timeline"][0]["kind"] == "start"
    tasks = api(county.people.wangwu).get("/api/workflow/tasks/").json()
    assert tasks["count"] == 1
    assert tasks["results"][0]["node_name"] == "科长审核"
    assert tasks["results"][0]["subject"] == "年假申请"


def test_completing_a_task_is_idempotent_by_header(county, leave):
    # Given 王五's task
    instance = start(county)
    [task] = open_tasks(instance)
    client = api(county.people.wangwu)
    url = f"/api/workflow/tasks/{task.pk}/complete/"

    # When he posts the same completion twice with an idempotency key
    body = {"outcome": "approve", "opinion": "同意"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    # Then both answer the same completed task and the next task exists once
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["state"] == "completed"
    assert Task.objects.filter(instance=instance, node_id="check").count() == 1


def test_claiming_through_the_api(county, leave):
    # Given a pooled task after 王五's review
    instance = start(county)
    [task] = open_tasks(instance)
    api(county.people.wangwu).post(
        f"/api/workflow/tasks/{task.pk}/complete/",
        {"outcome": "approve"},
        format="json",
    )
    [pooled] = open_tasks(instance)

    # When 孙二 claims it and 陈三 tries after him
    first = api(county.people.suner).post(f"/api/workflow/tasks/{pooled.pk}/claim/")
    second = api(county.people.chensan).post(f"/api/workflow/tasks/{pooled.pk}/claim/")

    # Then 孙二 holds it; 陈三 gets a clear refusal
    assert first.status_code == 200 and first.json()["assignee"] == "suner"
    assert second.status_code == 400
    assert second.json()["detail"] == "该任务已被孙二签收"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"outcome": "maybe"}, 400, None),
        ({"outcome": "reject"}, 400, "opinion_required"),
        ({"outcome": "approve", "data": {"outcome": "x"}}, 400, "reserved_field"),
        ({"outcome": "approve", "data": [1, 2]}, 400, "bad_data"),
    ],
)
def test_bad_completions_are_refused_with_a_code(county, leave, body, status, code):
    # Given 王五's task
    [task] = open_tasks(start(county))

    # When a bad completion arrives
    response = api(county.people.wangwu).post(
        f"/api/workflow/tasks/{task.pk}/complete/", body, format="json"
    )

    # Then it is a 400 with its code, and the task is still open
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


def test_tasks_and_instances_of_others_are_not_found(county, leave):
    # Given 王五's task on 罗丹's instance
    instance = start(county)
    [task] = open_tasks(instance)
    client = api(county.people.lisi)

    # When 李四 asks for them or acts on them / Then 404 every time
    assert client.get(f"/api/workflow/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/api/workflow/instances/{instance.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/workflow/tasks/{task.pk}/complete/",
            {"outcome": "approve"},
            format="json",
        ).status_code
        == 404
    )
    assert ProcessInstance.objects.get(pk=instance.pk).revision == 1


def test_starting_an_unknown_process_is_a_clear_400(county, leave):
    # When starting a key nobody deployed / Then 400 with the code
    response = api(county.people.luodan).post(
        "/api/workflow/instances/",
        {"definition_key": "nothing", "subject": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "definition_missing",
        "detail": "流程 nothing 不存在或尚未部署",
    }


def test_anonymous_callers_are_refused(county, leave):
    # When nobody signed in asks for tasks / Then 401 or 403
    response = APIClient().get("/api/workflow/tasks/")
    assert response.status_code in (401, 403)


def test_the_api_is_in_the_openapi_schema(county):
    # When the schema is fetched / Then the workflow paths are documented
    client = api(county.people.wangwu)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/workflow/tasks/",
        "/api/workflow/tasks/{id}/complete/",
        "/api/workflow/tasks/{id}/claim/",
        "/api/workflow/instances/",
    ):
        assert path in schema
