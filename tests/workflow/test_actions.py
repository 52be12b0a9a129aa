"""Starting processes and acting on tasks: the first approval operations."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.core.errors import ActionError, PermissionDenied
from egov.core.models import ClockStop
from egov.workflow import actions
from egov.workflow.handlers import register, unregister
from egov.workflow.models import (
    Delegation,
    ProcessInstance,
    Task,
    TaskCandidate,
    TaskEvent,
)
from tests.workflow import builders as b
from tests.workflow.conftest import (
    approve,
    deploy,
    last_entry,
    open_tasks,
    reject,
    start,
)

WANGWU = {"rule": "user", "users": "wangwu"}


def three_steps(county, sign_vote=None, sign_multi="parallel", completion=None):
    """科长审核 (王五) → 会签 (孙二, 陈三) → gateway on outcome and days → 局长审批."""
    xml = b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.user("review", "科长审核", assignment=WANGWU, limit=(3, "workdays")),
                b.user(
                    "sign",
                    "会签",
                    assignment={"rule": "user", "users": "suner,chensan"},
                    multi=sign_multi,
                    vote=sign_vote,
                    completion=completion,
                ),
                b.xor("decide", default="f_decide_end"),
                b.user("head", "局长审批", assignment={"rule": "org_head"}),
                b.end(),
                b.flow("start", "review"),
                b.flow("review", "sign"),
                b.flow("sign", "decide"),
                b.flow("decide", "head", 'outcome == "approve" and days > 3'),
                b.flow("decide", "end", flow_id="f_decide_end"),
                b.flow("head", "end"),
            ],
            name="请假审批",
        )
    )
    return deploy(county, xml)


def events(instance):
    return [
        (e.kind, e.actor.username if e.actor else None, e.node_id)
        for e in TaskEvent.objects.filter(instance=instance).order_by(
            "created_at", "id"
        )
    ]


@pytest.mark.django_db
def test_a_leave_request_runs_through_review_countersign_and_head(county):
    # Given the three-step process and 罗丹's request for five days
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5, "reason": "探亲"})

    # Then 王五 has the review task, due in three working days
    [review] = open_tasks(instance)
    assert (review.node_name, review.assignee) == ("科长审核", p.wangwu)
    assert review.due_at is not None and review.limit_unit == "workdays"

    # When 王五 approves, 孙二 and 陈三 countersign
    approve(review, p.wangwu, opinion="同意")
    signs = open_tasks(instance, "sign")
    assert sorted(t.assignee.username for t in signs) == ["chensan", "suner"]
    for task in signs:
        approve(task, task.assignee)

    # Then days > 3 sends it to the head of 罗丹's bureau, 赵六
    [head] = open_tasks(instance)
    assert (head.node_id, head.assignee) == ("head", p.zhaoliu)
    approve(head, p.zhaoliu)

    # And the instance is completed with its full history
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.COMPLETED
    assert instance.ended_at is not None and instance.current_nodes == ""
    assert instance.data == {"days": 5, "reason": "探亲"}
    assert events(instance) == [
        ("start", "luodan", ""),
        ("approve", "wangwu", "review"),
        ("approve", signs[0].assignee.username, "sign"),
        ("approve", signs[1].assignee.username, "sign"),
        ("approve", "zhaoliu", "head"),
        ("complete", None, ""),
    ]
    assert last_entry("workflow.complete_task").detail["instance_state"] == (
        "completed"
    )


@pytest.mark.django_db
def test_the_gateway_reads_form_data_and_a_rejected_countersign(county):
    # Given a short request, and a countersign where 陈三 rejects
    p = county.people
    three_steps(county)
    short = start(county, data={"days": 2})
    approve(open_tasks(short)[0], p.wangwu)
    for task in open_tasks(short):
        approve(task, task.assignee)
    long = start(county, data={"days": 9})
    approve(open_tasks(long)[0], p.wangwu)
    signs = open_tasks(long)
    approve(signs[0], signs[0].assignee)
    reject(signs[1], signs[1].assignee, opinion="人手不足")

    # Then the short one ends without the head; the rejected one too
    short.refresh_from_db()
    long.refresh_from_db()
    assert short.state == ProcessInstance.State.COMPLETED
    assert long.state == ProcessInstance.State.COMPLETED
    assert not Task.objects.filter(node_id="head").exists()
    rejected = Task.objects.get(pk=signs[1].pk)
    assert (rejected.outcome, rejected.opinion) == ("reject", "人手不足")


@pytest.mark.django_db
def test_any_sign_lets_the_first_decide_and_cancels_the_rest(county):
    # Given a 或签 countersign
    p = county.people
    three_steps(county, sign_vote={"rule": "any"})
    instance = start(county, data={"days": 5})
    approve(open_tasks(instance)[0], p.wangwu)
    first, second = open_tasks(instance, "sign")

    # When the first signer approves
    approve(first, first.assignee)

    # Then the other's task is cancelled and the head has the request
    second.refresh_from_db()
    assert second.state == Task.State.CANCELLED
    assert not TaskCandidate.objects.filter(task=second).exists()
    assert [t.node_id for t in open_tasks(instance)] == ["head"]
    detail = last_entry("workflow.complete_task").detail
    assert detail["cancelled_tasks"] == [second.pk]

    # And the cancelled task can no longer be acted on
    with pytest.raises(ActionError) as caught:
        approve(second, second.assignee)
    assert caught.value.message == "该任务已取消，不能办理"


@pytest.mark.django_db
def test_a_vote_threshold_decides_with_the_completion_condition(county):
    # Given 票签 at one half with a completion condition on approvals
    p = county.people
    three_steps(
        county,
        sign_vote={"rule": "threshold", "threshold": "0.5"},
        completion="nrOfApproved >= 1",
    )
    instance = start(county, data={"days": 5})
    approve(open_tasks(instance)[0], p.wangwu)
    first, second = open_tasks(instance, "sign")

    # When one signer approves
    approve(first, first.assignee)

    # Then the condition is met, the other vote is cancelled, the head is next
    second.refresh_from_db()
    assert second.state == Task.State.CANCELLED
    assert [t.node_id for t in open_tasks(instance)] == ["head"]


@pytest.mark.django_db
def test_sequential_sign_hands_the_task_on_in_order(county):
    # Given 依次审批 by 孙二 then 陈三
    p = county.people
    three_steps(county, sign_multi="sequential")
    instance = start(county, data={"days": 5})
    approve(open_tasks(instance)[0], p.wangwu)

    # Then only 孙二 has it, and after him only 陈三
    [first] = open_tasks(instance)
    assert first.assignee == p.suner
    approve(first, p.suner)
    [second] = open_tasks(instance)
    assert (second.assignee, second.multi_index) == (p.chensan, 1)

    # When 陈三 rejects, it ends there
    reject(second, p.chensan)
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.COMPLETED
    assert open_tasks(instance) == []


@pytest.mark.django_db
def test_double_submission_completes_once_and_returns_the_same_task(county):
    # Given 王五's review task
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})
    [task] = open_tasks(instance)

    # When he submits twice (a double click) with the same key
    first = approve(task, p.wangwu, idempotency_key="req-1")
    second = approve(task, p.wangwu, idempotency_key="req-1")

    # Then it was completed once: one history line, one audit entry, two signs
    assert first.pk == second.pk and second.state == Task.State.COMPLETED
    assert [k for k, _a, n in events(instance) if n == "review"] == ["approve"]
    from egov.audit.models import AuditEntry

    assert (
        AuditEntry.objects.filter(
            action="workflow.complete_task", outcome="success"
        ).count()
        == 1
    )
    assert len(open_tasks(instance, "sign")) == 2


@pytest.mark.django_db
def test_a_retry_with_another_outcome_or_key_is_refused(county):
    # Given 王五 approved his task
    p = county.people
    three_steps(county)
    [task] = open_tasks(start(county, data={"days": 5}))
    approve(task, p.wangwu, idempotency_key="req-1")

    # When a different request for the same task arrives
    with pytest.raises(ActionError) as other_outcome:
        reject(task, p.wangwu)
    with pytest.raises(ActionError) as other_key:
        approve(task, p.wangwu, idempotency_key="req-2")

    # Then both are refused saying who did it
    assert other_outcome.value.message == "该任务已由王五办理（同意），不能重复办理"
    assert other_key.value.code == "task_already_completed"


@pytest.mark.django_db
def test_acting_on_a_task_one_does_not_hold_is_denied_and_logged(county):
    # Given 王五's task
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})
    [task] = open_tasks(instance)
    before = instance.engine_state

    # When 李四 tries to approve it
    with pytest.raises(PermissionDenied):
        approve(task, p.lisi)

    # Then nothing changed and the denied attempt is logged
    task.refresh_from_db()
    instance.refresh_from_db()
    assert task.state == Task.State.OPEN
    assert instance.engine_state == before
    entry = last_entry("workflow.complete_task")
    assert (entry.outcome, entry.username) == ("denied", "lisi")


@pytest.mark.django_db
def test_a_missing_task_is_refused(county):
    # When acting on a task id that does not exist / Then a clear refusal
    with pytest.raises(ActionError) as caught:
        approve(999999, county.people.wangwu)
    assert caught.value.message == "任务不存在"


@pytest.mark.django_db
def test_a_suspended_instance_refuses_every_operation_until_resumed(county):
    # Given an instance suspended by its current handler
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})
    [task] = open_tasks(instance)
    due = task.due_at
    actions.suspend_instance(actor=p.wangwu, instance=instance, reason="等待补正材料")
    revision = ProcessInstance.objects.get(pk=instance.pk).revision

    # When 王五 tries to approve
    with pytest.raises(ActionError) as caught:
        approve(task, p.wangwu)

    # Then it is refused, nothing changed, and the clock is stopped
    assert caught.value.message == "流程已挂起，恢复后才能办理"
    task.refresh_from_db()
    assert task.state == Task.State.OPEN
    assert ProcessInstance.objects.get(pk=instance.pk).revision == revision
    stop = ClockStop.objects.get()
    assert stop.kind == "suspension" and stop.ended_at is None
    assert last_entry("workflow.complete_task").outcome == "failed"

    # And after resuming he can act; the due time did not move backwards
    actions.resume_instance(actor=p.wangwu, instance=instance)
    task.refresh_from_db()
    assert task.due_at >= due
    approve(task, p.wangwu)
    assert [k for k, *_ in events(instance)][:4] == [
        "start",
        "suspend",
        "resume",
        "approve",
    ]


@pytest.mark.django_db
def test_suspend_needs_a_reason_and_a_running_instance(county):
    # Given a running instance
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})

    # When suspending without a reason / resuming a running instance
    with pytest.raises(ActionError) as no_reason:
        actions.suspend_instance(actor=p.wangwu, instance=instance, reason="  ")
    with pytest.raises(ActionError) as not_suspended:
        actions.resume_instance(actor=p.wangwu, instance=instance)

    # Then both are refused
    assert no_reason.value.message == "请填写原因"
    assert not_suspended.value.message == "只有已挂起的流程可以恢复"


@pytest.mark.django_db
def test_a_finished_instance_refuses_further_work(county):
    # Given an instance cancelled by its initiator
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})
    [task] = open_tasks(instance)
    actions.cancel_instance(actor=p.luodan, instance=instance, reason="不请假了")

    # Then its task is cancelled and acting on it or cancelling again is refused
    task.refresh_from_db()
    assert task.state == Task.State.CANCELLED
    with pytest.raises(ActionError) as act:
        approve(task, p.wangwu)
    with pytest.raises(ActionError) as again:
        actions.cancel_instance(actor=p.luodan, instance=instance)
    assert act.value.message == "流程已撤销，不能再办理"
    assert again.value.message == "流程已撤销，不能撤销"
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.CANCELLED
    assert instance.ended_at is not None


@pytest.mark.django_db
def test_only_the_initiator_cancels_and_only_an_admin_terminates(county):
    # Given a running instance started by 罗丹
    p = county.people
    three_steps(county)
    instance = start(county, data={"days": 5})

    # When 王五 tries to cancel it and 罗丹 to terminate it
    with pytest.raises(PermissionDenied):
        actions.cancel_instance(actor=p.wangwu, instance=instance)
    with pytest.raises(PermissionDenied):
        actions.terminate_instance(actor=p.luodan, instance=instance, reason="x")

    # Then both are denied; the administrator may terminate with a reason
    with pytest.raises(ActionError) as no_reason:
        actions.terminate_instance(actor=p.liuqi, instance=instance, reason="")
    assert no_reason.value.code == "reason_required"
    actions.terminate_instance(actor=p.liuqi, instance=instance, reason="重复申请")
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.TERMINATED
    assert events(instance)[-1] == ("terminate", "liuqi", "")


@pytest.mark.django_db
def test_pooled_tasks_are_claimed_by_one_candidate_and_can_be_released(county):
    # Given a task for the market bureau's 科员 post, held by 孙二 and 陈三
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "check", "初审", assignment={"rule": "post", "post": "139921-104/staff"}
            ),
        ),
    )
    instance = start(county)
    [task] = open_tasks(instance)
    assert task.is_pooled and task.assignee is None

    # When 孙二 claims it
    actions.claim_task(actor=p.suner, task=task)

    # Then 陈三 cannot claim or complete it, and 孙二 holds it
    with pytest.raises(ActionError) as taken:
        actions.claim_task(actor=p.chensan, task=task)
    assert taken.value.message == "该任务已被孙二签收"
    with pytest.raises(PermissionDenied):
        approve(task, p.chensan)

    # And when 孙二 releases it, 陈三 can claim and complete it
    actions.release_task(actor=p.suner, task=task)
    actions.claim_task(actor=p.chensan, task=task)
    approve(task, p.chensan)
    assert [k for k, *_ in events(instance)] == [
        "start",
        "claim",
        "release",
        "claim",
        "approve",
        "complete",
    ]


@pytest.mark.django_db
def test_a_pooled_task_must_be_claimed_before_it_is_completed(county):
    # Given a pooled task nobody claimed
    p = county.people
    deploy(
        county,
        b.chain(
            "leave", b.user("check", assignment={"rule": "role", "role": "approver"})
        ),
    )
    instance = start(county, actor=p.wangwu)
    [task] = open_tasks(instance)
    assert task.is_pooled

    # When a candidate approves without claiming / Then denied
    with pytest.raises(PermissionDenied):
        approve(task, p.suner)

    # And someone outside the pool cannot claim it
    with pytest.raises(PermissionDenied):
        actions.claim_task(actor=p.lisi, task=task)


@pytest.mark.django_db
def test_a_standing_delegation_sends_new_tasks_to_the_delegate(county):
    # Given 王五 delegated his leave tasks to 孙二 for this week
    p = county.people
    now = timezone.now()
    Delegation.objects.create(
        from_user=p.wangwu,
        to_user=p.suner,
        start_at=now - timedelta(days=1),
        end_at=now + timedelta(days=6),
        process_keys=["leave"],
    )
    three_steps(county)

    # When a request arrives
    [task] = open_tasks(start(county, data={"days": 1}))

    # Then 孙二 holds it on 王五's behalf
    assert (task.assignee, task.delegated_from) == (p.suner, p.wangwu)


@pytest.mark.django_db
def test_reject_needs_an_opinion_and_the_outcome_must_be_known(county):
    # Given 王五's task
    p = county.people
    three_steps(county)
    [task] = open_tasks(start(county, data={"days": 5}))

    # When he rejects without an opinion or sends an unknown outcome
    with pytest.raises(ActionError) as no_opinion:
        reject(task, p.wangwu, opinion="  ")
    with pytest.raises(ActionError) as bad:
        actions.complete_task(actor=p.wangwu, task=task, outcome="maybe")

    # Then both are refused with the field named
    assert no_opinion.value.fields == {"opinion": "请填写审批意见"}
    assert bad.value.message == "请选择同意或不同意"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("not a dict", "bad_data"),
        ({"outcome": "approve"}, "reserved_field"),
        ({"egov_assignee": 1}, "reserved_field"),
        ({"_x": 1}, "reserved_field"),
        ({"big": "字" * 100_000}, "data_too_large"),
        ({"n": float("nan")}, "bad_data"),
    ],
)
@pytest.mark.django_db
def test_bad_submitted_data_is_refused_without_change(county, data, code):
    # Given 王五's task
    p = county.people
    three_steps(county)
    [task] = open_tasks(start(county, data={"days": 5}))

    # When he submits bad data / Then it is refused and the task stays open
    with pytest.raises(ActionError) as caught:
        approve(task, p.wangwu, data=data)
    assert caught.value.code == code
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


@pytest.mark.django_db
def test_the_previous_handler_picks_the_next_one_from_the_designers_list(county):
    # Given a node whose handler 王五 chooses among 孙二 and 陈三
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user("review", assignment=WANGWU),
            b.user(
                "handle",
                "承办",
                assignment={"rule": "choice", "users": "suner,chensan"},
            ),
            b.user(
                "confirm",
                "确认",
                assignment={"rule": "previous_handler", "node": "review"},
            ),
        ),
    )
    instance = start(county)
    [review] = open_tasks(instance)

    # When he approves without choosing, or choosing someone off the list
    with pytest.raises(ActionError) as none:
        approve(review, p.wangwu)
    with pytest.raises(ActionError) as outside:
        approve(review, p.wangwu, next_assignees=["lisi"])

    # Then both are refused; choosing 陈三 gives 陈三 the task
    assert none.value.message == "请为下一环节「承办」选择办理人"
    assert outside.value.code == "next_assignee_not_allowed"
    approve(review, p.wangwu, next_assignees=[p.chensan.pk])
    [handle] = open_tasks(instance)
    assert handle.assignee == p.chensan
    approve(handle, p.chensan)
    [confirm] = open_tasks(instance)
    assert confirm.assignee == p.wangwu


@pytest.mark.django_db
def test_a_node_nobody_can_handle_is_refused_at_start(county):
    # Given a node for a post nobody holds
    from egov.identity.models import Post

    Post.objects.create(organization=county.orgs.gov, code="ghost", name="空岗")
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "x", "审核", assignment={"rule": "post", "post": "139921-100/ghost"}
            ),
        ),
    )

    # When someone starts it / Then it is refused and nothing is left behind
    with pytest.raises(ActionError) as caught:
        start(county)
    assert (
        caught.value.message
        == "环节「审核」找不到办理人，请联系流程管理员检查办理人设置"
    )
    assert not ProcessInstance.objects.exists()


@pytest.mark.django_db
def test_service_tasks_call_their_registered_handler(county):
    # Given a handler that stamps a number into the data
    seen = []

    def stamp(context):
        seen.append((context.node_id, context.data["days"]))
        return {"number": "示范〔2026〕1号"}

    register("tests.stamp_number")(stamp)
    try:
        deploy(
            county,
            b.chain(
                "leave",
                b.service("stamp", "tests.stamp_number"),
                b.user("review", assignment=WANGWU),
            ),
        )

        # When an instance passes the service task
        instance = start(county, data={"days": 2})
    finally:
        unregister("tests.stamp_number")

    # Then the handler ran once and the next node sees its result
    assert seen == [("stamp", 2)]
    [task] = open_tasks(instance)
    approve(task, county.people.wangwu)


@pytest.mark.django_db
def test_a_message_event_waits_for_outside_input(county):
    # Given a process that waits for the applicant's correction
    p = county.people
    xml = b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.user("review", assignment=WANGWU),
                b.catch_message("wait", "Msg_1"),
                b.user("recheck", assignment=WANGWU),
                b.end(),
                b.flow("start", "review"),
                b.flow("review", "wait"),
                b.flow("wait", "recheck"),
                b.flow("recheck", "end"),
            ],
        ),
        messages=[("Msg_1", "correction")],
    )
    deploy(county, xml)
    instance = start(county)
    approve(open_tasks(instance)[0], p.wangwu)
    assert open_tasks(instance) == []

    # When another message arrives / Then it is refused
    with pytest.raises(ActionError) as caught:
        actions.send_message(instance=instance, message="other")
    assert caught.value.message == "流程当前没有等待消息 other"

    # When the correction arrives
    actions.send_message(instance=instance, message="correction", payload={"pages": 3})

    # Then the recheck task is waiting and the payload is in the data
    [task] = open_tasks(instance)
    assert task.node_id == "recheck"
    instance.refresh_from_db()
    assert instance.data["pages"] == 3


@pytest.mark.django_db
def test_a_boundary_timer_takes_over_an_overdue_task(county, monkeypatch):
    # Given a review with a one-hour escalation timer
    p = county.people
    xml = b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.user("review", assignment=WANGWU),
                b.boundary_timer("late", "review", "PT1H"),
                b.user("escalate", "督办", assignment={"rule": "org_head"}),
                b.end(),
                b.end("late_end"),
                b.flow("start", "review"),
                b.flow("review", "end"),
                b.flow("late", "escalate"),
                b.flow("escalate", "late_end"),
            ],
        )
    )
    deploy(county, xml)
    instance = start(county)
    instance.refresh_from_db()
    assert instance.next_timer_at is not None
    [review] = open_tasks(instance)

    # When the sweep runs before the hour / Then nothing happens
    assert actions.sweep_timers() == 0

    # When the sweep runs two hours later
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    later = timezone.now() + timedelta(hours=2)

    class Later(timer.datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(timer, "datetime", Later)
    assert actions.sweep_timers(now=later) == 1

    # Then the review is cancelled and the escalation is waiting
    review.refresh_from_db()
    assert review.state == Task.State.CANCELLED
    [escalate] = open_tasks(instance)
    assert (escalate.node_id, escalate.assignee) == ("escalate", p.zhaoliu)
    assert events(instance)[-1] == ("timer", None, "")


@pytest.mark.django_db
def test_a_call_activity_runs_the_pinned_sub_process(county):
    # Given a deployed sub-process and a main process calling it
    p = county.people
    deploy(
        county,
        b.chain("check", b.user("inspect", "现场核查", assignment=WANGWU)),
        key="check",
    )
    deploy(
        county,
        b.chain(
            "leave",
            b.call("sub", "check", name="核查"),
            b.user("decide", "决定", assignment={"rule": "org_head"}),
        ),
    )
    instance = start(county)

    # Then the sub-process's task waits with its own name
    [inspect] = open_tasks(instance)
    assert (inspect.process_id, inspect.node_name) == ("check", "现场核查")

    # And completing it returns to the main process
    approve(inspect, p.wangwu)
    [decide] = open_tasks(instance)
    assert decide.node_id == "decide"


@pytest.mark.django_db
def test_opening_a_task_is_noted_once_for_its_holder(county):
    # Given 王五's task
    p = county.people
    three_steps(county)
    [task] = open_tasks(start(county, data={"days": 5}))

    # When 李四 opens it, nothing is noted; when 王五 opens it twice, once
    actions.open_task(actor=p.lisi, task=task)
    task.refresh_from_db()
    assert task.opened_at is None
    actions.open_task(actor=p.wangwu, task=task)
    task.refresh_from_db()
    opened = task.opened_at
    actions.open_task(actor=p.wangwu, task=task)
    task.refresh_from_db()
    assert opened is not None and task.opened_at == opened
    from egov.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="workflow.open_task").count() == 1


@pytest.mark.django_db
def test_starting_an_unknown_process_or_without_a_subject_is_refused(county):
    # When starting something not deployed, or without a subject
    three_steps(county)
    with pytest.raises(ActionError) as unknown:
        start(county, key="nothing")
    with pytest.raises(ActionError) as no_subject:
        start(county, subject="   ")

    # Then both are refused clearly
    assert unknown.value.message == "流程 nothing 不存在或尚未部署"
    assert no_subject.value.fields == {"subject": "请填写标题"}


@pytest.mark.django_db
def test_the_timer_command_reports_how_many_instances_it_checked(county):
    # Given no instance with a due timer
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()

    # When the sweep command runs / Then it says it checked none
    call_command("workflow_timers", stdout=out)
    assert out.getvalue().strip() == "已检查 0 个到期的流程实例"
