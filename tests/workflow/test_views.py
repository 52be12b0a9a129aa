"""The workflow pages of the internal face: lists, task page, instance page."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.workflow.models import Cc, CommonPhrase, ProcessInstance, Task
from tests.identity.factories import no_staff_2fa
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, last_entry, open_tasks, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]

WANGWU = {"rule": "user", "users": "wangwu"}


def leave(county):
    return deploy(
        county,
        b.chain(
            "leave",
            b.user("review", "科长审核", assignment=WANGWU, limit=(3, "workdays")),
            b.user("head", "局长审批", assignment={"rule": "org_head"}),
        ),
    )


def signed_in(client, person):
    client.force_login(person)
    return client


def main(response) -> str:
    return response.content.decode().split('id="main"')[1]


def test_the_workbench_shows_the_four_counts_with_links(client, county):
    # Given a request 罗丹 started, waiting on 王五
    leave(county)
    start(county, subject="年假申请")

    # When 王五 and 罗丹 open their workbench
    wangwu = signed_in(client, county.people.wangwu).get(reverse("staff:workbench"))
    body = main(wangwu)

    # Then 王五 sees one todo linking to his list, 罗丹 one started
    assert re.search(r'data-count="todo">1<', body)
    assert reverse("workflow:todo") in body and reverse("workflow:cc") in body
    luodan = signed_in(client, county.people.luodan).get(reverse("staff:workbench"))
    assert re.search(r'data-count="started">1<', main(luodan))


def test_the_menu_offers_the_workflow_section_and_admins_the_process_list(
    client, county
):
    # When an approver and the process administrator open their workbench
    approver = signed_in(client, county.people.wangwu).get(reverse("staff:workbench"))
    approver = approver.content.decode()
    admin = signed_in(client, county.people.liuqi).get(reverse("staff:workbench"))
    admin = admin.content.decode()

    # Then both see 流程办理; only the administrator sees 流程管理
    assert "流程办理" in approver and reverse("workflow:todo") in approver
    assert reverse("workflow:definition_list") not in approver
    assert reverse("workflow:definition_list") in admin


def test_the_todo_list_shows_tasks_with_their_light_and_filters(client, county):
    # Given three tasks for 王五: one fresh, one due soon, one overdue
    leave(county)
    fresh = start(county, subject="甲申请")
    soon = start(county, subject="乙申请")
    late = start(county, subject="丙申请")
    now = timezone.now()
    Task.objects.filter(instance=soon).update(due_at=now + timedelta(hours=3))
    Task.objects.filter(instance=late).update(due_at=now - timedelta(days=1))
    client = signed_in(client, county.people.wangwu)

    # When he opens the list, and filters by the red light
    everything = main(client.get(reverse("workflow:todo")))
    red = main(client.get(reverse("workflow:todo") + "?light=red"))
    searched = main(client.get(reverse("workflow:todo") + "?q=乙"))

    # Then all three show with their lights, and the filters narrow them
    assert all(s in everything for s in ("甲申请", "乙申请", "丙申请"))
    assert 'data-light="green"' in everything
    assert 'data-light="yellow"' in everything
    assert 'data-light="red"' in everything
    assert "丙申请" in red and "甲申请" not in red and "乙申请" not in red
    assert "乙申请" in searched and "甲申请" not in searched
    assert fresh.pk


def test_the_task_page_shows_data_timeline_buttons_and_phrases(client, county):
    # Given 王五's task with case data and a system phrase
    leave(county)
    CommonPhrase.objects.create(text="同意，请局长审批")
    instance = start(county, subject="年假申请", data={"days": 5, "reason": "探亲"})
    [task] = open_tasks(instance)

    # When he opens it
    response = signed_in(client, county.people.wangwu).get(
        reverse("workflow:task_detail", args=[task.pk])
    )
    body = main(response)

    # Then the data, the timeline, the buttons and the phrase picker are there
    assert response.status_code == 200
    assert "探亲" in body and "data-case-data" in body
    assert 'data-kind="start"' in body
    assert 'name="outcome" value="approve"' in body
    assert 'name="outcome" value="reject"' in body
    assert "同意，请局长审批" in body
    assert "workflow/pages/task.js" in response.content.decode()
    task.refresh_from_db()
    assert task.opened_at is not None


def test_approving_from_the_task_page_with_a_phrase_moves_the_process(client, county):
    # Given 王五's task and his own phrase
    leave(county)
    phrase = CommonPhrase.objects.create(owner=county.people.wangwu, text="情况属实")
    instance = start(county, subject="年假申请")
    [task] = open_tasks(instance)
    client = signed_in(client, county.people.wangwu)

    # When he approves choosing the phrase and leaving the box empty
    response = client.post(
        reverse("workflow:task_complete", args=[task.pk]),
        {
            "outcome": "approve",
            "opinion": "",
            "phrase": phrase.pk,
            "idempotency_key": "k1",
        },
    )

    # Then he goes back to his list and the head has the request
    assert response.status_code == 302
    assert response.url == reverse("workflow:todo")
    task.refresh_from_db()
    assert (task.state, task.opinion) == ("completed", "情况属实")
    assert [t.node_id for t in open_tasks(instance)] == ["head"]

    # And a second click of the same form changes nothing more
    again = client.post(
        reverse("workflow:task_complete", args=[task.pk]),
        {
            "outcome": "approve",
            "opinion": "",
            "phrase": phrase.pk,
            "idempotency_key": "k1",
        },
    )
    assert again.status_code == 302
    assert len(open_tasks(instance)) == 1


def test_a_refused_decision_shows_its_message_on_the_task_page(client, county):
    # Given 王五's task
    leave(county)
    [task] = open_tasks(start(county))
    client = signed_in(client, county.people.wangwu)

    # When he rejects without an opinion
    response = client.post(
        reverse("workflow:task_complete", args=[task.pk]),
        {"outcome": "reject", "opinion": ""},
        follow=True,
    )

    # Then the task page says why and the task is still open
    assert "不同意时请填写审批意见" in main(response)
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


def test_someone_elses_task_page_is_not_found(client, county):
    # Given 王五's task
    leave(county)
    [task] = open_tasks(start(county))

    # When 李四 opens or posts to it / Then it is not found, and nothing changed
    client = signed_in(client, county.people.lisi)
    assert (
        client.get(reverse("workflow:task_detail", args=[task.pk])).status_code == 404
    )
    posted = client.post(
        reverse("workflow:task_complete", args=[task.pk]), {"outcome": "approve"}
    )
    assert posted.status_code == 404
    assert client.get(reverse("workflow:task_detail", args=[999999])).status_code == 404
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


def test_the_initiator_sees_the_instance_and_may_cancel_it(client, county):
    # Given 罗丹's request waiting on 王五
    leave(county)
    instance = start(county, subject="年假申请")
    client = signed_in(client, county.people.luodan)

    # When she opens it, the cancel button is there; she cancels with a reason
    page = main(client.get(reverse("workflow:instance_detail", args=[instance.pk])))
    assert 'data-op="cancel"' in page and 'data-op="terminate"' not in page
    response = client.post(
        reverse("workflow:instance_action", args=[instance.pk, "cancel"]),
        {"reason": "计划有变"},
        follow=True,
    )

    # Then it is cancelled and the timeline says so
    assert "流程已撤销" in main(response)
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.CANCELLED
    assert 'data-kind="cancel"' in main(response)


def test_the_diagram_endpoint_gives_the_xml_and_node_states(client, county):
    # Given a request past its first step
    leave(county)
    instance = start(county)
    approve(open_tasks(instance)[0], county.people.wangwu)

    # When the initiator's viewer loads the diagram
    client = signed_in(client, county.people.luodan)
    response = client.get(reverse("workflow:instance_diagram", args=[instance.pk]))

    # Then it gets the XML, the current node and the completed ones
    body = response.json()
    assert body["xml"].startswith("<?xml")
    assert body["active"] == ["head"]
    assert body["completed"] == ["review", "start"]

    # And someone unrelated gets nothing
    other = signed_in(client, county.people.lisi)
    assert (
        other.get(reverse("workflow:instance_diagram", args=[instance.pk])).status_code
        == 404
    )


def test_a_pooled_task_page_offers_claim_then_release(client, county):
    # Given a task for the 科员 post (孙二, 陈三)
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "check", "初审", assignment={"rule": "post", "post": "139921-104/staff"}
            ),
        ),
    )
    [task] = open_tasks(start(county))
    client = signed_in(client, county.people.suner)
    url = reverse("workflow:task_detail", args=[task.pk])

    # Then 孙二 is offered 签收; after claiming, 退回任务池
    assert reverse("workflow:task_claim", args=[task.pk]) in main(client.get(url))
    client.post(reverse("workflow:task_claim", args=[task.pk]))
    body = main(client.get(url))
    assert reverse("workflow:task_release", args=[task.pk]) in body
    assert 'name="outcome" value="approve"' in body


def test_the_other_lists_show_done_started_and_cc(client, county):
    # Given a request 王五 approved, started by 罗丹, and cc'd to 李四
    leave(county)
    instance = start(county, subject="年假申请")
    approve(open_tasks(instance)[0], county.people.wangwu)
    Cc.objects.create(
        instance=instance, user=county.people.lisi, sender=county.people.wangwu
    )

    # When each opens the matching list / Then the request is there
    assert "年假申请" in main(
        signed_in(client, county.people.wangwu).get(reverse("workflow:done"))
    )
    assert "年假申请" in main(
        signed_in(client, county.people.luodan).get(reverse("workflow:started"))
    )
    cc_page = main(signed_in(client, county.people.lisi).get(reverse("workflow:cc")))
    assert "年假申请" in cc_page and "未阅" in cc_page

    # And 李四 may open the instance he was sent
    response = client.get(reverse("workflow:instance_detail", args=[instance.pk]))
    assert response.status_code == 200


def test_starting_a_process_from_the_start_page(client, county):
    # Given the deployed leave process
    leave(county)
    client = signed_in(client, county.people.luodan)

    # When 罗丹 starts it from the page
    page = main(client.get(reverse("workflow:start")))
    assert "leave" in page
    response = client.post(
        reverse("workflow:start"),
        {"definition": "leave", "subject": "病假申请", "business_key": "QJ-001"},
    )

    # Then she lands on the new instance
    instance = ProcessInstance.objects.get(business_key="QJ-001")
    assert response.status_code == 302
    assert response.url == reverse("workflow:instance_detail", args=[instance.pk])
    assert instance.subject == "病假申请"


def test_the_process_list_is_for_administrators(client, county):
    # Given two versions of the leave process
    leave(county)
    leave(county)

    # When the administrator and an approver open the list
    admin = signed_in(client, county.people.liuqi).get(
        reverse("workflow:definition_list")
    )
    approver = signed_in(client, county.people.wangwu).get(
        reverse("workflow:definition_list")
    )

    # Then the administrator sees both versions; the approver gets 404
    assert "v1" in main(admin) and "v2" in main(admin)
    assert approver.status_code == 404


def test_the_form_widget_submission_answers_json(client, county):
    # Given 王五's task
    leave(county)
    instance = start(county)
    [task] = open_tasks(instance)
    client = signed_in(client, county.people.wangwu)
    url = reverse("workflow:task_submit", args=[task.pk])

    # When the widget posts a reject without opinion, then an approve
    refused = client.post(
        url,
        json.dumps({"data": {}, "action": "reject"}),
        content_type="application/json",
    )
    accepted = client.post(
        url,
        json.dumps({"data": {"note": "ok"}, "action": "approve", "opinion": "同意"}),
        content_type="application/json",
    )

    # Then the refusal names the field, the approval redirects to the list
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"opinion": ["请填写审批意见"]}
    assert accepted.json() == {"redirect": reverse("workflow:todo")}
    instance.refresh_from_db()
    assert instance.data == {"note": "ok"}
    assert last_entry("workflow.complete_task").outcome == "success"


def test_malformed_json_is_refused_clearly(client, county):
    # Given 王五's task
    leave(county)
    [task] = open_tasks(start(county))
    client = signed_in(client, county.people.wangwu)

    # When the body is not JSON / Then a clear 400
    response = client.post(
        reverse("workflow:task_submit", args=[task.pk]),
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "提交的数据不是有效的 JSON"
