"""退回: to the previous node, the initiator or any node passed; re-running
the path or coming straight back (原路返回)."""

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions
from egov.workflow.models import ProcessInstance, Task
from egov.workflow.operations.returning import return_task
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, last_entry, start
from tests.workflow.operations_support import (
    WANGWU,
    ZHAOLIU,
    at_countersign,
    deploy_countersign,
    engine_waiting,
    history,
    live,
    parallel_xml,
    rows,
    task_of,
)


@pytest.mark.django_db
def test_returning_to_the_previous_node_reruns_it_and_cancels_the_countersign(
    county,
):
    # Given the countersign is open for 孙二 and 陈三
    p = county.people
    instance = at_countersign(county)
    sun, chen = task_of(instance, "suner"), task_of(instance, "chensan")

    # When 孙二 returns it to the previous node
    returned = return_task(actor=p.suner, task=sun, opinion="材料不全")

    # Then 王五 has the review again, both countersign tasks are closed
    assert returned.state == Task.State.RETURNED
    assert returned.opinion == "材料不全"
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    chen.refresh_from_db()
    assert chen.state == Task.State.CANCELLED
    assert engine_waiting(instance) == ["review"]
    assert history(instance)[-1] == ("return", "suner", "sign")
    entry = last_entry("workflow.return_task")
    assert entry.detail["to"] == "review" and entry.detail["mode"] == "rerun"
    assert entry.detail["cancelled_tasks"] == [chen.pk]

    # And when 王五 approves again, both sign again
    approve(task_of(instance, "wangwu"), p.wangwu)
    assert rows(instance) == [
        ("sign", "chensan", "open", "node"),
        ("sign", "suner", "open", "node"),
    ]


@pytest.mark.django_db
def test_returning_to_the_initiator_reopens_the_apply_node(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)

    # When 陈三 returns it to the initiator
    return_task(
        actor=p.chensan,
        task=task_of(instance, "chensan"),
        to="initiator",
        opinion="请补充说明",
    )

    # Then 罗丹 has the apply node again
    assert rows(instance) == [("apply", "luodan", "open", "node")]
    assert engine_waiting(instance) == ["apply"]


@pytest.mark.django_db
def test_coming_straight_back_skips_the_nodes_in_between(county):
    # Given the head's task, after review and countersign
    p = county.people
    instance = at_countersign(county)
    for task in live(instance):
        approve(task, task.assignee)
    head = task_of(instance, "zhaoliu")

    # When 赵六 returns to the review with 原路返回
    waiting = return_task(
        actor=p.zhaoliu, task=head, to="review", mode="back", opinion="请核实天数"
    )

    # Then the head's task waits, 王五 has a 退回重办 task, the engine stays
    assert waiting.state == Task.State.WAITING
    assert rows(instance) == [
        ("head", "zhaoliu", "waiting", "node"),
        ("review", "wangwu", "open", "resubmit"),
    ]
    assert engine_waiting(instance) == ["head"]

    # When 王五 acts, the task comes straight back to 赵六
    approve(task_of(instance, "wangwu"), p.wangwu, opinion="已核实")
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]
    assert engine_waiting(instance) == ["head"]

    # And 赵六 finishes the process
    approve(task_of(instance, "zhaoliu"), p.zhaoliu)
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.COMPLETED


@pytest.mark.django_db
def test_coming_back_from_a_countersign_asks_each_signer_again(county):
    # Given the head's task after 孙二 and 陈三 signed
    p = county.people
    instance = at_countersign(county)
    for task in live(instance):
        approve(task, task.assignee)

    # When 赵六 returns to the countersign with 原路返回
    return_task(
        actor=p.zhaoliu,
        task=task_of(instance, "zhaoliu"),
        to="sign",
        mode="back",
        opinion="请两位再看看",
    )

    # Then both signers get a 退回重办 task, and only after both does it return
    assert rows(instance) == [
        ("head", "zhaoliu", "waiting", "node"),
        ("sign", "chensan", "open", "resubmit"),
        ("sign", "suner", "open", "resubmit"),
    ]
    approve(task_of(instance, "suner"), p.suner)
    assert ("head", "zhaoliu", "waiting", "node") in rows(instance)
    approve(task_of(instance, "chensan"), p.chensan)
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]


@pytest.mark.django_db
def test_returning_to_the_initiator_without_an_apply_node_asks_for_resubmission(
    county,
):
    # Given a process that starts with the review
    p = county.people
    deploy_countersign(county, with_apply=False)
    instance = start(county, data={"days": 5})

    # When 王五 returns to the initiator, to re-run the path
    return_task(
        actor=p.wangwu,
        task=task_of(instance, "wangwu"),
        to="initiator",
        opinion="请补充材料",
    )

    # Then 罗丹 has a resubmission task while the review waits
    assert rows(instance) == [
        ("review", "wangwu", "waiting", "node"),
        ("start", "luodan", "open", "resubmit"),
    ]
    resubmit = task_of(instance, "luodan")
    assert resubmit.node_name == "发起人重新提交"

    # When 罗丹 resubmits, the path runs again from the first node
    approve(resubmit, p.luodan, opinion="已补充")
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    assert engine_waiting(instance) == ["review"]
    old = Task.objects.filter(instance=instance, node_id="review").order_by("id")[0]
    assert old.state == Task.State.RETURNED


@pytest.mark.django_db
def test_returning_inside_a_parallel_block_rewinds_the_join(county):
    # Given both branches approved and the head's task open
    p = county.people
    deploy(county, parallel_xml())
    instance = start(county)
    approve(live(instance)[0], p.wangwu)
    approve(task_of(instance, "suner"), p.suner)
    approve(task_of(instance, "chensan"), p.chensan)
    assert engine_waiting(instance) == ["head"]

    # When 赵六 returns to 甲审核 (the branch that did not arrive last)
    return_task(
        actor=p.zhaoliu, task=task_of(instance, "zhaoliu"), to="a", opinion="甲重新审核"
    )

    # Then only 甲审核 is open; the join waits for it again
    assert rows(instance) == [("a", "suner", "open", "node")]
    assert engine_waiting(instance) == ["a"]

    # And when 孙二 approves, the head's task is back, once
    approve(task_of(instance, "suner"), p.suner)
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]


@pytest.mark.django_db
def test_a_return_is_refused_without_an_opinion_or_to_an_unknown_node(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # Then an empty opinion, a node not passed, a bad mode are refused
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.suner, task=sun, opinion=" ")
    assert caught.value.message == "请填写退回意见"
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.suner, task=sun, to="head", opinion="退回")
    assert caught.value.message == "只能退回到本环节之前已办理过的环节"
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.suner, task=sun, mode="sideways", opinion="退回")
    assert caught.value.message == "请选择退回后重新办理还是原路返回"

    # And nothing changed; each refusal is in the audit log
    assert sorted(r[1] for r in rows(instance)) == ["chensan", "suner"]
    assert last_entry("workflow.return_task").outcome == "failed"


@pytest.mark.django_db
def test_a_return_by_someone_else_twice_or_when_suspended_is_refused(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # Then 陈三 may not return 孙二's task
    with pytest.raises(PermissionDenied):
        return_task(actor=p.chensan, task=sun, opinion="退回")
    assert last_entry("workflow.return_task").outcome == "denied"

    # And nobody may return while the instance is suspended
    actions.suspend_instance(actor=p.liuqi, instance=instance, reason="核查")
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.suner, task=sun, opinion="退回")
    assert caught.value.message == "流程已挂起，恢复后才能办理"
    actions.resume_instance(actor=p.liuqi, instance=instance)

    # And a second return of the same task is refused
    return_task(actor=p.suner, task=sun, opinion="退回")
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.suner, task=sun, opinion="退回")
    assert caught.value.message == "该任务已退回，不能退回"
    assert rows(instance) == [("review", "wangwu", "open", "node")]


@pytest.mark.django_db
def test_a_node_that_does_not_allow_returns_refuses_them(county):
    # Given a review that only allows approving and rejecting
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user("review", "科长审核", assignment=WANGWU),
            b.user("head", "局长审批", assignment=ZHAOLIU, operations="approve,reject"),
        ),
    )
    instance = start(county)
    approve(live(instance)[0], p.wangwu)

    # Then the head cannot return it
    with pytest.raises(ActionError) as caught:
        return_task(actor=p.zhaoliu, task=live(instance)[0], opinion="退回")
    assert caught.value.message == "环节「局长审批」不允许退回"
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]
