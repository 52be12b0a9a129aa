"""抢办 through a standing delegation (委托): the claimed task names the delegator,
in the task row, the timeline, the API and the audit log; and the workflow
policy's rules for giving, ending and seeing delegations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from egov.workflow import actions, queries
from egov.workflow.models import Delegation, TaskEvent
from egov.workflow.operations import delegation
from egov.workflow.permissions import acting_for, workflow_policy
from tests.identity.factories import fresh, no_staff_2fa
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, last_entry, open_tasks, start

__all__ = ["no_staff_2fa"]


def give(county, who, to, **kw):
    now = timezone.now()
    return delegation.create_delegation(
        actor=getattr(county.people, who),
        to=to,
        start_at=now,
        end_at=now + timedelta(days=7),
        **kw,
    )


def pooled_by_post(county):
    """A leave task pooled to the market bureau's 科员 post (孙二, 陈三)."""
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
def test_a_delegate_claims_on_the_delegators_behalf_and_the_log_says_so(county):
    # Given 孙二 (科员) delegated to 赵六, who is not in the 科员 pool
    p = county.people
    give(county, "suner", "zhaoliu")
    task = pooled_by_post(county)

    # When 赵六 claims the pooled task
    claimed = actions.claim_task(actor=p.zhaoliu, task=task)

    # Then he holds it on 孙二's behalf, and the timeline and the log say so
    claimed.refresh_from_db()
    assert (claimed.assignee, claimed.delegated_from) == (p.zhaoliu, p.suner)
    entry = last_entry("workflow.claim_task")
    assert entry.outcome == "success"
    assert entry.detail["delegated_from"] == "suner"
    event = TaskEvent.objects.get(task=claimed, kind=TaskEvent.Kind.CLAIM)
    assert event.detail == {"delegated_from": "suner"}
    [line] = [e for e in queries.timeline(task.instance) if e.kind == "claim"]
    assert line.on_behalf_of == p.suner


@pytest.mark.django_db
def test_a_candidate_in_their_own_right_claims_for_nobody(county):
    # Given the pooled task and no delegation
    p = county.people
    task = pooled_by_post(county)

    # When 陈三, in the 科员 pool, claims it
    claimed = actions.claim_task(actor=p.chensan, task=task)

    # Then the task names no delegator, nor do the timeline and the log
    claimed.refresh_from_db()
    assert (claimed.assignee, claimed.delegated_from) == (p.chensan, None)
    assert last_entry("workflow.claim_task").detail["delegated_from"] == ""
    event = TaskEvent.objects.get(task=claimed, kind=TaskEvent.Kind.CLAIM)
    assert event.detail == {}
    assert [e.on_behalf_of for e in queries.timeline(task.instance)] == [None, None]


@pytest.mark.django_db
def test_a_pool_member_who_is_also_a_delegate_claims_in_their_own_right(county):
    # Given 孙二 delegated to 陈三, and both are in the 科员 pool
    p = county.people
    give(county, "suner", "chensan")
    task = pooled_by_post(county)

    # When 陈三 claims / Then he holds it as himself, not for 孙二
    claimed = actions.claim_task(actor=p.chensan, task=task)
    claimed.refresh_from_db()
    assert claimed.delegated_from is None
    assert last_entry("workflow.claim_task").detail["delegated_from"] == ""


@pytest.mark.django_db
def test_of_several_delegators_the_earliest_delegation_is_named(county):
    # Given both 科员 delegated to 赵六: 孙二's was given first (lower id) but
    # 陈三's began an hour earlier
    p = county.people
    now = timezone.now()
    later = Delegation.objects.create(
        from_user=p.suner,
        to_user=p.zhaoliu,
        start_at=now - timedelta(hours=1),
        end_at=now + timedelta(days=1),
    )
    earlier = Delegation.objects.create(
        from_user=p.chensan,
        to_user=p.zhaoliu,
        start_at=now - timedelta(hours=2),
        end_at=now + timedelta(days=1),
    )
    assert later.pk < earlier.pk
    task = pooled_by_post(county)

    # When 赵六 claims / Then the task names 陈三, whose delegation began first
    assert acting_for(p.zhaoliu, task) == p.chensan.pk
    claimed = actions.claim_task(actor=p.zhaoliu, task=task)
    claimed.refresh_from_db()
    assert claimed.delegated_from == p.chensan
    assert last_entry("workflow.claim_task").detail["delegated_from"] == "chensan"


@pytest.mark.django_db
def test_a_delegation_for_another_process_names_nobody(county):
    # Given 孙二 delegated only "trip" to 赵六, and 陈三 delegated everything
    p = county.people
    deploy(
        county,
        b.chain("trip", b.user("x", "审核", assignment={"rule": "initiator"})),
        key="trip",
    )
    give(county, "suner", "zhaoliu", process_keys=["trip"])
    give(county, "chensan", "zhaoliu")
    task = pooled_by_post(county)

    # When 赵六 claims the leave task / Then it is for 陈三, not 孙二
    claimed = actions.claim_task(actor=p.zhaoliu, task=task)
    claimed.refresh_from_db()
    assert claimed.delegated_from == p.chensan


@pytest.mark.django_db
def test_releasing_a_task_claimed_for_someone_forgets_the_delegator(county):
    # Given 赵六 claimed 孙二's pooled task through the delegation
    p = county.people
    give(county, "suner", "zhaoliu")
    task = pooled_by_post(county)
    actions.claim_task(actor=p.zhaoliu, task=task)

    # When he puts it back and 陈三 claims it
    actions.release_task(actor=p.zhaoliu, task=task)
    task.refresh_from_db()
    assert (task.assignee, task.delegated_from) == (None, None)
    actions.claim_task(actor=p.chensan, task=task)

    # Then 陈三 holds it as himself
    task.refresh_from_db()
    assert (task.assignee, task.delegated_from) == (p.chensan, None)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_staff_2fa")
def test_the_timeline_and_the_api_show_who_the_delegate_acted_for(client, county):
    # Given 赵六 claimed and approved 孙二's pooled task through the delegation
    p = county.people
    give(county, "suner", "zhaoliu")
    task = pooled_by_post(county)
    actions.claim_task(actor=p.zhaoliu, task=task)
    actions.complete_task(actor=p.zhaoliu, task=task, outcome="approve")

    # When 罗丹, who started it, opens the instance page and the API
    client.force_login(p.luodan)
    page = client.get(reverse("workflow:instance_detail", args=[task.instance_id]))
    api = APIClient()
    api.force_authenticate(fresh(p.luodan))
    data = api.get(f"/api/workflow/instances/{task.instance_id}/").json()

    # Then the claim and the approval read "赵六（受孙二委托）", the start does not
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("（受孙二委托）") == 2
    assert [(e["kind"], e["on_behalf_of"]) for e in data["timeline"]] == [
        ("start", None),
        ("claim", "suner"),
        ("approve", "suner"),
        ("complete", None),
    ]


@pytest.fixture
def rows(county):
    """王五 → 孙二 running, and 陈三 → 赵六 running."""
    return {
        "wangwu_to_suner": give(county, "wangwu", "suner"),
        "chensan_to_zhaoliu": give(county, "chensan", "zhaoliu"),
    }


PEOPLE = ("wangwu", "suner", "chensan", "zhaoliu", "zhangsan", "luodan")

# action, object, and the people allowed (everyone else is refused)
MATRIX = [
    ("delegate", None, {"wangwu", "suner", "chensan", "zhaoliu", "luodan"}),
    ("delegate_to", "wangwu", {"suner", "chensan", "zhaoliu", "luodan"}),
    ("delegate_to", "zhangsan", set()),
    ("end_delegation", "wangwu_to_suner", {"wangwu"}),
    ("view_delegation", "wangwu_to_suner", {"wangwu", "suner"}),
    ("view_delegation", "chensan_to_zhaoliu", {"chensan", "zhaoliu"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "target", "allowed"), MATRIX)
def test_delegation_policy_matrix(county, rows, action, target, allowed):
    # Given the object: a delegation, or a person to delegate to
    people = {name: fresh(getattr(county.people, name)) for name in PEOPLE}
    obj = rows.get(target) or people.get(target)

    # When the policy is asked for each person
    granted = {
        name
        for name, person in people.items()
        if workflow_policy.can(person, action, obj)
    }

    # Then exactly the expected people may act
    assert granted == allowed


@pytest.mark.django_db
def test_a_delegator_who_left_may_neither_give_nor_end_but_still_sees(county, rows):
    # Given 王五 is no longer active staff (moved to a citizen account)
    wangwu = fresh(county.people.wangwu)
    wangwu.kind = wangwu.Kind.CITIZEN
    row = rows["wangwu_to_suner"]

    # Then he may not give or end delegations, yet sees the one he gave
    assert not workflow_policy.can(wangwu, "delegate")
    assert not workflow_policy.can(wangwu, "end_delegation", row)
    assert workflow_policy.can(wangwu, "view_delegation", row)
    visible = workflow_policy.visible(wangwu, Delegation.objects.all())
    assert list(visible) == [row]
    with pytest.raises(KeyError):
        workflow_policy.visible(wangwu, Delegation.objects.all(), "end_delegation")
