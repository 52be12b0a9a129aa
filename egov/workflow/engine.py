"""The adapter around SpiffWorkflow 3: the only module that imports it.

Everything else in the platform talks to the engine through these functions:
`compile_process` turns checked diagrams into specs, `start`, `complete`,
`deliver_message`, `refresh_timers` and `cancel` move a workflow, `dump` and
`load` persist it, and `ready_user_tasks` / `node_states` read it.

Design points (docs/adr/0004-workflow-engine.md):

- Expressions run through SafeScriptEngine, which evaluates the small language
  of egov.workflow.expressions and refuses every script; nothing reaches
  Python's eval.
- Specs are built once per deployed definition and shared; the serialized
  state of an instance holds only its tasks and data (the spec is rebuilt from
  the stored diagram), which keeps each save small and fast.
- Multi-instance user tasks (会签/或签/票签/依次审批) take their assignees from
  the platform's assignment rules through the `EngineContext`, count the votes
  of their instances, and set the node's `outcome` by the node's vote rule.
"""

import copy
import json
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.defaults import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
    ServiceTask,
    UserTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.version import __version__ as SPIFF_VERSION

from egov.workflow.bpmn import ASSIGNEE_ITEM, BPMN_NS, timer_literal
from egov.workflow.expressions import ExpressionError, check_expression, evaluate

# The engine release this adapter was written and tested against; the
# serialization round-trip tests pin it (tests/workflow/test_engine.py).
ENGINE_VERSION = SPIFF_VERSION
# Our own envelope around Spiff's serialization; bump when it changes.
EGOV_FORMAT = 1
STATE_FORMAT = f"spiff-{SPIFF_FORMAT}/egov-{EGOV_FORMAT}"

APPROVE = "approve"
REJECT = "reject"
OUTCOMES = (APPROVE, REJECT)


class EngineError(Exception):
    """The engine could not move on (a condition failed, a handler refused…).

    `message` is Chinese and names the element; `node_id` is set when known.
    """

    def __init__(self, message: str, *, node_id: str = ""):
        super().__init__(message)
        self.message = message
        self.node_id = node_id


class EngineContext(ABC):
    """What the engine asks of the platform while it runs (see runtime.py)."""

    @abstractmethod
    def assignees_for(self, engine_task, process_id: str, node_id: str) -> list:
        """Who handles a user task the engine has just made ready."""

    @abstractmethod
    def run_handler(self, engine_task, handler: str) -> dict | None:
        """Run a service task's registered handler; its result joins the data."""


class ReadingContext(EngineContext):
    """For loading an instance only to read it: nothing may run or be assigned."""

    def assignees_for(self, engine_task, process_id: str, node_id: str) -> list:
        raise EngineError(_("只读加载的流程实例不能分派任务"), node_id=node_id)

    def run_handler(self, engine_task, handler: str) -> dict | None:
        raise EngineError(_("只读加载的流程实例不能执行服务任务"))


# --- expressions ----------------------------------------------------------------


class _SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff calls its environment directly in a few places (correlations)."""

    def evaluate(self, expression, context, external_context=None):
        variables = dict(context)
        variables.update(external_context or {})
        return evaluate(expression, variables)

    def execute(self, script, context, external_context=None):
        raise EngineError(_("流程中的脚本不会被执行"))

    def call_service(self, context, **kwargs):
        raise EngineError(_("服务任务必须绑定已登记的处理程序"))


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates the safe expression language; never executes scripts."""

    def __init__(self, context: EngineContext | None = None):
        super().__init__(environment=_SafeEnvironment())
        self.context = context

    def validate(self, expression):
        check_expression(expression)

    def evaluate(self, task, expression, external_context=None):
        variables = task.data
        if external_context:
            variables = {**task.data, **external_context}
        try:
            return evaluate(expression, variables)
        except ExpressionError as exc:
            node = task.task_spec.bpmn_id or task.task_spec.name
            raise EngineError(
                _("环节 %(node)s 的表达式 %(expr)s 计算失败：%(why)s")
                % {"node": node, "expr": expression.strip()[:80], "why": exc.message},
                node_id=node or "",
            ) from None

    def execute(self, task, script, external_context=None):
        node = task.task_spec.bpmn_id or ""
        raise EngineError(
            _("环节 %(node)s：流程中的脚本不会被执行") % {"node": node}, node_id=node
        )

    def call_service(self, task, handler=None, **kwargs):
        if self.context is None:
            raise EngineError(_("服务任务没有运行环境"))
        return self.context.run_handler(task, handler)


# --- task specs -------------------------------------------------------------------


class EgovServiceTask(ServiceTask):
    """A service task bound to a handler registered in egov.workflow.handlers."""

    def __init__(self, wf_spec, bpmn_id, handler="", **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler

    def _execute(self, task):
        result = task.workflow.script_engine.call_service(task, handler=self.handler)
        if result:
            task.data.update(result)
        return True


class AssigneeCollection(TaskDataReference):
    """The multi-instance collection, filled from the node's assignment rule.

    The list of user ids is computed the first time the engine reads it and
    kept in the multi-instance task's data, so sequential instances created
    later (and after a reload) see the same people in the same order.
    """

    def exists(self, my_task):
        return True

    def get(self, my_task):
        if self.bpmn_id not in my_task.data:
            context = my_task.workflow.script_engine.context
            people = context.assignees_for(
                my_task, my_task.workflow.spec.name, my_task.task_spec.bpmn_id
            )
            my_task.data[self.bpmn_id] = list(people)
        return my_task.data[self.bpmn_id]


class _Voting:
    """Counting 会签/或签/票签/依次审批 votes on a multi-instance user task.

    Each instance's `outcome` (approve/reject) is counted when it completes.
    The completion condition, if the diagram has one, is evaluated with
    nrOfInstances, nrOfCompletedInstances, nrOfActiveInstances, nrOfApproved
    and nrOfRejected; the vote rule decides the node's outcome:

    - all: approve when nobody rejected (sequential: the first reject ends it);
    - any (或签): the first to act decides, the other instances are cancelled;
    - threshold (票签): approve when approvals / instances >= threshold; the
      node ends as soon as the result can no longer change.
    """

    vote_rule = "all"
    vote_threshold = None
    sequential = False

    def _votes(self, my_task) -> dict:
        return my_task.internal_data.setdefault(
            "egov_votes", {APPROVE: 0, REJECT: 0, "first": None}
        )

    def _total(self, my_task) -> int:
        return len(my_task.data.get(self.data_input.bpmn_id) or [])

    def vote_variables(self, my_task) -> dict:
        votes = self._votes(my_task)
        total = self._total(my_task)
        done = votes[APPROVE] + votes[REJECT]
        return {
            "nrOfInstances": total,
            "nrOfCompletedInstances": done,
            "nrOfActiveInstances": max(total - done, 0),
            "nrOfApproved": votes[APPROVE],
            "nrOfRejected": votes[REJECT],
        }

    def merge_child(self, workflow, child):
        votes = self._votes(child.parent)
        outcome = child.data.get("outcome")
        if outcome in OUTCOMES:
            votes[outcome] += 1
            if votes["first"] is None:
                votes["first"] = outcome
        child.data.pop(ASSIGNEE_ITEM, None)
        super().merge_child(workflow, child)

    def _needed(self, total: int) -> int:
        needed = int(self.vote_threshold * total)
        return needed if needed >= self.vote_threshold * total else needed + 1

    def check_completion_condition(self, my_task):
        votes = self._votes(my_task)
        if votes[APPROVE] + votes[REJECT] == 0:
            return False
        if self.vote_rule == "any":
            return True
        if self.vote_rule == "all" and self.sequential and votes[REJECT]:
            return True
        if self.condition is not None:
            merged = my_task.internal_data.get("merged", [])
            last = [c for c in my_task.children if str(c.id) == merged[-1]][0]
            return bool(
                my_task.workflow.script_engine.evaluate(
                    last, self.condition, self.vote_variables(my_task)
                )
            )
        if self.vote_rule == "threshold":
            total = self._total(my_task)
            needed = self._needed(total)
            return votes[APPROVE] >= needed or votes[REJECT] > total - needed
        return False

    def node_outcome(self, my_task) -> str:
        votes = self._votes(my_task)
        if self.vote_rule == "any":
            return votes["first"] or REJECT
        if self.vote_rule == "threshold":
            total = self._total(my_task)
            return (
                APPROVE if total and votes[APPROVE] >= self._needed(total) else REJECT
            )
        return APPROVE if votes[REJECT] == 0 and votes[APPROVE] > 0 else REJECT

    def _run_hook(self, my_task):
        votes = self._votes(my_task)
        my_task.data["outcome"] = self.node_outcome(my_task)
        my_task.data["votes"] = {
            APPROVE: votes[APPROVE],
            REJECT: votes[REJECT],
            "total": self._total(my_task),
        }
        my_task.data.pop(self.data_input.bpmn_id, None)
        my_task.data.pop(ASSIGNEE_ITEM, None)
        return super()._run_hook(my_task)


class EgovParallelMultiInstance(_Voting, ParallelMultiInstanceTask):
    sequential = False


class EgovSequentialMultiInstance(_Voting, SequentialMultiInstanceTask):
    sequential = True


# --- parsing ------------------------------------------------------------------------


class _UserTaskParser(TaskParser):
    def _config(self) -> dict:
        parser = self.process_parser.parser
        return parser.egov_config.get(self.process_parser.bpmn_id, {}).get(
            self.bpmn_id, {}
        )

    def _add_multiinstance_task(self, loop_characteristics):
        sequential = loop_characteristics.get("isSequential") == "true"
        condition = self.xpath(
            "./bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition"
        )
        condition = condition[0].text if condition else None
        original = self.spec.task_specs.pop(self.task.name)
        cls = EgovSequentialMultiInstance if sequential else EgovParallelMultiInstance
        self.task = cls(
            self.spec,
            original.name,
            task_spec="",
            data_input=AssigneeCollection(f"egov_assignees_{self.bpmn_id}"),
            input_item=TaskDataReference(ASSIGNEE_ITEM),
            condition=condition,
            description="Sequential MultiInstance" if sequential else "MultiInstance",
            bpmn_name=original.bpmn_name,
            lane=original.lane,
        )
        vote = self._config().get("vote") or {}
        self.task.vote_rule = vote.get("rule") or "all"
        self.task.vote_threshold = vote.get("threshold")
        self._copy_task_attrs(original, loop_characteristics)


class _ServiceTaskParser(TaskParser):
    def create_task(self):
        parser = self.process_parser.parser
        config = parser.egov_config.get(self.process_parser.bpmn_id, {}).get(
            self.bpmn_id, {}
        )
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            handler=config.get("handler", ""),
            **self.bpmn_attributes,
        )


class EgovParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        full_tag("userTask"): (_UserTaskParser, UserTask),
        full_tag("serviceTask"): (_ServiceTaskParser, EgovServiceTask),
    }

    def __init__(self, egov_config):
        super().__init__()
        self.egov_config = egov_config


def _prepared(root):
    """A copy of the diagram as the engine reads it: timer texts as literals.

    Designers type ``PT72H``; Spiff evaluates the text as an expression, so
    it is handed over quoted.
    """
    tree = copy.deepcopy(root)
    for tag in ("timeDuration", "timeDate"):
        for element in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            element.text = json.dumps(timer_literal(element.text))
    return tree


@dataclass
class Document:
    """One deployed diagram: its parsed root and its per-node configuration."""

    root: object
    node_config: dict
    node_names: dict = field(default_factory=dict)


@dataclass
class CompiledProcess:
    spec: object
    subprocess_specs: dict
    main_process_id: str
    node_config: dict = field(default_factory=dict)
    node_names: dict = field(default_factory=dict)

    def config_for(self, process_id: str, node_id: str) -> dict:
        return self.node_config.get(process_id, {}).get(node_id, {})

    def name_for(self, process_id: str, node_id: str) -> str:
        return self.node_names.get(process_id, {}).get(node_id) or node_id


def compile_process(documents, *, main_process_id: str, aliases=None):
    """Build the engine's specs from checked diagrams.

    `documents` is a list of Document, the first being the deployed one and
    the others the processes its call activities call; `aliases` maps a
    callActivity's calledElement to the process id it names. Raises
    EngineError when the engine itself cannot read the diagrams.
    """
    aliases = aliases or {}
    node_config, node_names = {}, {}
    for document in documents:
        node_config.update(document.node_config)
        node_names.update(document.node_names)
    parser = EgovParser(node_config)
    try:
        for document in documents:
            parser.add_bpmn_xml(_prepared(document.root))
        spec = parser.get_spec(main_process_id)
        subprocess_specs = {}
        pending = [spec]
        while pending:
            current = pending.pop()
            for task_spec in current.task_specs.values():
                if not isinstance(task_spec, SubWorkflowTask):
                    continue
                called = task_spec.spec
                if called in subprocess_specs:
                    continue
                sub = parser.get_spec(aliases.get(called, called))
                subprocess_specs[called] = sub
                pending.append(sub)
    except ValidationException as exc:
        node = getattr(exc, "id", "") or ""
        raise EngineError(
            _("元素 %(node)s：流程引擎无法解析：%(why)s")
            % {"node": node or _("（未知）"), "why": exc},
            node_id=node,
        ) from None
    for current in [spec, *subprocess_specs.values()]:
        _connect_merges(current)
    return CompiledProcess(
        spec=spec,
        subprocess_specs=subprocess_specs,
        main_process_id=main_process_id,
        node_config=node_config,
        node_names=node_names,
    )


def _connect_merges(spec) -> None:
    # Spiff connects a multi-instance task's merge handler lazily, the first
    # time an instance is created. Specs are shared between threads here, so
    # connect them once, up front, before anyone can race to do it twice.
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, _Voting):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


# --- serialization ---------------------------------------------------------------


class _StateConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its specs (they come from the definition).

    The top-level task tree, which is most of the state, is written and read
    by `_tasks_to_dict` / `_tasks_from_dict`: the same dictionaries Spiff's
    TaskConverter makes (so the stored format is Spiff's, byte for byte),
    without its per-value registry dispatch and with each task id parsed and
    printed once. Anything that is not a plain task goes through Spiff's
    registry as before.
    """

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def mapping_to_dict(self, mapping, **kwargs):
        if mapping and all(type(task) is SpiffTask for task in mapping.values()):
            return self._tasks_to_dict(mapping)
        return super().mapping_to_dict(mapping, **kwargs)

    def _tasks_to_dict(self, tasks) -> dict:
        convert = self.registry.convert
        texts = {}

        def text(uuid) -> str:
            found = texts.get(uuid)
            if found is None:
                found = texts[uuid] = str(uuid)
            return found

        result = {}
        for key, task in tasks.items():
            parent = tasks.get(task._parent) if task._parent is not None else None
            if parent is None and task._parent is not None:
                parent = task.parent
            if parent is None:
                data, delta = task.data, {}
            else:
                before, after = parent.data, task.data
                data = {}
                delta = {
                    "updates": {
                        k: v
                        for k, v in after.items()
                        if k not in before or v != before[k]
                    },
                    "deletions": [k for k in before if k not in after],
                }
            result[text(key)] = {
                "id": text(task.id),
                "parent": text(task._parent) if parent is not None else None,
                "children": [text(child) for child in task._children],
                "last_state_change": task.last_state_change,
                "state": task._state,
                "task_spec": task.task_spec.name,
                "triggered": task.triggered,
                "internal_data": convert(task.internal_data),
                "data": data,
                "delta": delta,
                "typename": "Task",
            }
        return result

    def _tasks_from_dict(self, mapping, workflow) -> dict:
        restore = self.registry.restore
        task_specs = workflow.spec.task_specs
        event_manager = workflow.top_workflow.event_manager
        uuids = {}

        def uuid_of(text: str) -> UUID:
            found = uuids.get(text)
            if found is None:
                found = uuids[text] = UUID(text)
            return found

        tasks = {}
        for key, dct in mapping.items():
            if dct.get("typename") != "Task":
                tasks[uuid_of(key)] = restore(dct, workflow=workflow)
                continue
            task_spec = task_specs.get(dct["task_spec"])
            task = SpiffTask(
                workflow, task_spec, state=dct["state"], id=uuid_of(dct["id"])
            )
            parent_id = dct["parent"]
            task._parent = uuid_of(parent_id) if parent_id is not None else None
            task._children = [uuid_of(child) for child in dct["children"]]
            task.last_state_change = dct["last_state_change"]
            task.triggered = dct["triggered"]
            internal = dct["internal_data"]
            task.internal_data = restore(internal) if internal else {}
            if isinstance(task_spec, CatchingEvent) and task.has_state(
                TaskState.WAITING
            ):
                event_manager.add_task(task)
            delta = dct.get("delta")
            parent = task.parent
            if delta and parent is not None:
                # As DeepMerge.merge({}, parent.data): a copy one level deep.
                data = {
                    k: copy.copy(v) if isinstance(v, (dict, list, set)) else v
                    for k, v in parent.data.items()
                }
                updates = delta.get("updates", {})
                if updates:
                    data.update(restore(updates))
                for name in delta.get("deletions", {}):
                    data.pop(name, None)
            else:
                data = restore(dct["data"])
            task.data = data
            tasks[uuid_of(key)] = task
        return tasks

    def restore_workflow(self, dct, compiled: CompiledProcess, script_engine):
        workflow = BpmnWorkflow(
            compiled.spec,
            compiled.subprocess_specs,
            script_engine=script_engine,
            deserializing=True,
        )
        workflow.tasks = self._tasks_from_dict(dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_local = threading.local()


def _serializer():
    # Spiff's registry flips an "encoder mode" flag while it serializes, so
    # each thread gets its own serializer.
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        registry = BpmnWorkflowSerializer.configure(DEFAULT_CONFIG)
        # Registered last, so it replaces the default workflow converter.
        _local.converter = _StateConverter(BpmnWorkflow, registry)
        serializer = BpmnWorkflowSerializer(registry)
        _local.serializer = serializer
    return serializer


def dump(workflow) -> str:
    """The workflow's state as JSON text (without specs), in STATE_FORMAT."""
    return _serializer().serialize_json(workflow)


def load(state: str, compiled: CompiledProcess, context: EngineContext):
    """Rebuild a workflow from `dump` output (older Spiff formats are migrated)."""
    serializer = _serializer()
    dct = json.loads(state)
    serializer.migrate(dct)
    dct.pop("typename", None)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    return _local.converter.restore_workflow(dct, compiled, SafeScriptEngine(context))


# --- moving a workflow ---------------------------------------------------------------


def _engine_error(exc) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    task = getattr(exc, "task", None)
    node = ""
    if task is not None:
        node = task.task_spec.bpmn_id or ""
    cause = getattr(exc, "exception", None)
    if isinstance(cause, EngineError):
        return cause
    return EngineError(
        _("环节 %(node)s 执行失败：%(why)s")
        % {"node": node or _("（未知）"), "why": exc},
        node_id=node,
    )


def _steps(workflow) -> None:
    try:
        workflow.do_engine_steps()
    except EngineError:
        raise
    except (SpiffWorkflowException, WorkflowTaskException) as exc:
        raise _engine_error(exc) from None


def start(compiled: CompiledProcess, context: EngineContext, data: dict):
    """A new workflow with `data` as its start data, run to its first waits."""
    workflow = BpmnWorkflow(
        compiled.spec,
        compiled.subprocess_specs,
        script_engine=SafeScriptEngine(context),
    )
    start_task = workflow.get_next_task(state=TaskState.READY)
    start_task.data = dict(data)
    _steps(workflow)
    return workflow


def ready_user_tasks(workflow) -> list:
    """The user tasks waiting for a person, in every (sub)process."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def find_task(workflow, engine_task_id):
    try:
        return workflow.get_task_from_id(UUID(str(engine_task_id)))
    except (TaskNotFoundException, ValueError):
        return None


def is_waiting_user_task(task) -> bool:
    return task is not None and task.state == TaskState.READY and task.task_spec.manual


def complete(workflow, task, data: dict) -> None:
    """Complete a READY user task with `data` merged into its data, then run on."""
    task.data.update(data)
    try:
        task.run()
    except EngineError:
        raise
    except (SpiffWorkflowException, WorkflowTaskException) as exc:
        raise _engine_error(exc) from None
    _steps(workflow)


def deliver_message(workflow, name: str, payload: dict) -> bool:
    """Hand a message to the events waiting for it; False when none waits."""
    event = BpmnEvent(MessageEventDefinition(name), payload=dict(payload))
    waiting = [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(
            getattr(t.task_spec, "event_definition", None), MessageEventDefinition
        )
        and t.task_spec.event_definition.name == name
    ]
    if not waiting:
        return False
    workflow.catch(event)
    _steps(workflow)
    return True


def refresh_timers(workflow) -> None:
    """Fire the timers whose time has come, and run on."""
    workflow.refresh_timers()
    _steps(workflow)


def next_timer_at(workflow) -> datetime | None:
    """When the earliest waiting timer of the workflow falls due."""
    due = []
    for pending in workflow.waiting_events():
        if pending.event_type not in (
            "DurationTimerEventDefinition",
            "TimeDateEventDefinition",
        ):
            continue
        if not pending.value:
            continue
        try:
            due.append(TimerEventDefinition.get_datetime(pending.value))
        except (TypeError, ValueError):
            continue
    return min(due).astimezone(UTC) if due else None


def waiting_messages(workflow) -> list[str]:
    return sorted(
        {
            p.name
            for p in workflow.waiting_events()
            if p.event_type == "MessageEventDefinition"
        }
    )


def cancel(workflow) -> None:
    workflow.cancel()


def is_completed(workflow) -> bool:
    return workflow.is_completed()


def node_states(workflow, process_id: str) -> tuple[list[str], list[str]]:
    """(current, completed) node ids of `process_id` for the diagram highlight."""
    current, completed = set(), set()
    waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED
    for task in workflow.get_tasks(state=TaskState.ANY_MASK):
        spec = task.task_spec
        if task.workflow.spec.name != process_id or not spec.bpmn_id:
            continue
        if task.state & waiting:
            current.add(spec.bpmn_id)
        elif task.state == TaskState.COMPLETED:
            completed.add(spec.bpmn_id)
    return sorted(current), sorted(completed - current)


def next_user_tasks(spec, node_id: str) -> list[str]:
    """Ids of the user tasks reachable from `node_id` without passing another.

    Gateways, events and service tasks are passed through; call activities
    and user tasks stop the walk. Used to ask a handler, before completing,
    for choices the next nodes need.
    """
    start_spec = spec.task_specs.get(node_id)
    if start_spec is None:
        return []
    found, seen = [], set()
    pending = list(start_spec.outputs)
    while pending:
        current = pending.pop(0)
        if current.name in seen:
            continue
        seen.add(current.name)
        if current.manual or isinstance(current, _Voting):
            if current.bpmn_id and current.bpmn_id not in found:
                found.append(current.bpmn_id)
            continue
        if isinstance(current, SubWorkflowTask):
            continue
        pending.extend(current.outputs)
    return found


def task_node(task) -> tuple[str, str]:
    """(process id, node id) of an engine task."""
    return task.workflow.spec.name, task.task_spec.bpmn_id


def task_data(task) -> dict:
    return task.data


def workflow_data(workflow) -> dict:
    """The data of the most recently completed task: the process's current data."""
    last = workflow.last_task
    return dict(last.data) if last is not None else {}
