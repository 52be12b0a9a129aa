"""撤回: taking back a task nobody has opened yet."""

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions
from egov.workflow.models import Task
from egov.workflow.operations.withdrawing import withdraw_task
from tests.workflow.conftest import approve, deploy, last_entry, start
from tests.workflow.operations_support import (
    at_countersign,
    countersign_xml,
    engine_state_of,
    engine_waiting,
    history,
    live,
    rows,
    task_of,
)


def at_review(county, **kw):
    deploy(county, countersign_xml(**kw))
    instance = start(county, data={"days": 5})
    approve(live(instance)[0], county.people.luodan)
    return instance, task_of(instance, "wangwu")


@pytest.mark.django_db
def test_withdrawing_before_anyone_opened_takes_the_countersign_back(county):
    # Given 王五 approved and the countersign tasks are unopened
    p = county.people
    instance, review = at_review(county)
    approve(review, p.wangwu)
    signs = live(instance)

    # When he withdraws
    mine = withdraw_task(actor=p.wangwu, task=review, opinion="漏填意见")

    # Then the countersign tasks are withdrawn and he has the review again
    assert [Task.objects.get(pk=t.pk).state for t in signs] == ["withdrawn"] * 2
    assert (mine.node_id, mine.assignee, mine.state) == ("review", p.wangwu, "open")
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    assert engine_waiting(instance) == ["review"]
    assert history(instance)[-1] == ("withdraw", "wangwu", "review")
    assert last_entry("workflow.withdraw_task").detail["withdrawn_tasks"] == [
        t.pk for t in signs
    ]

    # And withdrawing again is refused with no change
    with pytest.raises(ActionError) as caught:
        withdraw_task(actor=p.wangwu, task=review)
    assert caught.value.message == "您办理后流程已有新的办理，不能撤回"
    assert rows(instance) == [("review", "wangwu", "open", "node")]


@pytest.mark.django_db
def test_an_opened_next_task_cannot_be_withdrawn(county):
    # Given 王五 approved and 孙二 opened his countersign task
    p = county.people
    instance, review = at_review(county)
    approve(review, p.wangwu)
    actions.open_task(actor=p.suner, task=task_of(instance, "suner"))

    # Then 王五 may no longer withdraw
    with pytest.raises(ActionError) as caught:
        withdraw_task(actor=p.wangwu, task=review)
    assert caught.value.message == "会签的任务已被查看，不能撤回"
    assert last_entry("workflow.withdraw_task").outcome == "failed"
    assert len(live(instance, "sign")) == 2


@pytest.mark.django_db
def test_the_last_countersigner_withdraws_without_the_others_signing_again(county):
    # Given 孙二 and then 陈三 signed and the head's task is unopened
    p = county.people
    instance = at_countersign(county)
    approve(task_of(instance, "suner"), p.suner)
    last = task_of(instance, "chensan")
    approve(last, p.chensan)
    assert engine_waiting(instance) == ["head"]

    # When 陈三 withdraws
    withdraw_task(actor=p.chensan, task=last)

    # Then only 陈三 signs again; 孙二's vote stands
    assert rows(instance) == [("sign", "chensan", "open", "node")]
    assert engine_waiting(instance) == ["sign"]
    assert engine_state_of(instance)["sign"] == ["COMPLETED", "READY", "STARTED"]
    approve(task_of(instance, "chensan"), p.chensan)
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]


@pytest.mark.django_db
def test_a_sequential_signer_withdraws_from_the_next_signer(county):
    # Given 依次审批: 孙二 signed and 陈三's turn came, unopened
    p = county.people
    instance = at_countersign(county, multi="sequential")
    first = task_of(instance, "suner")
    approve(first, p.suner)
    assert rows(instance) == [("sign", "chensan", "open", "node")]

    # When 孙二 withdraws, it is his turn again
    withdraw_task(actor=p.suner, task=first)
    assert rows(instance) == [("sign", "suner", "open", "node")]
    approve(task_of(instance, "suner"), p.suner)
    assert rows(instance) == [("sign", "chensan", "open", "node")]


@pytest.mark.django_db
def test_withdraw_is_refused_mid_countersign_for_others_and_when_suspended(county):
    # Given 孙二 signed while 陈三 has not
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    approve(sun, p.suner)

    # Then his decision created nothing to take back
    with pytest.raises(ActionError) as caught:
        withdraw_task(actor=p.suner, task=sun)
    assert caught.value.message == "您办理后没有流转出新的待办任务，不能撤回"

    # And 陈三 may not withdraw 孙二's task; nobody may while suspended
    with pytest.raises(PermissionDenied):
        withdraw_task(actor=p.chensan, task=sun)
    review = Task.objects.get(instance=instance, node_id="review")
    actions.suspend_instance(actor=p.liuqi, instance=instance, reason="核查")
    with pytest.raises(ActionError) as caught:
        withdraw_task(actor=p.wangwu, task=review)
    assert caught.value.message == "流程已挂起，恢复后才能办理"
