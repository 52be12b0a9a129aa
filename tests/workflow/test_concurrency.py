"""Operations on one instance from several threads at once: the instance lock
serializes them, so every outcome is as if they had come one after another."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError
from egov.workflow import actions
from egov.workflow.models import Task, TaskEvent
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, open_tasks, start


def _retrying(fn):
    """Run an action, waiting for the write lock as a file database would.

    The in-memory SQLite database of the test run answers "table is locked"
    at once where a file database waits; PostgreSQL waits on the row lock.
    """
    while True:
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.002)


def _race(*calls):
    """Run the calls in threads released together; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, fn):
        try:
            barrier.wait()
            results[index] = _retrying(fn)
        except Exception as exc:  # noqa: BLE001 - inspected by the tests
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_threads_completing_the_same_task_act_exactly_once(county):
    # Given 王五's task, then the head's
    deploy(
        county,
        b.chain(
            "leave",
            b.user("review", assignment={"rule": "user", "users": "wangwu"}),
            b.user("head", assignment={"rule": "org_head"}),
        ),
    )
    instance = start(county)
    [task] = open_tasks(instance)
    wangwu = county.people.wangwu

    # When two requests complete it at the same moment
    results = _race(
        lambda: actions.complete_task(actor=wangwu, task=task.pk, outcome="approve"),
        lambda: actions.complete_task(actor=wangwu, task=task.pk, outcome="approve"),
    )

    # Then both return the completed task, and it was acted on once
    assert all(isinstance(r, Task) and r.pk == task.pk for r in results)
    assert TaskEvent.objects.filter(kind="approve", task=task).count() == 1
    assert (
        AuditEntry.objects.filter(
            action="workflow.complete_task", outcome="success"
        ).count()
        == 1
    )
    assert [t.node_id for t in open_tasks(instance)] == ["head"]


@pytest.mark.django_db(transaction=True)
def test_two_candidates_claiming_at_once_one_wins(county):
    # Given a pooled task for 孙二 and 陈三
    deploy(
        county,
        b.chain(
            "leave",
            b.user("check", assignment={"rule": "post", "post": "139921-104/staff"}),
        ),
    )
    [task] = open_tasks(start(county))
    suner, chensan = county.people.suner, county.people.chensan

    # When both claim it at the same moment
    results = _race(
        lambda: actions.claim_task(actor=suner, task=task.pk),
        lambda: actions.claim_task(actor=chensan, task=task.pk),
    )

    # Then exactly one holds it and the other was told who did
    winners = [r for r in results if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, ActionError)]
    assert len(winners) == 1 and len(losers) == 1
    task.refresh_from_db()
    assert task.assignee_id == winners[0].assignee_id
    assert losers[0].message == f"该任务已被{task.assignee.real_name}签收"
    assert TaskEvent.objects.filter(kind="claim").count() == 1


@pytest.mark.django_db(transaction=True)
def test_countersigners_acting_together_close_the_node_once(county):
    # Given a countersign of 孙二 and 陈三, then the head
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "sign",
                assignment={"rule": "user", "users": "suner,chensan"},
                multi="parallel",
            ),
            b.user("head", assignment={"rule": "org_head"}),
        ),
    )
    instance = start(county)
    first, second = open_tasks(instance)

    # When both approve at the same moment
    results = _race(
        lambda: actions.complete_task(
            actor=first.assignee, task=first.pk, outcome="approve"
        ),
        lambda: actions.complete_task(
            actor=second.assignee, task=second.pk, outcome="approve"
        ),
    )

    # Then both succeeded and the head's task exists exactly once
    assert all(isinstance(r, Task) for r in results)
    assert Task.objects.filter(instance=instance, node_id="head").count() == 1
    instance.refresh_from_db()
    assert instance.revision == 3
