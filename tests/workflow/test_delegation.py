"""委托: giving and ending standing delegations, and what they do to tasks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions, assignment, queries
from egov.workflow.models import Delegation
from egov.workflow.operations import delegation
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, last_entry, open_tasks, start


def days(n):
    return timezone.now() + timedelta(days=n)


def give(county, who="wangwu", to="suner", start_at=None, end_at=None, **kw):
    return delegation.create_delegation(
        actor=getattr(county.people, who),
        to=to,
        start_at=start_at or timezone.now(),
        end_at=end_at or days(7),
        **kw,
    )


def refusal(county, **kw):
    with pytest.raises(ActionError) as caught:
        give(county, **kw)
    return caught.value


@pytest.mark.django_db
def test_a_delegation_runs_from_now_and_is_audited(county):
    # Given a leave process deployed
    deploy(
        county, b.chain("leave", b.user("x", "审核", assignment={"rule": "initiator"}))
    )

    # When 王五 delegates leave requests to 孙二 for a week, starting an hour ago
    row = give(
        county, start_at=days(-1), process_keys=["leave", "leave"], reason="出差"
    )

    # Then it starts now (not in the past), covers leave only, and is logged
    assert row.from_user == county.people.wangwu
    assert row.to_user == county.people.suner
    assert abs((row.start_at - timezone.now()).total_seconds()) < 5
    assert row.process_keys == ["leave"]
    assert delegation.status_of(row) == delegation.RUNNING
    entry = last_entry("workflow.create_delegation")
    assert entry.outcome == "success"
    assert entry.detail["to"] == "suner"
    assert entry.detail["processes"] == ["leave"]
    assert entry.detail["reason"] == "出差"


@pytest.mark.django_db
def test_new_tasks_go_to_the_delegate_while_it_runs_and_not_after_it_ends(county):
    # Given 王五 handles leave requests and delegated them to 孙二
    p = county.people
    deploy(
        county,
        b.chain(
            "leave", b.user("x", "审核", assignment={"rule": "user", "users": "wangwu"})
        ),
    )
    row = give(county)

    # When a request arrives / Then 孙二 holds it on 王五's behalf
    [task] = open_tasks(start(county))
    assert (task.assignee, task.delegated_from) == (p.suner, p.wangwu)

    # When 王五 comes back early and ends it / Then the next one is his
    ended = delegation.end_delegation(actor=p.wangwu, delegation=row)
    assert delegation.status_of(ended) == delegation.ENDED
    assert not ended.is_active
    [second] = open_tasks(start(county, subject="第二份"))
    assert (second.assignee, second.delegated_from) == (p.wangwu, None)
    assert last_entry("workflow.end_delegation").detail["was"] == "running"


@pytest.mark.django_db
def test_a_future_delegation_is_cancelled_and_never_applies(county):
    # Given a delegation for next week
    row = give(county, start_at=days(7), end_at=days(14))
    assert delegation.status_of(row) == delegation.PENDING

    # When cancelled
    cancelled = delegation.end_delegation(actor=county.people.wangwu, delegation=row)

    # Then its period is empty and it is shown as cancelled
    assert delegation.status_of(cancelled) == delegation.CANCELLED
    assert cancelled.end_at == cancelled.start_at
    assert assignment.delegate_of(county.people.wangwu.pk, "leave", days(8)) is None


@pytest.mark.django_db
def test_bad_periods_are_refused_with_field_messages(county):
    # When the end is before the start, in the past, too far, or not a time
    backwards = refusal(county, start_at=days(3), end_at=days(2))
    past = refusal(county, start_at=days(-3), end_at=days(-1))
    too_long = refusal(county, end_at=days(400))
    garbage = refusal(county, end_at="明天")

    # Then each is refused and nothing is written
    assert backwards.code == past.code == "bad_period"
    assert backwards.message == "结束时间必须晚于开始时间和当前时间"
    assert backwards.fields == {"end_at": "结束时间必须晚于开始时间"}
    assert too_long.message == "委托期限不能超过一年"
    assert garbage.code == "bad_time"
    assert garbage.message == "请填写正确的结束时间"
    assert not Delegation.objects.exists()
    assert last_entry("workflow.create_delegation").outcome == "failed"


@pytest.mark.django_db
def test_oneself_unknown_inactive_and_citizen_delegates_are_refused(county):
    # Given 陈三 has left
    p = county.people
    p.chensan.is_active = False
    p.chensan.save(update_fields=["is_active"])

    # When 王五 names himself, nobody, 陈三, or the citizen 张三
    self_ = refusal(county, to="wangwu")
    ghost = refusal(county, to="ghost")
    gone = refusal(county, to="chensan")
    citizen = refusal(county, to="zhangsan")

    # Then each is refused
    assert self_.message == "不能委托给自己"
    assert self_.fields == {"to": "请选择他人"}
    assert ghost.message == "找不到人员：ghost"
    assert gone.message == "找不到人员：chensan"
    assert citizen.message == "找不到人员：zhangsan"
    assert not Delegation.objects.exists()


@pytest.mark.django_db
def test_unknown_processes_are_refused(county):
    # When a delegation names a process that was never deployed
    refused = refusal(county, process_keys=["leave", "nosuch"])
    bad_type = refusal(county, process_keys=[1, 2])

    # Then refused, naming it
    assert refused.code == "process_missing"
    assert refused.message == "找不到流程：leave、nosuch"
    assert bad_type.message == "适用流程格式不正确"


@pytest.mark.django_db
def test_overlapping_delegations_for_the_same_processes_are_refused(county):
    # Given 王五 delegated "leave" this week, and "trip" is deployed too
    p = county.people
    rule = {"rule": "user", "users": "wangwu"}
    deploy(county, b.chain("leave", b.user("x", "审核", assignment=rule)))
    deploy(county, b.chain("trip", b.user("x", "审核", assignment=rule)), key="trip")
    give(county, process_keys=["leave"])

    # When he delegates leave (or everything) again in an overlapping period
    same = refusal(
        county, to="chensan", start_at=days(3), end_at=days(10), process_keys=["leave"]
    )
    everything = refusal(county, to="chensan", start_at=days(3), end_at=days(10))

    # Then refused; "trip" alone, or leave after the week, is fine
    assert same.code == everything.code == "delegation_overlap"
    assert "孙二" in same.message
    give(county, to="chensan", process_keys=["trip"])
    give(county, to="chensan", start_at=days(8), end_at=days(9), process_keys=["leave"])
    assert Delegation.objects.filter(from_user=p.wangwu).count() == 3


@pytest.mark.django_db
def test_a_delegate_away_on_their_own_delegation_is_refused(county):
    # Given 孙二 delegated his tasks to 陈三 this week
    give(county, who="suner", to="chensan")

    # When 王五 picks 孙二 / Then refused: 孙二 is away
    away = refusal(county, to="suner", start_at=days(2), end_at=days(3))
    assert away.code == "delegate_away"
    assert away.message == "孙二在此期间已委托他人办理，请选择其他受托人"


@pytest.mark.django_db
def test_only_the_delegator_may_end_it_and_only_once(county):
    # Given 王五's delegation to 孙二
    p = county.people
    row = give(county)

    # When 孙二 (the delegate) or 罗丹 tries to end it / Then denied and logged
    for other in (p.suner, p.luodan):
        with pytest.raises(PermissionDenied):
            delegation.end_delegation(actor=other, delegation=row.pk)
    assert last_entry("workflow.end_delegation").outcome == "denied"

    # When 王五 ends it twice / Then the second time is refused
    delegation.end_delegation(actor=p.wangwu, delegation=row.pk)
    with pytest.raises(ActionError) as again:
        delegation.end_delegation(actor=p.wangwu, delegation=row.pk)
    assert again.value.message == "该委托已结束"
    with pytest.raises(ActionError) as missing:
        delegation.end_delegation(actor=p.wangwu, delegation="x")
    assert missing.value.code == "delegation_missing"


@pytest.mark.django_db
def test_citizens_may_not_delegate(county):
    # When the citizen 张三 tries / Then denied
    with pytest.raises(PermissionDenied):
        give(county, who="zhangsan", to="wangwu")
    assert last_entry("workflow.create_delegation").outcome == "denied"


@pytest.mark.django_db
def test_lists_show_given_and_received_to_their_two_people_only(county):
    # Given 王五 → 孙二
    p = county.people
    row = give(county)

    # Then 王五 sees it as given, 孙二 as received, 罗丹 sees nothing
    assert [r.pk for r in delegation.delegations_for(p.wangwu).given] == [row.pk]
    assert delegation.delegations_for(p.wangwu).received == []
    assert [r.pk for r in delegation.delegations_for(p.suner).received] == [row.pk]
    assert delegation.get_delegation_for(p.suner, row.pk).status == "running"
    from django.http import Http404

    with pytest.raises(Http404):
        delegation.get_delegation_for(p.luodan, row.pk)


def pooled_by_post(county):
    """A leave node pooled to the market bureau's 科员 post (孙二, 陈三)."""
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "x", "审核", assignment={"rule": "post", "post": "139921-104/staff"}
            ),
        ),
    )
    [task] = open_tasks(start(county))
    assert task.is_pooled and task.assignee is None
    return task


@pytest.mark.django_db
def test_the_delegate_sees_counts_and_claims_a_pooled_task_of_the_delegator(county):
    # Given 孙二 delegated to 赵六, outside the 科员 pool, and a pooled task
    p = county.people
    give(county, who="suner", to="zhaoliu")
    task = pooled_by_post(county)

    # Then 赵六 sees it in his todo list and his figure, and may claim it
    assert [t.pk for t in queries.todo_for(p.zhaoliu)] == [task.pk]
    assert queries.counts(p.zhaoliu)["todo"] == 1
    claimed = actions.claim_task(actor=p.zhaoliu, task=task)
    assert claimed.assignee == p.zhaoliu

    # And 陈三, still in the pool, no longer sees it
    assert list(queries.todo_for(p.chensan)) == []


@pytest.mark.django_db
def test_a_pooled_task_is_not_the_delegates_once_the_delegation_ends(county):
    # Given 孙二's delegation to 赵六 ended, and a pooled task
    p = county.people
    row = give(county, who="suner", to="zhaoliu")
    delegation.end_delegation(actor=p.suner, delegation=row)
    task = pooled_by_post(county)

    # Then 赵六 neither sees nor may claim it; 孙二 still may
    assert list(queries.todo_for(p.zhaoliu)) == []
    assert queries.counts(p.zhaoliu)["todo"] == 0
    with pytest.raises(PermissionDenied):
        actions.claim_task(actor=p.zhaoliu, task=task)
    assert [t.pk for t in queries.todo_for(p.suner)] == [task.pk]


@pytest.mark.django_db
def test_a_delegation_for_other_processes_does_not_reach_pooled_tasks(county):
    # Given 孙二 delegated only "trip" to 赵六, and a pooled leave task
    deploy(
        county,
        b.chain("trip", b.user("x", "审核", assignment={"rule": "initiator"})),
        key="trip",
    )
    give(county, who="suner", to="zhaoliu", process_keys=["trip"])
    pooled_by_post(county)

    # Then 赵六 does not see it
    assert list(queries.todo_for(county.people.zhaoliu)) == []
    assert queries.counts(county.people.zhaoliu)["todo"] == 0


@pytest.mark.django_db
def test_the_delegate_may_claim_a_role_pooled_task_in_the_delegators_organization(
    county,
):
    # Given a task pooled to approvers of the market bureau, and 王五 (an
    # approver there) delegated to 宋佳 of the township, who is no approver
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "x",
                "审核",
                assignment={
                    "rule": "role",
                    "role": "approver",
                    "organization": "139921-104",
                },
            ),
        ),
    )
    give(county, to="songjia")
    [task] = open_tasks(start(county))

    # Then 宋佳 sees and claims it
    assert [t.pk for t in queries.todo_for(p.songjia)] == [task.pk]
    assert queries.counts(p.songjia)["todo"] == 1
    assert actions.claim_task(actor=p.songjia, task=task).assignee == p.songjia
