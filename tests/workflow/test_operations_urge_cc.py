"""催办 with its rate limit, 抄送 with read marking, and site messages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.core import sms
from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions, queries
from egov.workflow.models import Cc, Notification, TaskEvent
from egov.workflow.operations.copying import cc_instance, read_cc
from egov.workflow.operations.notify import read_all_notifications, read_notification
from egov.workflow.operations.urging import urge_task
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, last_entry, start
from tests.workflow.operations_support import (
    at_countersign,
    countersign_xml,
    live,
    task_of,
)

POST = "139921-104/staff"


@pytest.mark.django_db(transaction=True)
def test_the_initiator_urges_a_handler_once_per_half_hour(county):
    # Given 王五's review of 罗丹's request
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")
    Notification.objects.filter(kind="task").delete()  # leave the 新待办 aside
    sms.outbox.clear()

    # When 罗丹 urges it, urgently
    [sent] = urge_task(actor=p.luodan, task=review, message="明天出发", urgent=True)

    # Then 王五 has a site message and a text message
    assert (sent.user, sent.kind, sent.title) == (p.wangwu, "urge", "催办：请假申请")
    assert sent.body == "明天出发" and sent.is_urgent
    assert sms.outbox == [
        ("13999210007", "【示范县人民政府】催办：请假申请。请登录政务办公平台办理。")
    ]

    # And urging again within 30 minutes is refused with the time
    with pytest.raises(ActionError) as caught:
        urge_task(actor=p.luodan, task=review)
    again = timezone.localtime(sent.created_at + timedelta(minutes=30))
    assert caught.value.message == (
        f"您在 30 分钟内已催办过该任务，请于 {again:%H:%M} 之后再催办"
    )
    assert Notification.objects.count() == 1
    assert last_entry("workflow.urge_task").outcome == "failed"

    # And after the interval it is possible again
    TaskEvent.objects.filter(kind="urge").update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    urge_task(actor=p.luodan, task=review)
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_urging_reaches_a_pool_and_refuses_outsiders_and_done_tasks(county):
    # Given the countersign after 王五's review
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # Then 何敏, who took no part, may not urge; 孙二 may not urge himself
    with pytest.raises(PermissionDenied):
        urge_task(actor=p.hemin, task=sun)
    with pytest.raises(ActionError) as caught:
        urge_task(actor=p.suner, task=sun)
    assert caught.value.message == "不能催办自己的任务"

    # And a previous handler may urge; a completed task needs no urging
    urge_task(actor=p.wangwu, task=sun)
    approve(sun, p.suner)
    with pytest.raises(ActionError) as caught:
        urge_task(actor=p.luodan, task=sun)
    assert caught.value.message == "该任务已办，无需催办"


@pytest.mark.django_db
def test_urging_a_pooled_task_reaches_every_candidate(county):
    # Given a review pooled to the market bureau's 科员 post (孙二, 陈三)
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user("review", "科员审核", assignment={"rule": "post", "post": POST}),
        ),
    )
    instance = start(county)
    [pooled] = live(instance)

    # When 罗丹 urges it
    sent = urge_task(actor=p.luodan, task=pooled)

    # Then both candidates are reminded
    assert sorted(n.user.username for n in sent) == ["chensan", "suner"]


@pytest.mark.django_db
def test_copying_to_people_and_posts_without_duplicates_and_reading_once(county):
    # Given 王五's review
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")

    # When he copies it to 李四 and to the bureau head's post
    made = cc_instance(
        actor=p.wangwu,
        task=review,
        users=["lisi"],
        posts=["139921-104/head"],
        note="请知悉",
    )

    # Then 李四 and 赵六 each get a copy and a message
    assert sorted(c.user.username for c in made) == ["lisi", "zhaoliu"]
    assert [c.instance for c in queries.cc_to(p.lisi)] == [instance]
    assert queries.counts(p.lisi)["cc"] == 1
    assert Notification.objects.filter(kind="cc").count() == 2

    # When he copies to 李四 again, nobody gets a second unread copy
    again = cc_instance(actor=p.wangwu, task=review, users=["lisi"])
    assert again == []
    assert last_entry("workflow.cc_instance").detail["already_copied"] == ["lisi"]

    # When 李四 reads it, it is read once
    copy = Cc.objects.get(user=p.lisi)
    read_cc(actor=p.lisi, cc=copy)
    first = Cc.objects.get(pk=copy.pk).read_at
    read_cc(actor=p.lisi, cc=copy)
    assert Cc.objects.get(pk=copy.pk).read_at == first
    assert queries.counts(p.lisi)["cc"] == 0

    # And nobody else may mark it read
    with pytest.raises(PermissionDenied):
        read_cc(actor=p.zhaoliu, cc=copy)


@pytest.mark.django_db
def test_copying_needs_someone_else_a_held_task_and_a_running_instance(county):
    # Given 王五's review
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")

    # Then copying to himself only, to an unknown post, or by 李四 is refused
    with pytest.raises(ActionError) as caught:
        cc_instance(actor=p.wangwu, task=review, users=["wangwu"])
    assert caught.value.message == "请选择抄送的人员或岗位（不能只抄送给自己）"
    with pytest.raises(ActionError) as caught:
        cc_instance(actor=p.wangwu, task=review, posts=["139921-104/nobody"])
    assert caught.value.message == "找不到岗位：139921-104/nobody"
    with pytest.raises(PermissionDenied):
        cc_instance(actor=p.lisi, task=review, users=["hemin"])

    # And on a suspended instance
    actions.suspend_instance(actor=p.liuqi, instance=instance, reason="核查")
    with pytest.raises(ActionError) as caught:
        cc_instance(actor=p.wangwu, task=review, users=["lisi"])
    assert caught.value.message == "流程已挂起，恢复后才能办理"
    assert not Cc.objects.exists()


@pytest.mark.django_db
def test_site_messages_are_read_one_by_one_or_all_at_once(county):
    # Given two reminders for 王五
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")
    Notification.objects.filter(kind="task").delete()  # leave the 新待办 aside
    urge_task(actor=p.luodan, task=review)
    urge_task(actor=p.liuqi, task=review)
    first, second = Notification.objects.filter(user=p.wangwu).order_by("id")

    # When he reads one, then all
    read_notification(actor=p.wangwu, notification=first)
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert read_all_notifications(actor=p.wangwu) == 1

    # And 罗丹 may not read his messages
    with pytest.raises(PermissionDenied):
        read_notification(actor=p.luodan, notification=second)
    assert len(live(instance)) == 1
