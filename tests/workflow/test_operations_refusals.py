"""Every operation refuses on a suspended or finished instance, with its
message, no change, and a refused entry in the audit log."""

import pytest

from egov.core.errors import ActionError
from egov.workflow import actions
from egov.workflow.models import Cc, Notification, TaskEvent
from egov.workflow.operations.copying import cc_instance
from egov.workflow.operations.dispatching import dispatch_instance, reassign_task
from egov.workflow.operations.handover import delegate_task, transfer_task
from egov.workflow.operations.returning import return_task
from egov.workflow.operations.signing import add_signers
from egov.workflow.operations.urging import urge_task
from tests.workflow.conftest import last_entry
from tests.workflow.operations_support import at_countersign, rows, task_of

OPERATIONS = {
    "workflow.return_task": lambda p, t, i: return_task(
        actor=p.suner, task=t, opinion="退回"
    ),
    "workflow.transfer_task": lambda p, t, i: transfer_task(
        actor=p.suner, task=t, to="lisi"
    ),
    "workflow.delegate_task": lambda p, t, i: delegate_task(
        actor=p.suner, task=t, to="lisi"
    ),
    "workflow.add_signer": lambda p, t, i: add_signers(
        actor=p.suner, task=t, users=["lisi"]
    ),
    "workflow.cc_instance": lambda p, t, i: cc_instance(
        actor=p.suner, task=t, users=["lisi"]
    ),
    "workflow.urge_task": lambda p, t, i: urge_task(actor=p.luodan, task=t),
    "workflow.reassign_task": lambda p, t, i: reassign_task(
        actor=p.liuqi, task=t, to="lisi", reason="调整"
    ),
    "workflow.dispatch_instance": lambda p, t, i: dispatch_instance(
        actor=p.liuqi, instance=i, node="head", reason="调整"
    ),
}

STATES = {
    "suspended": (
        lambda p, i: actions.suspend_instance(actor=p.liuqi, instance=i, reason="查"),
        "流程已挂起，恢复后才能办理",
    ),
    "cancelled": (
        lambda p, i: actions.cancel_instance(actor=p.luodan, instance=i),
        "流程已撤销，不能再办理",
    ),
    "terminated": (
        lambda p, i: actions.terminate_instance(actor=p.liuqi, instance=i, reason="查"),
        "流程已终止，不能再办理",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("code", list(OPERATIONS))
def test_an_operation_on_a_stopped_instance_is_refused_without_change(
    county, state, code
):
    # Given the countersign, then the instance suspended or ended
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")
    stop, message = STATES[state]
    stop(p, instance)
    before = (rows(instance), TaskEvent.objects.count(), Notification.objects.count())

    # When the operation is attempted
    with pytest.raises(ActionError) as caught:
        OPERATIONS[code](p, sun, instance)

    # Then it is refused with a clear message and nothing changed
    assert caught.value.message == message
    after = (rows(instance), TaskEvent.objects.count(), Notification.objects.count())
    assert after == before
    assert not Cc.objects.exists()
    assert last_entry(code).outcome == "failed"
