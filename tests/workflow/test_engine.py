"""The SpiffWorkflow adapter: pinned version, state round trips, stored states.

The fixture tests/workflow/fixtures/leave_v1_state.json was written by
`engine.dump` (format spiff-1.5/egov-1) for tests/workflow/fixtures/leave_v1.bpmn
after 科长审核 was approved and the first of three countersigners (票签, 0.6)
approved. Upgrading the engine must keep loading it.
"""

import json
from pathlib import Path

import pytest

from egov.workflow import bpmn, engine
from tests.workflow import builders as b

FIXTURES = Path(__file__).parent / "fixtures"


class Context(engine.EngineContext):
    """Countersigners 101, 102, 103; service handlers echo their name."""

    def __init__(self, people=(101, 102, 103)):
        self.people = list(people)
        self.asked = []

    def assignees_for(self, engine_task, process_id, node_id):
        self.asked.append((process_id, node_id))
        return self.people

    def run_handler(self, engine_task, handler):
        return {"handled_by": handler}


def compiled(xml=None, key="leave"):
    xml = xml or (FIXTURES / "leave_v1.bpmn").read_text()
    root, blueprint = bpmn.inspect(xml, key=key, resolve_called=lambda k: False)
    return engine.compile_process(
        [engine.Document(root, blueprint.node_config, blueprint.node_names)],
        main_process_id=blueprint.main_process_id,
    )


def waiting(workflow):
    return sorted(
        (t.task_spec.bpmn_id, t.data.get("egov_assignee"))
        for t in engine.ready_user_tasks(workflow)
    )


def test_the_engine_version_and_state_format_are_pinned():
    # The adapter was written against this release; an upgrade must be deliberate
    assert engine.ENGINE_VERSION == "3.2.0"
    assert engine.STATE_FORMAT == "spiff-1.5/egov-1"


def test_a_stored_state_of_the_pinned_format_loads_and_runs_to_the_end():
    # Given the stored fixture state: two countersigners still to act
    process = compiled()
    state = (FIXTURES / "leave_v1_state.json").read_text()
    context = Context()

    # When it is loaded
    workflow = engine.load(state, process, context)

    # Then the same tasks are waiting, with the data as it was
    assert waiting(workflow) == [("sign", 102), ("sign", 103)]
    assert engine.workflow_data(workflow)["reason"] == "探亲"

    # And when both approve, the threshold passes and the gateway sends it on
    for task in engine.ready_user_tasks(workflow):
        engine.complete(workflow, task, {"outcome": "approve"})
    assert waiting(workflow) == [("head", None)]
    [head] = engine.ready_user_tasks(workflow)
    engine.complete(workflow, head, {"outcome": "approve"})
    assert engine.is_completed(workflow)
    assert context.asked == []


def test_dump_and_load_round_trip_to_the_same_state():
    # Given a workflow in the middle of a countersign
    process = compiled()
    context = Context()
    workflow = engine.start(process, context, {"days": 5})
    engine.complete(
        workflow, engine.ready_user_tasks(workflow)[0], {"outcome": "approve"}
    )
    first = engine.dump(workflow)

    # When it is loaded and dumped again
    again = engine.dump(engine.load(first, process, context))

    # Then nothing changed, and the state holds no spec (the definition does)
    assert json.loads(again) == json.loads(first)
    assert "spec" not in json.loads(first)
    assert json.loads(first)["serializer_version"] == "1.5"


def test_a_threshold_countersign_ends_as_soon_as_the_result_is_certain():
    # Given three countersigners and a 0.6 threshold (two approvals needed)
    process = compiled()
    workflow = engine.start(process, Context(), {"days": 1})
    engine.complete(
        workflow, engine.ready_user_tasks(workflow)[0], {"outcome": "approve"}
    )

    # When two of them reject
    for task in engine.ready_user_tasks(workflow)[:2]:
        engine.complete(workflow, task, {"outcome": "reject"})

    # Then the third is cancelled and the node's outcome is reject
    assert engine.is_completed(workflow)
    data = engine.workflow_data(workflow)
    assert data["outcome"] == "reject"
    assert data["votes"] == {"approve": 0, "reject": 2, "total": 3}
    assert "egov_assignee" not in data
    assert "egov_assignees_sign" not in data


def _mi(vote=None, multi="parallel", completion=None):
    return b.chain(
        "leave",
        b.user(
            "sign",
            assignment={"rule": "initiator"},
            multi=multi,
            vote=vote,
            completion=completion,
        ),
    )


@pytest.mark.parametrize(
    ("vote", "multi", "completion", "outcomes", "expected", "left"),
    [
        (None, "parallel", None, ["approve", "approve", "approve"], "approve", 0),
        (None, "parallel", None, ["approve", "reject", "approve"], "reject", 0),
        ({"rule": "any"}, "parallel", None, ["reject"], "reject", 0),
        ({"rule": "any"}, "parallel", None, ["approve"], "approve", 0),
        (
            {"rule": "threshold", "threshold": "0.5"},
            "parallel",
            None,
            ["approve", "approve"],
            "approve",
            0,
        ),
        (None, "sequential", None, ["approve", "reject"], "reject", 0),
        (None, "sequential", None, ["approve", "approve", "approve"], "approve", 0),
        (
            None,
            "parallel",
            "nrOfApproved >= 2",
            ["approve", "approve"],
            "approve",
            0,
        ),
    ],
)
def test_vote_rules_decide_the_node_outcome(
    vote, multi, completion, outcomes, expected, left
):
    # Given a multi-instance node with three people and a vote rule
    process = compiled(_mi(vote=vote, multi=multi, completion=completion))
    workflow = engine.start(process, Context(), {})

    # When they act in turn
    for outcome in outcomes:
        task = engine.ready_user_tasks(workflow)[0]
        engine.complete(workflow, task, {"outcome": outcome})

    # Then the node ends with the rule's outcome and nobody is left waiting
    assert len(engine.ready_user_tasks(workflow)) == left
    assert engine.is_completed(workflow)
    assert engine.workflow_data(workflow)["outcome"] == expected


def test_sequential_instances_come_one_at_a_time_in_order():
    # Given a sequential node over 101, 102, 103
    workflow = engine.start(compiled(_mi(multi="sequential")), Context(), {})

    # Then only the first waits, then the second
    assert waiting(workflow) == [("sign", 101)]
    engine.complete(
        workflow, engine.ready_user_tasks(workflow)[0], {"outcome": "approve"}
    )
    assert waiting(workflow) == [("sign", 102)]


def test_scripts_and_python_never_run_through_the_script_engine():
    # Given the engine's script engine
    script_engine = engine.SafeScriptEngine()

    # When asked to execute a script / Then it refuses
    with pytest.raises(engine.EngineError) as caught:
        script_engine.environment.execute("import os", {})
    assert caught.value.message == "流程中的脚本不会被执行"


def test_node_states_name_current_and_completed_nodes():
    # Given a workflow in its countersign
    process = compiled()
    workflow = engine.start(process, Context(), {"days": 5})
    engine.complete(
        workflow, engine.ready_user_tasks(workflow)[0], {"outcome": "approve"}
    )

    # When the diagram asks where it is
    current, completed = engine.node_states(workflow, "leave")

    # Then the countersign is current and the earlier nodes completed
    assert current == ["sign"]
    assert completed == ["review", "start"]


def test_a_reading_context_refuses_to_assign_or_run_anything():
    context = engine.ReadingContext()

    with pytest.raises(engine.EngineError) as assigning:
        context.assignees_for(None, "leave", "review")
    with pytest.raises(engine.EngineError) as running:
        context.run_handler(None, "notify")

    assert assigning.value.message == "只读加载的流程实例不能分派任务"
    assert assigning.value.node_id == "review"
    assert running.value.message == "只读加载的流程实例不能执行服务任务"
