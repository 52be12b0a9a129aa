"""前加签 / 后加签 and 减签: extra rows that hold the node's engine task."""

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions
from egov.workflow.models import Task
from egov.workflow.operations.signing import add_signers, remove_signer
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, last_entry, reject, start
from tests.workflow.operations_support import (
    WANGWU,
    at_countersign,
    engine_waiting,
    history,
    live,
    rows,
    task_of,
)
from tests.workflow.operations_support import (
    countersign_xml as xml,
)


def at_review(county):
    deploy(county, xml())
    instance = start(county, data={"days": 5})
    approve(live(instance)[0], county.people.luodan)
    return instance, task_of(instance, "wangwu")


@pytest.mark.django_db
def test_signers_added_before_act_first_and_then_the_task_comes_back(county):
    # Given 王五's review
    p = county.people
    instance, review = at_review(county)

    # When he adds 李四 and 何敏 before himself
    added = add_signers(
        actor=p.wangwu, task=review, users=["lisi", "hemin"], opinion="请先把关"
    )

    # Then his task waits (out of his 待办) and they each have a task
    assert [t.kind for t in added] == ["sign_before", "sign_before"]
    assert rows(instance) == [
        ("review", "hemin", "open", "sign_before"),
        ("review", "lisi", "open", "sign_before"),
        ("review", "wangwu", "waiting", "node"),
    ]
    with pytest.raises(ActionError) as caught:
        approve(review, p.wangwu)
    assert caught.value.message == "该任务等待他人办理，不能办理"

    # When both act, his task is open again; the engine has not moved
    approve(task_of(instance, "lisi"), p.lisi, opinion="可以")
    assert ("review", "wangwu", "waiting", "node") in rows(instance)
    reject(task_of(instance, "hemin"), p.hemin, opinion="天数偏多")
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    assert engine_waiting(instance) == ["review"]

    # And his own decision moves the process on
    approve(task_of(instance, "wangwu"), p.wangwu)
    assert engine_waiting(instance) == ["sign", "sign"]
    assert history(instance) == [
        ("start", "luodan", ""),
        ("approve", "luodan", "apply"),
        ("add_signer", "wangwu", "review"),
        ("approve", "lisi", "review"),
        ("reject", "hemin", "review"),
        ("approve", "wangwu", "review"),
    ]


@pytest.mark.django_db
def test_signers_added_after_act_once_the_holder_has_then_the_process_moves(
    county,
):
    # Given 王五 adds 李四 after himself
    p = county.people
    instance, review = at_review(county)
    [after] = add_signers(actor=p.wangwu, task=review, users="lisi", position="after")

    # Then 李四's task waits unseen until 王五 acts
    assert rows(instance) == [
        ("review", "lisi", "waiting", "sign_after"),
        ("review", "wangwu", "open", "node"),
    ]

    # When 王五 approves, 李四's task opens and the engine still waits
    approve(review, p.wangwu, opinion="同意")
    review.refresh_from_db()
    assert review.state == Task.State.COMPLETED
    assert rows(instance) == [("review", "lisi", "open", "sign_after")]
    assert engine_waiting(instance) == ["review"]

    # When 李四 approves, the countersign starts
    approve(task_of(instance, "lisi"), p.lisi)
    assert engine_waiting(instance) == ["sign", "sign"]
    assert last_entry("workflow.complete_task").detail["engine_outcome"] == ("approve")


@pytest.mark.django_db
def test_an_after_signer_who_rejects_makes_the_node_reject(county):
    # Given a countersign where 孙二 adds 李四 after himself
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    add_signers(actor=p.suner, task=sun, users=["lisi"], position="after")

    # When 孙二 and 陈三 approve but 李四 rejects
    approve(sun, p.suner)
    approve(task_of(instance, "chensan"), p.chensan)
    assert rows(instance) == [("sign", "lisi", "open", "sign_after")]
    reject(task_of(instance, "lisi"), p.lisi, opinion="不同意")

    # Then the countersign's instance counted a reject; the head is next
    assert last_entry("workflow.complete_task").detail["engine_outcome"] == "reject"
    assert engine_waiting(instance) == ["head"]


@pytest.mark.django_db
def test_removing_the_last_signer_before_gives_the_task_back(county):
    # Given 王五 added 李四 before himself
    p = county.people
    instance, review = at_review(county)
    [added] = add_signers(actor=p.wangwu, task=review, users=["lisi"])

    # When he removes 李四 before 李四 acts
    removed = remove_signer(actor=p.wangwu, task=added, opinion="不必了")

    # Then 李四's task is cancelled and 王五's task is open again
    assert removed.state == Task.State.CANCELLED
    assert rows(instance) == [("review", "wangwu", "open", "node")]
    assert history(instance)[-1] == ("remove_signer", "wangwu", "review")

    # And removing him again is refused with no change
    with pytest.raises(ActionError) as caught:
        remove_signer(actor=p.wangwu, task=added)
    assert caught.value.message == "李四已不在加签人中，不能重复减签"
    assert last_entry("workflow.remove_signer").outcome == "failed"


@pytest.mark.django_db
def test_removing_the_last_after_signer_once_active_lets_the_process_move(county):
    # Given 王五 approved with 李四 to act after him
    p = county.people
    instance, review = at_review(county)
    [added] = add_signers(actor=p.wangwu, task=review, users=["lisi"], position="after")
    approve(review, p.wangwu)

    # When 王五 removes 李四
    remove_signer(actor=p.wangwu, task=added)

    # Then the countersign starts with 王五's decision
    assert engine_waiting(instance) == ["sign", "sign"]
    assert last_entry("workflow.remove_signer").detail["engine_outcome"] == "approve"


@pytest.mark.django_db
def test_a_signer_who_acted_cannot_be_removed_nor_can_others_remove(county):
    # Given 王五 added 李四 and 何敏 before himself, and 李四 approved
    p = county.people
    instance, review = at_review(county)
    lisi, hemin = add_signers(actor=p.wangwu, task=review, users=["lisi", "hemin"])
    approve(lisi, p.lisi)

    # Then 李四 can no longer be removed, and 何敏 cannot remove herself
    with pytest.raises(ActionError) as caught:
        remove_signer(actor=p.wangwu, task=lisi)
    assert caught.value.message == "李四已办理，不能减签"
    with pytest.raises(PermissionDenied):
        remove_signer(actor=p.hemin, task=hemin)
    assert ("review", "hemin", "open", "sign_before") in rows(instance)


@pytest.mark.django_db
def test_adding_oneself_a_holder_twice_or_a_signer_operation_is_refused(county):
    # Given the countersign is open
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # Then 孙二 cannot add himself, nor 陈三 who signs the same node
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.suner, task=sun, users=["suner"])
    assert caught.value.message == "不能给自己加签"
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.suner, task=sun, users=["chensan"])
    assert caught.value.message == "陈三已在办理本环节，不能重复加签"

    # And nobody unknown; and an added signer cannot add more people
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.suner, task=sun, users=["nobody"])
    assert caught.value.message == "找不到人员：nobody"
    [added] = add_signers(actor=p.suner, task=sun, users=["lisi"])
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.lisi, task=added, users=["hemin"])
    assert caught.value.message == "前加签任务只能办理，不能加签"
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.suner, task=sun, users=["hemin"])
    assert caught.value.message == "该任务正在等待他人办理，暂不能加签"


@pytest.mark.django_db
def test_a_node_without_add_signer_refuses_it(county):
    # Given the default operations, which leave adding signers out
    p = county.people
    deploy(county, b.chain("leave", b.user("review", "科长审核", assignment=WANGWU)))
    instance = start(county)

    # Then adding is refused
    with pytest.raises(ActionError) as caught:
        add_signers(actor=p.wangwu, task=live(instance)[0], users=["lisi"])
    assert caught.value.message == "环节「科长审核」不允许加签"


@pytest.mark.django_db
def test_terminating_closes_the_extra_rows_too(county):
    # Given 王五's review waits for 李四
    p = county.people
    instance, review = at_review(county)
    add_signers(actor=p.wangwu, task=review, users=["lisi"])

    # When the administrator terminates the instance
    actions.terminate_instance(actor=p.liuqi, instance=instance, reason="重复申请")

    # Then no row stays live
    assert rows(instance) == []
