"""转办 and 委派."""

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import queries
from egov.workflow.models import Notification, Task
from egov.workflow.operations.handover import delegate_task, transfer_task
from egov.workflow.operations.signing import add_signers
from tests.workflow.conftest import approve, deploy, last_entry, start
from tests.workflow.operations_support import (
    at_countersign,
    countersign_xml,
    engine_waiting,
    history,
    live,
    rows,
    task_of,
)


def at_review(county):
    deploy(county, countersign_xml())
    instance = start(county, data={"days": 5})
    approve(live(instance)[0], county.people.luodan)
    return instance, task_of(instance, "wangwu")


@pytest.mark.django_db
def test_a_transferred_task_becomes_the_other_persons(county):
    # Given 王五's review
    p = county.people
    instance, review = at_review(county)

    # When he transfers it to 李四
    new = transfer_task(actor=p.wangwu, task=review, to="lisi", opinion="出差")

    # Then it leaves his 待办 and is in 李四's, same node and deadline
    review.refresh_from_db()
    assert review.state == Task.State.TRANSFERRED
    assert (new.node_id, new.assignee, new.due_at) == ("review", p.lisi, review.due_at)
    assert list(queries.todo_for(p.wangwu)) == []
    assert list(queries.todo_for(p.lisi)) == [new]
    assert Notification.objects.get(user=p.lisi).title == "转办：请假申请"
    assert history(instance)[-1] == ("transfer", "wangwu", "review")

    # And 李四's approval moves the process on
    approve(new, p.lisi)
    assert engine_waiting(instance) == ["sign", "sign"]

    # And transferring again is refused
    with pytest.raises(ActionError) as caught:
        transfer_task(actor=p.wangwu, task=review, to="hemin")
    assert caught.value.message == "该任务已转办，不能转办"
    assert last_entry("workflow.transfer_task").outcome == "failed"


@pytest.mark.django_db
def test_transfer_keeps_the_after_signers_and_refuses_bad_targets(county):
    # Given 孙二 added 李四 after himself on the countersign
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    [after] = add_signers(actor=p.suner, task=sun, users=["lisi"], position="after")

    # Then he may not transfer to himself, to 陈三 (same node) or nobody
    for target, message in [
        ("suner", "不能转办给自己"),
        ("chensan", "陈三已在办理本环节，不能再转办给他"),
        ("", "请选择人员"),
    ]:
        with pytest.raises(ActionError) as caught:
            transfer_task(actor=p.suner, task=sun, to=target)
        assert caught.value.message == message

    # When he transfers to 何敏, 李四 follows the task
    new = transfer_task(actor=p.suner, task=sun, to="hemin")
    after.refresh_from_db()
    assert after.parent == new
    approve(new, p.hemin)
    assert ("sign", "lisi", "open", "sign_after") in rows(instance)


@pytest.mark.django_db
def test_a_delegated_task_comes_back_to_its_holder(county):
    # Given 王五's review
    p = county.people
    instance, review = at_review(county)

    # When he delegates it to 李四
    delegated = delegate_task(actor=p.wangwu, task=review, to="lisi")

    # Then his task waits and 李四 has it in 待办
    assert delegated.kind == Task.Kind.DELEGATE
    assert rows(instance) == [
        ("review", "lisi", "open", "delegate"),
        ("review", "wangwu", "waiting", "node"),
    ]
    assert list(queries.todo_for(p.wangwu)) == []

    # When 李四 processes it, the engine does not move; it is 王五's again
    approve(delegated, p.lisi, opinion="已审，建议同意")
    assert engine_waiting(instance) == ["review"]
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    assert list(queries.todo_for(p.wangwu)) == [review]

    # And 王五 finishes it
    approve(review, p.wangwu)
    assert engine_waiting(instance) == ["sign", "sign"]


@pytest.mark.django_db
def test_delegating_twice_or_someone_elses_task_is_refused(county):
    # Given 王五 delegated his review to 李四
    p = county.people
    instance, review = at_review(county)
    delegated = delegate_task(actor=p.wangwu, task=review, to="lisi")

    # Then delegating again waits for 李四; 李四 may not delegate it on
    with pytest.raises(ActionError) as caught:
        delegate_task(actor=p.wangwu, task=review, to="hemin")
    assert caught.value.message == "该任务正在等待他人办理，暂不能委派"
    with pytest.raises(ActionError) as caught:
        delegate_task(actor=p.lisi, task=delegated, to="hemin")
    assert caught.value.message == "委派任务只能办理，不能委派"

    # And 何敏 holds nothing here
    with pytest.raises(PermissionDenied):
        transfer_task(actor=p.hemin, task=review, to="lisi")
    assert last_entry("workflow.transfer_task").outcome == "denied"
    assert len(live(instance)) == 2
