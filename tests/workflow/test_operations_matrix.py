"""The matrix the issue asks for: return × countersign × add-signer ×
withdraw × suspend, over 申请 → 科长审核 → 会签 (孙二, 陈三, parallel) →
局长审批.

Each combination walks the same script and checks, after every step, the
live Task rows (node, assignee, state, kind), the engine's ready user tasks,
the instance state and the audit entries the step wrote:

1. 王五 approves the review: the countersign opens for 孙二 and 陈三.
2. withdraw: 王五 takes it back before anyone opened it, and approves again.
3. add-signer: 孙二 opens his task (after which 王五 can no longer withdraw)
   and adds 李四 before or after himself.
4. suspend: while suspended every operation is refused and nothing moves.
5. return: 陈三 returns to the review, re-running the path (every countersign
   row goes, 李四's included) or 原路返回 (only 陈三's row waits).
6. the rest act in a fixed order until the instance is completed.
"""

import itertools

import pytest

from egov.core.errors import ActionError
from egov.workflow import actions
from egov.workflow.models import ProcessInstance
from egov.workflow.operations.returning import return_task
from egov.workflow.operations.signing import add_signers
from egov.workflow.operations.withdrawing import withdraw_task
from tests.workflow.conftest import approve, start
from tests.workflow.operations_support import (
    audit_mark,
    audit_trail,
    deploy_countersign,
    engine_waiting,
    live,
    rows,
    task_of,
)

VOTES = ("all", "any")
WITHDRAW = (False, True)
ADD_SIGNER = (None, "before", "after")
SUSPEND = (False, True)
RETURN = (None, "rerun", "back")

OK = "success"
FAILED = "failed"
COMPLETE = "workflow.complete_task"

CASES = list(itertools.product(VOTES, WITHDRAW, ADD_SIGNER, SUSPEND, RETURN))


def _id(case):
    vote, withdraw, add, suspend, ret = case
    return "-".join(
        [
            vote,
            "withdraw" if withdraw else "no_withdraw",
            f"sign_{add}" if add else "no_sign",
            "suspend" if suspend else "no_suspend",
            f"return_{ret}" if ret else "no_return",
        ]
    )


class Script:
    """Runs one step and checks what it left behind."""

    def __init__(self, instance):
        self.instance = instance
        self.mark = audit_mark()

    def check(self, *, rows_now, waiting, audit, state="running"):
        assert rows(self.instance) == sorted(rows_now)
        assert engine_waiting(self.instance) == sorted(waiting)
        self.instance.refresh_from_db()
        assert self.instance.state == state
        assert audit_trail(self.mark) == audit
        self.mark = audit_mark()


def countersign_rows(add, *, sun="open", chen="open", lisi=None):
    """The live rows of the countersign stage."""
    found = []
    if chen:
        found.append(("sign", "chensan", chen, "node"))
    if sun:
        found.append(("sign", "suner", sun, "node"))
    if add and lisi:
        found.append(("sign", "lisi", lisi, f"sign_{add}"))
    return found


def lisi_initial(add):
    return {"before": "open", "after": "waiting"}.get(add)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_operations_matrix(county, case):
    vote, withdraw, add, suspend, ret = case
    p = county.people
    deploy_countersign(county, vote={"rule": vote})
    instance = start(county, data={"days": 5})
    approve(task_of(instance, "luodan"), p.luodan)
    script = Script(instance)

    # 1. 王五 approves the review
    review = task_of(instance, "wangwu")
    approve(review, p.wangwu)
    script.check(
        rows_now=countersign_rows(None),
        waiting=["sign", "sign"],
        audit=[(COMPLETE, OK)],
    )

    # 2. withdraw before anyone opened the countersign, then approve again
    if withdraw:
        mine = withdraw_task(actor=p.wangwu, task=review)
        script.check(
            rows_now=[("review", "wangwu", "open", "node")],
            waiting=["review"],
            audit=[("workflow.withdraw_task", OK)],
        )
        approve(mine, p.wangwu)
        review = mine
        script.check(
            rows_now=countersign_rows(None),
            waiting=["sign", "sign"],
            audit=[(COMPLETE, OK)],
        )

    # 3. 孙二 opens his task; then adds 李四 before or after himself
    sun = task_of(instance, "suner")
    actions.open_task(actor=p.suner, task=sun)
    expected_audit = [("workflow.open_task", OK)]
    if withdraw:
        with pytest.raises(ActionError):
            withdraw_task(actor=p.wangwu, task=review)
        expected_audit.append(("workflow.withdraw_task", FAILED))
    if add:
        add_signers(actor=p.suner, task=sun, users=["lisi"], position=add)
        expected_audit.append(("workflow.add_signer", OK))
    sun_state = "waiting" if add == "before" else "open"
    lisi_state = lisi_initial(add)
    script.check(
        rows_now=countersign_rows(add, sun=sun_state, lisi=lisi_state),
        waiting=["sign", "sign"],
        audit=expected_audit,
    )

    # 4. suspended: every operation is refused, nothing moves
    if suspend:
        actions.suspend_instance(actor=p.liuqi, instance=instance, reason="核查")
        chen = task_of(instance, "chensan")
        attempts = [
            (COMPLETE, lambda: approve(chen, p.chensan)),
            (
                "workflow.return_task",
                lambda: return_task(actor=p.chensan, task=chen, opinion="退回"),
            ),
            (
                "workflow.add_signer",
                lambda: add_signers(actor=p.chensan, task=chen, users=["hemin"]),
            ),
        ]
        if add == "before":
            lisi = task_of(instance, "lisi")
            attempts.append((COMPLETE, lambda: approve(lisi, p.lisi)))
        for _code, attempt in attempts:
            with pytest.raises(ActionError) as caught:
                attempt()
            assert caught.value.message == "流程已挂起，恢复后才能办理"
        script.check(
            rows_now=countersign_rows(add, sun=sun_state, lisi=lisi_state),
            waiting=["sign", "sign"],
            audit=[("workflow.suspend_instance", OK)]
            + [(code, FAILED) for code, _attempt in attempts],
            state="suspended",
        )
        actions.resume_instance(actor=p.liuqi, instance=instance)
        script.check(
            rows_now=countersign_rows(add, sun=sun_state, lisi=lisi_state),
            waiting=["sign", "sign"],
            audit=[("workflow.resume_instance", OK)],
        )

    # 5. 陈三 returns to the review
    if ret == "rerun":
        return_task(actor=p.chensan, task=task_of(instance, "chensan"), opinion="重审")
        script.check(
            rows_now=[("review", "wangwu", "open", "node")],
            waiting=["review"],
            audit=[("workflow.return_task", OK)],
        )
        approve(task_of(instance, "wangwu"), p.wangwu)
        add, sun_state, lisi_state = None, "open", None
        script.check(
            rows_now=countersign_rows(None),
            waiting=["sign", "sign"],
            audit=[(COMPLETE, OK)],
        )
    elif ret == "back":
        return_task(
            actor=p.chensan,
            task=task_of(instance, "chensan"),
            mode="back",
            opinion="请科长确认",
        )
        script.check(
            rows_now=countersign_rows(
                add, sun=sun_state, chen="waiting", lisi=lisi_state
            )
            + [("review", "wangwu", "open", "resubmit")],
            waiting=["sign", "sign"],
            audit=[("workflow.return_task", OK)],
        )
        approve(task_of(instance, "wangwu"), p.wangwu)
        script.check(
            rows_now=countersign_rows(add, sun=sun_state, lisi=lisi_state),
            waiting=["sign", "sign"],
            audit=[(COMPLETE, OK)],
        )

    # 6. the rest act: 陈三 first, then 孙二's side, then the head
    approve(task_of(instance, "chensan"), p.chensan)
    if vote == "any":
        # 或签: 陈三 decided; 孙二's task and any signer of his are cancelled
        script.check(
            rows_now=[("head", "zhaoliu", "open", "node")],
            waiting=["head"],
            audit=[(COMPLETE, OK)],
        )
    else:
        script.check(
            rows_now=countersign_rows(add, sun=sun_state, chen=None, lisi=lisi_state),
            waiting=["sign"],
            audit=[(COMPLETE, OK)],
        )
        if add == "before":
            approve(task_of(instance, "lisi"), p.lisi)
            script.check(
                rows_now=countersign_rows(None, chen=None),
                waiting=["sign"],
                audit=[(COMPLETE, OK)],
            )
        approve(task_of(instance, "suner"), p.suner)
        if add == "after":
            script.check(
                rows_now=[("sign", "lisi", "open", "sign_after")],
                waiting=["sign"],
                audit=[(COMPLETE, OK)],
            )
            approve(task_of(instance, "lisi"), p.lisi)
        script.check(
            rows_now=[("head", "zhaoliu", "open", "node")],
            waiting=["head"],
            audit=[(COMPLETE, OK)],
        )
    approve(task_of(instance, "zhaoliu"), p.zhaoliu)
    script.check(
        rows_now=[],
        waiting=[],
        audit=[(COMPLETE, OK)],
        state=ProcessInstance.State.COMPLETED,
    )
    assert live(instance) == []
