"""The operation buttons on the task and instance pages, their form posts,
the site-message page, and the REST API under /api/workflow/ops/."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from egov.workflow import actions
from egov.workflow.models import Cc, Notification, Task
from egov.workflow.operations.copying import cc_instance
from egov.workflow.operations.urging import urge_task
from tests.identity.factories import no_staff_2fa
from tests.workflow.conftest import deploy, last_entry, start
from tests.workflow.operations_support import (
    at_countersign,
    countersign_xml,
    engine_waiting,
    rows,
    task_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]


def signed_in(client, person):
    client.force_login(person)
    return client


def main(response) -> str:
    return response.content.decode().split('id="main"')[1]


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_the_holder_sees_the_operation_buttons_and_dialogs(client, county):
    # Given the countersign is open
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # When 孙二 opens his task
    body = main(
        signed_in(client, county.people.suner).get(
            reverse("workflow:task_detail", args=[sun.pk])
        )
    )

    # Then every operation the node allows is a button with its dialog
    for op in ("return", "transfer", "delegate", "add_signer", "cc"):
        assert f'data-op="{op}"' in body
    assert 'id="op-return"' in body and "上一环节（科长审核）" in body
    assert 'value="apply"' in body
    assert "workflow/operations.js" in body
    assert "<script>" not in body and "style=" not in body


def test_others_see_no_holder_buttons_but_the_initiator_may_urge(client, county):
    # Given the countersign is open
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    url = reverse("workflow:task_detail", args=[sun.pk])

    # When 罗丹 (the initiator) opens 孙二's task
    body = main(signed_in(client, county.people.luodan).get(url))

    # Then she may urge but not return or transfer
    assert 'data-op="urge"' in body and 'data-op="return"' not in body

    # And a staff member who took no part gets a 404
    assert signed_in(client, county.people.hemin).get(url).status_code == 404


def test_returning_through_the_page_goes_to_the_todo_list(client, county):
    # Given the countersign is open
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # When 孙二 posts the return dialog
    response = signed_in(client, county.people.suner).post(
        reverse("workflow_ops:return", args=[sun.pk]),
        {"to": "previous", "mode": "rerun", "opinion": "材料不全"},
        follow=True,
    )

    # Then he is back on his todo list with a message; 王五 has the review
    assert response.redirect_chain[-1][0] == reverse("workflow:todo")
    assert "已退回" in response.content.decode()
    assert rows(instance) == [("review", "wangwu", "open", "node")]


def test_a_refused_operation_shows_its_message_and_changes_nothing(client, county):
    # Given the countersign is open
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # When 孙二 posts a return without an opinion, and a transfer to nobody
    browser = signed_in(client, county.people.suner)
    first = browser.post(
        reverse("workflow_ops:return", args=[sun.pk]),
        {"to": "previous", "mode": "rerun", "opinion": ""},
        follow=True,
    )
    second = browser.post(
        reverse("workflow_ops:transfer", args=[sun.pk]),
        {"to": "nobody"},
        follow=True,
    )

    # Then each page says why and the rows are as they were
    assert "请填写退回意见" in first.content.decode()
    assert "找不到人员：nobody" in second.content.decode()
    assert len(rows(instance)) == 2

    # And posting to a task he cannot see is a 404
    other = signed_in(client, county.people.hemin).post(
        reverse("workflow_ops:transfer", args=[sun.pk]), {"to": "lisi"}
    )
    assert other.status_code == 404


def test_adding_and_removing_a_signer_through_the_page(client, county):
    # Given 孙二's countersign task
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    browser = signed_in(client, county.people.suner)

    # When he adds 李四 and 何敏 after himself from the dialog
    browser.post(
        reverse("workflow_ops:add_signers", args=[sun.pk]),
        {"users": "lisi，hemin", "position": "after"},
    )
    page = main(browser.get(reverse("workflow:task_detail", args=[sun.pk])))

    # Then both are listed with a 减签 button
    assert 'data-remove-signer="lisi"' in page and 'data-remove-signer="hemin"' in page

    # When he removes 何敏
    hemin = Task.objects.get(instance=instance, assignee=county.people.hemin)
    browser.post(reverse("workflow_ops:remove_signer", args=[sun.pk, hemin.pk]))
    assert ("sign", "hemin", "cancelled") not in rows(instance)
    assert [r[1] for r in rows(instance) if r[3] == "sign_after"] == ["lisi"]


def test_withdrawing_from_the_done_task_page(client, county):
    # Given 王五 approved and the countersign is unopened
    instance = at_countersign(county)
    review = Task.objects.get(instance=instance, node_id="review")
    browser = signed_in(client, county.people.wangwu)

    # When he opens his done task, he can withdraw it
    page = main(browser.get(reverse("workflow:task_detail", args=[review.pk])))
    assert 'data-op="withdraw"' in page
    response = browser.post(reverse("workflow_ops:withdraw", args=[review.pk]))

    # Then he lands on his new review task
    mine = task_of(instance, "wangwu")
    assert response.url == reverse("workflow:task_detail", args=[mine.pk])


def test_urging_from_the_instance_page_and_the_rate_limit_message(client, county):
    # Given 王五's review of 罗丹's request
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    Notification.objects.filter(kind="task").delete()  # leave the 新待办 aside
    review = task_of(instance, "wangwu")
    browser = signed_in(client, county.people.luodan)
    here = reverse("workflow:instance_detail", args=[instance.pk])

    # When 罗丹 opens her instance page, she can urge 王五
    page = main(browser.get(here))
    assert f'data-urge="{review.pk}"' in page

    # When she urges twice
    url = reverse("workflow_ops:urge", args=[review.pk])
    browser.post(url, {"message": "请尽快", "next": here})
    again = browser.post(url, {"message": "再催", "next": here}, follow=True)

    # Then the second is refused with the rule
    assert "30 分钟内已催办过该任务" in again.content.decode()
    assert Notification.objects.filter(user=county.people.wangwu).count() == 1


def test_the_administrator_dispatches_from_the_instance_page(client, county):
    # Given the countersign is open
    instance = at_countersign(county)
    browser = signed_in(client, county.people.liuqi)

    # When 刘七 opens the instance page, he may dispatch; he moves it to 局长审批
    page = main(browser.get(reverse("workflow:instance_detail", args=[instance.pk])))
    assert "data-dispatch" in page and 'value="head"' in page
    browser.post(
        reverse("workflow_ops:dispatch", args=[instance.pk]),
        {"node": "head", "reason": "加急"},
    )
    assert engine_waiting(instance) == ["head"]

    # And 王五 sees no dispatch form
    page = main(
        signed_in(client, county.people.wangwu).get(
            reverse("workflow:instance_detail", args=[instance.pk])
        )
    )
    assert "data-dispatch" not in page


def test_a_copy_is_marked_read_from_the_instance_page(client, county):
    # Given 王五 copied his review to 李四
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    cc_instance(
        actor=county.people.wangwu, task=task_of(instance, "wangwu"), users=["lisi"]
    )
    copy = Cc.objects.get(user=county.people.lisi)
    browser = signed_in(client, county.people.lisi)

    # When 李四 opens the instance and marks it read
    page = main(browser.get(reverse("workflow:instance_detail", args=[instance.pk])))
    assert f'data-unread-cc="{copy.pk}"' in page
    browser.post(reverse("workflow_ops:cc_read", args=[copy.pk]))

    # Then it is read, and someone else's copy is a 404
    assert Cc.objects.get(pk=copy.pk).read_at is not None
    other = signed_in(client, county.people.hemin).post(
        reverse("workflow_ops:cc_read", args=[copy.pk])
    )
    assert other.status_code == 404


def test_the_message_page_lists_and_opens_messages(client, county):
    # Given 罗丹 urged 王五
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")
    Notification.objects.filter(kind="task").delete()  # leave the 新待办 aside
    urge_task(actor=county.people.luodan, task=review)
    note = Notification.objects.get(user=county.people.wangwu)
    browser = signed_in(client, county.people.wangwu)

    # When 王五 opens his messages
    page = main(browser.get(reverse("workflow_ops:notifications")))
    assert "催办：请假申请" in page and "data-unread>1<" in page

    # When he opens the message, it is read and he is on the task
    response = browser.post(reverse("workflow_ops:notification_open", args=[note.pk]))
    assert response.url == reverse("workflow:task_detail", args=[review.pk])
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_the_people_picker_finds_staff_by_name(client, county):
    # When 王五 types 孙
    response = signed_in(client, county.people.wangwu).get(
        reverse("workflow_ops:people"), {"q": "孙"}
    )

    # Then 孙二 is offered, citizens never
    assert [p["username"] for p in response.json()["people"]] == ["suner"]
    none = signed_in(client, county.people.wangwu).get(
        reverse("workflow_ops:people"), {"q": "张三"}
    )
    assert none.json() == {"people": []}


def test_the_api_returns_transfers_and_refuses_with_codes(county):
    # Given the countersign is open
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # When 孙二 returns through the API without an opinion
    refused = api(county.people.suner).post(
        f"/api/workflow/ops/tasks/{sun.pk}/return/", {"opinion": ""}, format="json"
    )
    assert refused.status_code == 400

    # When he delegates to 李四
    response = api(county.people.suner).post(
        f"/api/workflow/ops/tasks/{sun.pk}/delegate/", {"to": "lisi"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["assignee"]) == (
        "delegate",
        "lisi",
    )

    # And a second delegation is a 400 with its code; others get 404
    again = api(county.people.suner).post(
        f"/api/workflow/ops/tasks/{sun.pk}/delegate/", {"to": "hemin"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (400, "task_waiting")
    hidden = api(county.people.hemin).post(
        f"/api/workflow/ops/tasks/{sun.pk}/transfer/", {"to": "lisi"}, format="json"
    )
    assert hidden.status_code == 404


def test_the_api_covers_signers_withdraw_urge_cc_and_dispatch(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    Notification.objects.filter(kind="task").delete()  # leave the 新待办 aside
    sun = task_of(instance, "suner")

    # When 孙二 adds 李四 before himself and then removes him
    added = api(p.suner).post(
        f"/api/workflow/ops/tasks/{sun.pk}/signers/",
        {"users": ["lisi"], "position": "before"},
        format="json",
    )
    assert added.status_code == 200
    signer = added.json()[0]["id"]
    removed = api(p.suner).post(f"/api/workflow/ops/signers/{signer}/remove/")
    assert (removed.status_code, removed.json()["state"]) == (200, "cancelled")

    # When 罗丹 urges and 孙二 copies to 何敏
    urged = api(p.luodan).post(
        f"/api/workflow/ops/tasks/{sun.pk}/urge/", {"urgent": False}, format="json"
    )
    assert urged.json() == {"sent": 1}
    copied = api(p.suner).post(
        f"/api/workflow/ops/tasks/{sun.pk}/cc/", {"users": ["hemin"]}, format="json"
    )
    assert len(copied.json()) == 1

    # And 刘七 dispatches to the head; 孙二's messages are listed
    moved = api(p.liuqi).post(
        f"/api/workflow/ops/instances/{instance.pk}/dispatch/",
        {"node": "head", "reason": "加急"},
        format="json",
    )
    assert [t["node_id"] for t in moved.json()["tasks"]] == ["head"]
    notes = api(p.suner).get("/api/workflow/ops/notifications/").json()
    assert notes["unread"] == 1 and notes["results"][0]["kind"] == "urge"
    assert last_entry("workflow.dispatch_instance").outcome == "success"


def test_the_api_withdraw_and_the_openapi_schema(county):
    # Given 王五 approved and nobody opened the countersign
    instance = at_countersign(county)
    review = Task.objects.get(instance=instance, node_id="review")

    # When he withdraws through the API / Then he has the review again
    response = api(county.people.wangwu).post(
        f"/api/workflow/ops/tasks/{review.pk}/withdraw/", {}, format="json"
    )
    assert (response.status_code, response.json()["node_id"]) == (200, "review")

    # And the operations are documented
    schema = (
        api(county.people.wangwu)
        .get("/api/schema/", HTTP_ACCEPT="application/json")
        .content.decode()
    )
    for path in ("return", "transfer", "delegate", "signers", "withdraw", "urge"):
        assert f"/api/workflow/ops/tasks/{{id}}/{path}/" in schema


def test_suspended_instances_show_no_operations(client, county):
    # Given the countersign is suspended
    instance = at_countersign(county)
    actions.suspend_instance(
        actor=county.people.liuqi, instance=instance, reason="核查"
    )
    sun = task_of(instance, "suner")

    # When 孙二 opens his task / Then no operation is offered
    body = main(
        signed_in(client, county.people.suner).get(
            reverse("workflow:task_detail", args=[sun.pk])
        )
    )
    assert "data-operations" not in body
