"""Inbox queries: what each person sees, newest first, counted and filtered."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone

from egov.workflow import actions, queries
from egov.workflow.models import Cc, Task
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, open_tasks, start

STAFF_POST = {"rule": "post", "post": "139921-104/staff"}


@pytest.fixture
def two_processes(county):
    deploy(
        county,
        b.chain(
            "direct", b.user("x", "审核", assignment={"rule": "user", "users": "suner"})
        ),
        key="direct",
        name="直接办理",
    )
    deploy(
        county,
        b.chain("pooled", b.user("y", "初审", assignment=STAFF_POST)),
        key="pooled",
        name="抢办",
    )
    return county


def _age(instance, minutes):
    Task.objects.filter(instance=instance).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.mark.django_db
def test_a_pool_member_sees_held_and_claimable_tasks_newest_first(two_processes):
    # Given for 孙二: an old direct task, a newer pooled one, the newest direct
    county = two_processes
    old = start(county, key="direct", subject="旧件")
    pooled = start(county, key="pooled", subject="共享件")
    new = start(county, key="direct", subject="新件")
    _age(old, 30)
    _age(pooled, 20)
    _age(new, 10)

    # When his todo list is read
    inbox = queries.todo_for(county.people.suner)

    # Then all three come newest first, counted once each
    assert [t.instance.subject for t in inbox] == ["新件", "共享件", "旧件"]
    assert inbox.count() == 3 and len(inbox) == 3
    assert inbox[1].instance.subject == "共享件"
    assert queries.counts(county.people.suner)["todo"] == 3

    # And a page of the Paginator is the same list, sliced
    page = Paginator(inbox, 2).get_page(2)
    assert [t.instance.subject for t in page] == ["旧件"]


@pytest.mark.django_db
def test_claimed_pooled_tasks_leave_the_other_candidates_lists(two_processes):
    # Given a pooled task in the lists of 孙二 and 陈三
    county = two_processes
    [task] = open_tasks(start(county, key="pooled"))
    assert [t.pk for t in queries.todo_for(county.people.chensan)] == [task.pk]

    # When 孙二 claims it
    actions.claim_task(actor=county.people.suner, task=task)

    # Then it is in his list only
    assert [t.pk for t in queries.todo_for(county.people.suner)] == [task.pk]
    assert list(queries.todo_for(county.people.chensan)) == []


@pytest.mark.django_db
def test_filters_apply_to_held_and_pooled_tasks_alike(two_processes):
    # Given a direct and a pooled task for 孙二
    county = two_processes
    start(county, key="direct", subject="营业执照变更")
    start(county, key="pooled", subject="食品经营许可", business_key="SP-001")

    # When filtering by process, text, business key and light
    person = county.people.suner
    by_process = queries.todo_for(person, process="pooled")
    by_text = queries.todo_for(person, q="执照")
    by_key = queries.todo_for(person, q="SP-001")
    red = queries.todo_for(person, light="red")

    # Then each filter narrows both arms
    assert [t.instance.subject for t in by_process] == ["食品经营许可"]
    assert [t.instance.subject for t in by_text] == ["营业执照变更"]
    assert [t.instance.subject for t in by_key] == ["食品经营许可"]
    assert list(red) == []


@pytest.mark.django_db
def test_someone_outside_every_pool_gets_a_plain_queryset(two_processes):
    # Given 王五, who holds no pooled post
    county = two_processes
    deploy(
        county,
        b.chain("mine", b.user("m", assignment={"rule": "user", "users": "wangwu"})),
        key="mine",
    )
    start(county, key="mine")

    # When his list is read / Then it is an ordinary ordered queryset
    rows = queries.todo_for(county.people.wangwu)
    assert rows.ordered and rows.count() == 1


@pytest.mark.django_db
def test_done_started_and_cc_lists_and_their_counts(two_processes):
    # Given 孙二 approved one request 罗丹 started, and 李四 got a cc
    county = two_processes
    instance = start(county, key="direct")
    approve(open_tasks(instance)[0], county.people.suner)
    Cc.objects.create(instance=instance, user=county.people.lisi)

    # Then each list has it, and the counts agree
    assert [t.node_id for t in queries.done_for(county.people.suner)] == ["x"]
    assert [i.pk for i in queries.started_by(county.people.luodan)] == [instance.pk]
    assert [c.instance_id for c in queries.cc_to(county.people.lisi)] == [instance.pk]
    assert queries.counts(county.people.suner) == {
        "todo": 0,
        "done": 1,
        "started": 0,
        "cc": 0,
    }
    assert queries.counts(county.people.lisi)["cc"] == 1
    assert list(queries.started_by(county.people.luodan, state="running")) == []


@pytest.mark.django_db
def test_lights_follow_the_due_time(two_processes):
    # Given three of 孙二's tasks: no limit, due in a week, overdue
    county = two_processes
    tasks = [open_tasks(start(county, key="direct"))[0] for _ in range(3)]
    now = timezone.now()
    tasks[1].due_at = now + timedelta(days=14)
    tasks[2].due_at = now - timedelta(minutes=1)

    # When lights are computed
    queries.with_lights(tasks, now)

    # Then none, green and red
    assert [t.light for t in tasks] == ["", "green", "red"]
    assert tasks[2].light_label == "已超期"


@pytest.mark.django_db
def test_get_task_for_answers_404_alike_for_missing_and_forbidden(two_processes):
    # Given 孙二's task
    county = two_processes
    [task] = open_tasks(start(county, key="direct"))

    # Then he gets it; 李四 and a missing id get 404
    assert queries.get_task_for(county.people.suner, task.pk) == task
    for viewer, pk in ((county.people.lisi, task.pk), (county.people.suner, 0)):
        with pytest.raises(Http404):
            queries.get_task_for(viewer, pk)
    with pytest.raises(Http404):
        queries.get_instance_for(county.people.lisi, task.instance_id)


@pytest.mark.django_db
def test_workbench_counts_agree_with_the_lists_for_every_person(two_processes):
    # Given held, pooled and claimed tasks spread over several people
    county = two_processes
    start(county, key="direct", subject="直办件")
    start(county, key="pooled", subject="共享件")
    claimed = start(county, key="pooled", subject="已签收件")
    task = claimed.tasks.get(state=Task.State.OPEN)
    actions.claim_task(actor=county.people.chensan, task=task)

    # When each person's figures are read, then they are the lists' lengths
    for person in vars(county.people).values():
        figures = queries.counts(person)
        assert figures == {
            "todo": queries.todo_for(person).count(),
            "done": queries.done_for(person).count(),
            "started": queries.started_by(person).count(),
            "cc": queries.cc_to(person).filter(read_at__isnull=True).count(),
        }, person.username
