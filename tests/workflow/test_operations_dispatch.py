"""调度: an administrator moves an instance to any node, or reassigns."""

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow.models import ProcessInstance, Task
from egov.workflow.operations.dispatching import (
    dispatch_instance,
    reassign_task,
    targets,
)
from tests.workflow.conftest import approve, deploy, last_entry, start
from tests.workflow.operations_support import (
    at_countersign,
    engine_waiting,
    history,
    live,
    parallel_xml,
    rows,
    task_of,
)


@pytest.mark.django_db
def test_moving_forward_past_the_countersign_to_the_head(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    signs = live(instance)

    # When 刘七 moves the instance to the head's node
    dispatch_instance(actor=p.liuqi, instance=instance, node="head", reason="加急")

    # Then the countersign tasks are cancelled and 赵六 has the task
    assert [Task.objects.get(pk=t.pk).state for t in signs] == ["cancelled"] * 2
    assert rows(instance) == [("head", "zhaoliu", "open", "node")]
    assert engine_waiting(instance) == ["head"]
    assert history(instance)[-1] == ("dispatch", "liuqi", "head")
    assert last_entry("workflow.dispatch_instance").detail["how"] == "graft"

    # And the process ends normally from there
    approve(task_of(instance, "zhaoliu"), p.zhaoliu)
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.COMPLETED


@pytest.mark.django_db
def test_moving_back_to_the_apply_node_rewinds(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)

    # When 刘七 moves it back to 申请
    dispatch_instance(actor=p.liuqi, instance=instance, node="apply", reason="重填")

    # Then 罗丹 has the apply node again
    assert rows(instance) == [("apply", "luodan", "open", "node")]
    assert last_entry("workflow.dispatch_instance").detail["how"] == "rewind"
    approve(task_of(instance, "luodan"), county.people.luodan)
    assert engine_waiting(instance) == ["review"]


@pytest.mark.django_db
def test_a_node_inside_a_parallel_block_not_reached_is_refused(county):
    # Given the review of a process with two parallel branches
    p = county.people
    deploy(county, parallel_xml())
    instance = start(county)

    # Then the targets leave the branches out and moving into one is refused
    assert [node for node, _name in targets(instance)] == ["review", "head"]
    with pytest.raises(ActionError) as caught:
        dispatch_instance(actor=p.liuqi, instance=instance, node="a", reason="试")
    assert caught.value.message == "不能调度到并行分支中尚未到达的环节"

    # And moving to the node it is at, or to one that does not exist
    with pytest.raises(ActionError) as caught:
        dispatch_instance(actor=p.liuqi, instance=instance, node="review", reason="试")
    assert caught.value.message == "流程已在环节「科长审核」"
    with pytest.raises(ActionError) as caught:
        dispatch_instance(actor=p.liuqi, instance=instance, node="nope", reason="试")
    assert caught.value.message == "流程中没有可调度到的环节 nope"
    assert rows(instance) == [("review", "wangwu", "open", "node")]


@pytest.mark.django_db
def test_dispatch_needs_the_permission_and_a_reason(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)

    # Then 王五, without 调度, is denied; 刘七 without a reason is refused
    with pytest.raises(PermissionDenied):
        dispatch_instance(actor=p.wangwu, instance=instance, node="head", reason="x")
    assert last_entry("workflow.dispatch_instance").outcome == "denied"
    with pytest.raises(ActionError) as caught:
        dispatch_instance(actor=p.liuqi, instance=instance, node="head", reason="")
    assert caught.value.message == "请填写调度原因"
    assert len(live(instance, "sign")) == 2


@pytest.mark.django_db
def test_reassigning_an_open_task_to_another_person(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # When 刘七 reassigns 孙二's task to 李四
    new = reassign_task(actor=p.liuqi, task=sun, to="lisi", reason="孙二休假")

    # Then 李四 holds it and 孙二's row is closed
    sun.refresh_from_db()
    assert sun.state == Task.State.TRANSFERRED
    assert rows(instance) == [
        ("sign", "chensan", "open", "node"),
        ("sign", "lisi", "open", "node"),
    ]
    approve(new, p.lisi)
    approve(task_of(instance, "chensan"), p.chensan)
    assert engine_waiting(instance) == ["head"]

    # And reassigning to a current holder, or without permission, is refused
    head = task_of(instance, "zhaoliu")
    with pytest.raises(ActionError) as caught:
        reassign_task(actor=p.liuqi, task=head, to="zhaoliu", reason="x")
    assert caught.value.message == "赵六已是该任务的办理人"
    with pytest.raises(PermissionDenied):
        reassign_task(actor=p.wangwu, task=head, to="lisi", reason="x")
