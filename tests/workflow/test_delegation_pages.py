"""我的委托: the page, its form, the end button, the menu entry and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from egov.workflow.models import Delegation
from egov.workflow.operations import delegation
from tests.identity.factories import no_staff_2fa
from tests.workflow import builders as b
from tests.workflow.conftest import deploy

__all__ = ["no_staff_2fa"]

URL = "/staff/workflow/delegations/"


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form(**kw):
    now = timezone.now()
    values = {
        "to": "suner",
        "start_at": local(now),
        "end_at": local(now + timedelta(days=3)),
        "reason": "外出学习",
    }
    values.update(kw)
    return values


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_page_is_in_the_menu_and_creates_a_delegation(client, county):
    # Given 王五 signed in, with a leave process deployed
    deploy(
        county, b.chain("leave", b.user("x", "审核", assignment={"rule": "initiator"}))
    )
    client.force_login(county.people.wangwu)
    assert reverse("workflow:delegations") == URL

    # When he opens the workbench and the page, then gives a delegation
    workbench = client.get(reverse("staff:workbench"))
    page = client.get(URL)
    done = client.post(URL, form(process_keys=["leave"]), follow=True)

    # Then the menu links the page, the form offers the process, the row shows
    assert f'href="{URL}"' in workbench.content.decode()
    assert "我的委托" in workbench.content.decode()
    assert page.status_code == 200
    assert 'name="process_keys" value="leave"' in page.content.decode()
    row = Delegation.objects.get()
    assert (row.from_user, row.to_user, row.process_keys, row.reason) == (
        county.people.wangwu,
        county.people.suner,
        ["leave"],
        "外出学习",
    )
    body = done.content.decode()
    assert "已委托给孙二" in body
    assert f'data-delegation="{row.pk}" data-status="running"' in body
    assert "请假审批" in body
    assert "提前结束" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_bad_input_shows_the_form_again_with_the_message(client, county):
    # Given 王五 on the page
    client.force_login(county.people.wangwu)

    # When he names himself, then sends an end before the start, then garbage
    self_ = client.post(URL, form(to="wangwu"))
    backwards = client.post(URL, form(end_at=local(timezone.now() - timedelta(days=1))))
    garbage = client.post(URL, form(start_at="不是时间", process_keys=["nosuch"]))

    # Then each answers 400 with its message and keeps what he typed
    assert self_.status_code == backwards.status_code == garbage.status_code == 400
    assert "不能委托给自己" in self_.content.decode()
    assert 'value="外出学习"' in self_.content.decode()
    assert "结束时间必须晚于开始时间" in backwards.content.decode()
    assert "请检查填写的内容" in garbage.content.decode()
    assert not Delegation.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_delegator_ends_it_and_the_delegate_only_sees_it(client, county):
    # Given 王五 → 孙二
    p = county.people
    row = delegation.create_delegation(
        actor=p.wangwu,
        to="suner",
        start_at=timezone.now(),
        end_at=timezone.now() + timedelta(days=2),
    )
    end_url = reverse("workflow:delegation_end", args=[row.pk])

    # When 孙二 looks and tries to end it, and 罗丹 tries too
    client.force_login(p.suner)
    received = client.get(URL).content.decode()
    by_delegate = client.post(end_url, follow=True)
    client.force_login(p.luodan)
    by_stranger = client.post(end_url)

    # Then 孙二 sees it received, without a button, and is refused; 罗丹 gets 404
    assert 'data-delegations="received"' in received
    assert "王五" in received
    assert "提前结束" not in received
    assert "您没有执行此操作的权限" in by_delegate.content.decode()
    assert by_stranger.status_code == 404
    row.refresh_from_db()
    assert row.is_active

    # When 王五 ends it / Then it is ended
    client.force_login(p.wangwu)
    ended = client.post(end_url, follow=True)
    assert "已结束委托" in ended.content.decode()
    row.refresh_from_db()
    assert not row.is_active
    assert delegation.status_of(row) == "ended"


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_api_lists_creates_and_ends_delegations(client, county):
    # Given 王五 signed in
    client.force_login(county.people.wangwu)
    api = reverse("workflow_ops_api:delegations")
    now = timezone.now()

    # When he creates one, lists, then ends it
    created = client.post(
        api,
        {
            "to": "suner",
            "start_at": now.isoformat(),
            "end_at": (now + timedelta(days=1)).isoformat(),
            "reason": "休假",
        },
        content_type="application/json",
    )
    listed = client.get(api).json()
    ended = client.post(
        reverse("workflow_ops_api:delegation_end", args=[created.json()["id"]])
    )

    # Then each answers with the delegation
    assert created.status_code == 201
    assert created.json()["to_user"] == "suner"
    assert created.json()["status"] == "running"
    assert [d["id"] for d in listed["given"]] == [created.json()["id"]]
    assert listed["received"] == []
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_api_refuses_bad_input_and_hides_others_delegations(client, county):
    # Given 孙二's delegation to 陈三
    p = county.people
    theirs = delegation.create_delegation(
        actor=p.suner,
        to="chensan",
        start_at=timezone.now(),
        end_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(p.wangwu)
    api = reverse("workflow_ops_api:delegations")

    # When 王五 delegates to himself, and tries to end 孙二's
    mine = client.post(
        api,
        {
            "to": "wangwu",
            "start_at": timezone.now().isoformat(),
            "end_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    foreign = client.post(reverse("workflow_ops_api:delegation_end", args=[theirs.pk]))

    # Then 400 with the message, and 404
    assert mine.status_code == 400
    assert "不能委托给自己" in str(mine.json())
    assert foreign.status_code == 404
    assert Delegation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_citizens_get_no_delegation_page_and_the_api_is_documented(client, county):
    # When the citizen 张三 asks for the page and the list
    client.force_login(county.people.zhangsan)
    page = client.get(URL)
    listed = client.get(reverse("workflow_ops_api:delegations"))

    # Then the staff face turns him away, and the API has nothing for him
    assert page.status_code == 403
    assert listed.status_code == 404

    # And the schema documents the endpoints
    client.force_login(county.people.wangwu)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    body = schema.content.decode()
    assert "/api/workflow/ops/delegations/" in body
    assert "/api/workflow/ops/delegations/{id}/end/" in body
