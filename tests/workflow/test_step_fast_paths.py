"""The fast paths of a workflow step give exactly what the slow ones gave.

- The engine state's task tree is written and read by the adapter's own
  converter (egov.workflow.engine._StateConverter); the text must be Spiff's,
  byte for byte, and what it reads must be what Spiff's converter reads.
- Keyed lookups run as prepared SQL (egov.core.prepared); their rows must
  be the queryset's.
- Standing delegations of several new tasks are looked up at once
  (assignment.delegates_of); the answer must be delegate_of's for each.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter

from egov.core.prepared import Prepared, Slot
from egov.workflow import assignment, bpmn, engine, runtime
from egov.workflow.models import Delegation, ProcessInstance, Task
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, open_tasks, start

FIXTURES = Path(__file__).parent / "fixtures"


class Context(engine.EngineContext):
    def assignees_for(self, engine_task, process_id, node_id):
        return [101, 102, 103]

    def run_handler(self, engine_task, handler):
        return {"handled_by": handler}


def compiled(xml, key):
    root, blueprint = bpmn.inspect(xml, key=key, resolve_called=lambda k: False)
    return engine.compile_process(
        [engine.Document(root, blueprint.node_config, blueprint.node_names)],
        main_process_id=blueprint.main_process_id,
    )


def spiff_dump(workflow, monkeypatch) -> str:
    """The state as Spiff's own task converter writes it."""
    with monkeypatch.context() as patch:
        patch.setattr(
            engine._StateConverter,
            "mapping_to_dict",
            BpmnWorkflowConverter.mapping_to_dict,
        )
        return engine.dump(workflow)


def spiff_load(state, process, context, monkeypatch):
    """The state as Spiff's own task converter reads it."""

    def restore_tasks(self, mapping, workflow):
        from uuid import UUID

        return self.mapping_from_dict(mapping, UUID, workflow=workflow)

    with monkeypatch.context() as patch:
        patch.setattr(engine._StateConverter, "_tasks_from_dict", restore_tasks)
        return engine.load(state, process, context)


def tree(workflow):
    return [
        (t.id, t.task_spec.name, t.state, t.data, t.internal_data, t._children)
        for t in workflow.get_tasks()
    ]


TIMED = b.definitions(
    b.process(
        "timed",
        [
            b.start(),
            b.user("review", "审核", assignment={"rule": "initiator"}),
            b.boundary_timer("late", "review", "PT72H"),
            b.user("sign", "会签", multi="parallel", assignment={"rule": "initiator"}),
            b.user("escalate", "督办", assignment={"rule": "initiator"}),
            b.end(),
            b.end("end2"),
            b.flow("start", "review"),
            b.flow("review", "sign"),
            b.flow("sign", "end"),
            b.flow("late", "escalate"),
            b.flow("escalate", "end2"),
        ],
    )
)


def test_the_state_text_is_spiffs_own_at_every_step_of_a_countersign(monkeypatch):
    # Given the stored fixture process with a 票签 countersign
    process = compiled((FIXTURES / "leave_v1.bpmn").read_text(), "leave")
    context = Context()
    workflow = engine.start(process, context, {"days": 5, "reason": "探亲"})

    # When it runs to the end, one task at a time
    states = [engine.dump(workflow)]
    expected = [spiff_dump(workflow, monkeypatch)]
    while not engine.is_completed(workflow):
        task = engine.ready_user_tasks(workflow)[0]
        engine.complete(workflow, task, {"outcome": "approve"})
        states.append(engine.dump(workflow))
        expected.append(spiff_dump(workflow, monkeypatch))

    # Then every state written is the text Spiff's converter writes
    assert len(states) == 5
    assert states == expected


def test_a_stored_state_reads_as_spiffs_converter_reads_it(monkeypatch):
    # Given the stored fixture state (a countersign half done)
    process = compiled((FIXTURES / "leave_v1.bpmn").read_text(), "leave")
    state = (FIXTURES / "leave_v1_state.json").read_text()

    # When it is read by the adapter and by Spiff's converter
    ours = engine.load(state, process, Context())
    theirs = spiff_load(state, process, Context(), monkeypatch)

    # Then both hold the same tasks, states, data and internal data
    assert tree(ours) == tree(theirs)
    assert len(tree(ours)) == 12
    assert ours.last_task.id == theirs.last_task.id
    assert spiff_dump(ours, monkeypatch) == spiff_dump(theirs, monkeypatch)


def test_a_waiting_timer_and_a_countersign_survive_the_fast_round_trip(monkeypatch):
    # Given a task with a boundary timer, completed into a countersign
    process = compiled(TIMED, "timed")
    workflow = engine.start(process, Context(), {"n": 1})
    due = engine.next_timer_at(workflow)
    state = engine.dump(workflow)

    # When it is read back, the timer still waits and the text is unchanged
    again = engine.load(state, process, Context())
    assert engine.next_timer_at(again) == due
    assert tree(again) == tree(spiff_load(state, process, Context(), monkeypatch))
    assert engine.dump(again) == state

    # And after moving on into the countersign, a reload gives the same people
    engine.complete(again, engine.ready_user_tasks(again)[0], {"outcome": "approve"})
    state = engine.dump(again)
    assert state == spiff_dump(again, monkeypatch)
    reloaded = engine.load(state, process, Context())
    assert sorted(
        t.data["egov_assignee"] for t in engine.ready_user_tasks(reloaded)
    ) == [101, 102, 103]
    assert engine.next_timer_at(reloaded) is None


LEAVE = b.chain(
    "leave",
    b.user("a", "科长审核", assignment={"rule": "user", "users": "wangwu"}),
    b.user(
        "sign",
        "会签",
        multi="parallel",
        assignment={"rule": "user", "users": "suner,chensan"},
    ),
)


@pytest.mark.django_db
def test_a_prepared_lookup_returns_the_querysets_rows(county):
    # Given an instance with open tasks
    deploy(county, LEAVE)
    instance = start(county)
    [task] = open_tasks(instance)
    lookup = Prepared(
        lambda pk: Task.objects.filter(instance_id=pk).order_by("id"), Slot()
    )

    # When the same lookup runs prepared, twice, and as a queryset
    first = lookup(instance.pk)
    second = lookup(instance.pk)
    expected = list(Task.objects.filter(instance_id=instance.pk).order_by("id"))

    # Then the rows and every field value are the same
    def values(rows):
        return [
            [getattr(r, f.attname) for f in Task._meta.concrete_fields] for r in rows
        ]

    assert values(first) == values(expected) == values(second)
    assert first[0].engine_task_id == task.engine_task_id
    assert lookup(-1) == []


@pytest.mark.django_db
def test_locking_a_task_gives_it_its_instance_and_the_live_rows(county):
    # Given an instance moved on to a countersign of two
    deploy(county, LEAVE)
    instance = start(county)
    [first] = open_tasks(instance)
    approve(first, county.people.wangwu)
    signers = open_tasks(instance, "sign")

    # When the first countersigner's task is locked
    with transaction.atomic():
        row, locked, live = runtime.lock_task(signers[0].pk)

    # Then it comes with its instance (and definition) and both live rows
    assert row.pk == signers[0].pk
    assert row.instance is locked
    assert locked.pk == instance.pk
    assert locked.definition.key == "leave"
    assert sorted(r.pk for r in live) == [s.pk for s in signers]
    # And a completed task is found, though no longer live
    with transaction.atomic():
        done, _instance, live = runtime.lock_task(first.pk)
    assert done.state == Task.State.COMPLETED
    assert first.pk not in [r.pk for r in live]
    # And an unknown task is nobody's
    with transaction.atomic():
        assert runtime.lock_task(10**9) == (None, None, [])


@pytest.mark.django_db
def test_delegations_looked_up_together_match_one_by_one(county):
    # Given 王五 delegating leave requests to 孙二, 陈三 delegating everything
    # to 孙二 but only from tomorrow, and 孙二 delegating other processes
    people = county.people
    now = timezone.now()
    Delegation.objects.create(
        from_user=people.wangwu,
        to_user=people.suner,
        start_at=now - timedelta(hours=1),
        end_at=now + timedelta(days=3),
        process_keys=["leave"],
    )
    Delegation.objects.create(
        from_user=people.chensan,
        to_user=people.suner,
        start_at=now + timedelta(days=1),
        end_at=now + timedelta(days=3),
        process_keys=[],
    )
    Delegation.objects.create(
        from_user=people.suner,
        to_user=people.wangwu,
        start_at=now - timedelta(hours=1),
        end_at=now + timedelta(days=3),
        process_keys=["purchase"],
    )
    ids = [people.wangwu.pk, people.chensan.pk, people.suner.pk]

    # When they are looked up together and one by one, for leave
    together = assignment.delegates_of(ids, "leave", now)
    one_by_one = {pk: assignment.delegate_of(pk, "leave", now) for pk in ids}
    alone = [assignment.delegates_of([pk], "leave", now) for pk in ids]

    # Then only 王五's delegation applies, whichever way it is asked
    assert together == {people.wangwu.pk: people.suner.pk}
    assert one_by_one == {
        people.wangwu.pk: people.suner.pk,
        people.chensan.pk: None,
        people.suner.pk: None,
    }
    assert alone == [{people.wangwu.pk: people.suner.pk}, {}, {}]
    assert assignment.delegates_of([people.suner.pk], "purchase", now) == {
        people.suner.pk: people.wangwu.pk
    }


@pytest.mark.django_db
def test_a_countersign_created_under_a_delegation_goes_to_the_delegate(county):
    # Given 孙二 has delegated leave requests to 王五 for three days
    people = county.people
    deploy(county, LEAVE)
    Delegation.objects.create(
        from_user=people.suner,
        to_user=people.wangwu,
        start_at=timezone.now() - timedelta(hours=1),
        end_at=timezone.now() + timedelta(days=3),
        process_keys=["leave"],
    )
    instance = start(county)

    # When the first step opens the countersign of 孙二 and 陈三
    approve(open_tasks(instance)[0], people.wangwu)

    # Then 孙二's share goes to 王五 on 孙二's behalf, 陈三's stays
    rows = open_tasks(instance, "sign")
    assert sorted((r.assignee_id, r.delegated_from_id) for r in rows) == sorted(
        [(people.wangwu.pk, people.suner.pk), (people.chensan.pk, None)]
    )
    assert ProcessInstance.objects.get(pk=instance.pk).current_nodes == "会签"


@pytest.mark.django_db
def test_a_task_path_is_the_reversed_url_of_that_task(county):
    # Given two tasks of different numbers
    from django.urls import set_script_prefix

    from egov.core.face_urls import face_reverse
    from egov.workflow.task_notices import task_path

    deploy(county, LEAVE)
    [one] = open_tasks(start(county))
    [two] = open_tasks(start(county))

    # When their paths are built (the second one from the kept template)
    # Then each is what reversing the URL gives, with its own number
    for task in (one, two, one):
        assert task_path(task) == face_reverse(
            "internal", "workflow:task_detail", args=[task.pk]
        )
        assert f"/{task.pk}/" in task_path(task)

    # And under another script prefix the path follows it
    set_script_prefix("/county/")
    try:
        assert task_path(two).startswith("/county/")
        assert task_path(two) == face_reverse(
            "internal", "workflow:task_detail", args=[two.pk]
        )
    finally:
        set_script_prefix("/")
