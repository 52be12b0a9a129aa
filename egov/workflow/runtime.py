"""One operation on one instance: lock, load, act, sync the worklist, save.

Every action that moves an instance goes through a `Session`:

    instance = lock_instance(pk)               # SELECT ... FOR UPDATE
    session = Session(instance, actor)
    workflow = session.load()                  # engine state -> workflow
    engine.complete(workflow, task, data)      # act
    session.sync(workflow)                     # Task rows follow the engine
    session.save(workflow)                     # state, revision + 1

all inside the action's transaction, so a failure anywhere leaves the
instance, its tasks and its history as they were. The session is also the
engine's `EngineContext`: it resolves multi-instance assignees and runs
service-task handlers.
"""

import threading
from collections import OrderedDict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import ActionError
from egov.core.prepared import Prepared, Slot
from egov.workflow import assignment, bpmn, deadlines, engine, forms, handlers
from egov.workflow.models import (
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
)

_CACHE_SIZE = 256
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def _documents(definition, documents, aliases, seen) -> None:
    if definition.pk in seen:
        return
    seen.add(definition.pk)
    root = bpmn.load_xml(definition.bpmn_xml)
    documents.append(
        engine.Document(
            root=root,
            node_config=definition.node_config,
            node_names=definition.node_names,
        )
    )
    if not definition.called_definitions:
        return
    called = ProcessDefinition.objects.in_bulk(
        list(definition.called_definitions.values())
    )
    for key, pk in definition.called_definitions.items():
        target = called.get(pk)
        if target is None:
            continue
        aliases.setdefault(key, target.main_process_id)
        _documents(target, documents, aliases, seen)


def build_compiled(definition) -> engine.CompiledProcess:
    """Specs for `definition` and the pinned versions its call activities call."""
    documents, aliases = [], {}
    _documents(definition, documents, aliases, set())
    return engine.compile_process(
        documents, main_process_id=definition.main_process_id, aliases=aliases
    )


def compiled_for(definition) -> engine.CompiledProcess:
    """The (cached) engine specs of a deployed definition.

    A definition never changes once deployed, so its specs are built once per
    process and shared by every instance and thread. The key holds the
    definition's checksum as well as its id: an id freed by a rolled-back
    deployment may be handed to a different diagram (SQLite reuses row ids).
    """
    key = (definition.pk, definition.checksum)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    compiled = build_compiled(definition)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def forget_compiled() -> None:
    with _cache_lock:
        _cache.clear()


# The definition's diagram and settings are only read when its specs are not
# cached yet; leaving them out keeps each step from fetching them again.
_DEFERRED = (
    "definition__bpmn_xml",
    "definition__node_config",
    "definition__node_names",
    "definition__called_definitions",
)


def _locking():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locking an instance needs a transaction")
    return (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition")
        .defer(*_DEFERRED)
    )


def lock_instance(pk) -> ProcessInstance:
    """The instance, locked for this transaction (one operation at a time)."""
    return _locking().get(pk=pk)


def lock_instance_of_task(task_pk) -> ProcessInstance | None:
    """The instance of a task, locked; None when there is no such task."""
    return _locking().filter(tasks__pk=task_pk).first()


_TASK = Slot()
_INSTANCE = Slot()
_lock_of_task = Prepared(lambda task: _locking().filter(tasks__pk=task), _TASK)
_task_and_live = Prepared(
    lambda task, instance: Task.objects.filter(
        Q(pk=task) | Q(instance_id=instance, state__in=Task.LIVE_STATES)
    ),
    _TASK,
    _INSTANCE,
)


def lock_task(task_pk) -> tuple[Task | None, ProcessInstance | None, list[Task]]:
    """A task with its instance locked, and the instance's live task rows.

    (task, instance, live): the task row (read after the lock, so it is
    current), its instance, and every row of the instance in a live state
    (the task itself among them when it is live); (None, None, []) when there
    is no such task. Two lookups, where locking, reading the task and reading
    the worklist for `Session.sync` one by one take three or four.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locking an instance needs a transaction")
    found = _lock_of_task(int(task_pk))
    if not found:
        return None, None, []
    instance = found[0]
    rows = _task_and_live(int(task_pk), instance.pk)
    task = next((r for r in rows if r.pk == int(task_pk)), None)
    live = [r for r in rows if r.state in Task.LIVE_STATES]
    for row in rows:
        row.instance = instance
    return task, instance, live


class Session(engine.EngineContext):
    def __init__(self, instance, actor, *, next_assignees=None, now=None):
        self.instance = instance
        self.actor = actor
        self.next_assignees = next_assignees
        self.now = now or timezone.now()
        self.definition = instance.definition
        self.compiled = compiled_for(self.definition)
        self.created: list[Task] = []
        self.cancelled: list[Task] = []

    # --- the engine's context ---------------------------------------------------

    def _node_name(self, process_id, node_id) -> str:
        return self.compiled.name_for(process_id, node_id)

    def _assignment_context(self, data) -> assignment.AssignmentContext:
        return assignment.AssignmentContext(
            instance=self.instance,
            process_key=self.definition.key,
            data=data,
            next_assignees=self.next_assignees,
        )

    def assignees_for(self, engine_task, process_id, node_id) -> list:
        config = self.compiled.config_for(process_id, node_id)
        return assignment.resolve_people(
            config.get("assignment", {}),
            self._assignment_context(engine.task_data(engine_task)),
            node_name=self._node_name(process_id, node_id),
        )

    def run_handler(self, engine_task, handler) -> dict | None:
        found = handlers.get_handler(handler or "")
        process_id, node_id = engine.task_node(engine_task)
        if found is None:
            raise ActionError(
                _("环节「%(node)s」的处理程序 %(name)s 未登记")
                % {"node": self._node_name(process_id, node_id), "name": handler},
                code="handler_missing",
            )
        result = found.fn(
            handlers.HandlerContext(
                instance=self.instance,
                node_id=node_id,
                data=dict(engine.task_data(engine_task)),
                actor=self.actor,
            )
        )
        if result is not None and not isinstance(result, dict):
            raise ActionError(
                _("处理程序 %(name)s 返回的结果无效") % {"name": handler},
                code="handler_bad_result",
            )
        return result

    # --- moving the workflow ------------------------------------------------------

    def start(self, data: dict):
        return self._engine(engine.start, self.compiled, self, data)

    def load(self):
        return engine.load(self.instance.engine_state, self.compiled, self)

    def _engine(self, fn, *args):
        try:
            return fn(*args)
        except engine.EngineError as exc:
            raise ActionError(exc.message, code="engine_error") from None

    def complete(self, workflow, engine_task, data: dict) -> None:
        self._engine(engine.complete, workflow, engine_task, data)

    def refresh_timers(self, workflow) -> None:
        self._engine(engine.refresh_timers, workflow)

    def deliver_message(self, workflow, name, payload) -> bool:
        return self._engine(engine.deliver_message, workflow, name, payload)

    # --- the worklist projection ---------------------------------------------------

    def sync(self, workflow, live=None) -> list[Task]:
        """Make the open Task rows match the engine's waiting user tasks.

        `live` may give the instance's rows in a live state when the caller
        has just read them (under the instance lock, with nothing changed
        since); otherwise they are read here. Returns the live rows after the
        sync (for `save`'s `live` argument).
        """
        ready = {t.id: t for t in engine.ready_user_tasks(workflow)}
        # Several rows may stand for one engine task (加签, 委派: see
        # egov.workflow.operations); all of them end when it goes.
        if live is None:
            live = list(
                Task.objects.filter(instance=self.instance, state__in=Task.LIVE_STATES)
            )
        gone = [row for row in live if row.engine_task_id not in ready]
        if gone:
            self.close_tasks(gone, Task.State.CANCELLED)
        present = {row.engine_task_id for row in live}
        for eid, engine_task in ready.items():
            if eid not in present:
                self._create_task(engine_task)
        if self.created:
            self._insert_created()
        gone_ids = {row.pk for row in gone}
        return [row for row in live if row.pk not in gone_ids] + list(self.created)

    def close_tasks(self, rows, state) -> None:
        ids = [row.pk for row in rows]
        Task.objects.filter(pk__in=ids).update(state=state, completed_at=self.now)
        # Only pooled rows have candidates (see _insert_created).
        pooled = [row.pk for row in rows if row.is_pooled]
        if pooled:
            TaskCandidate.objects.filter(task_id__in=pooled).delete()
        for row in rows:
            row.state = state
            row.completed_at = self.now
        self.cancelled.extend(rows)

    def _create_task(self, engine_task) -> None:
        process_id, node_id = engine.task_node(engine_task)
        config = self.compiled.config_for(process_id, node_id)
        node_name = self._node_name(process_id, node_id)
        data = engine.task_data(engine_task)
        multi_index = None
        if bpmn.ASSIGNEE_ITEM in data:
            user_ids, pools = [data[bpmn.ASSIGNEE_ITEM]], []
            multi_index = engine_task.internal_data.get("key_or_index")
        else:
            resolved = assignment.resolve(
                config.get("assignment", {}),
                self._assignment_context(data),
                node_name=node_name,
            )
            user_ids, pools = resolved.user_ids, resolved.pools
        candidates = [assignment.Candidate(user_id=pk) for pk in user_ids]
        assignee = delegated_from = None
        pooled = bool(pools) or len(user_ids) > 1
        if not pooled:
            # Standing delegations are applied in _insert_created, for all
            # the new rows in one lookup.
            assignee = user_ids[0]
            candidates = []
        else:
            candidates += pools
        limit = config.get("time_limit") or {}
        form = config.get("form") or {}
        task = Task(
            instance=self.instance,
            process_id=process_id,
            node_id=node_id,
            node_name=node_name[:255],
            engine_task_id=engine_task.id,
            assignee_id=assignee,
            delegated_from_id=delegated_from,
            is_pooled=pooled,
            multi_index=multi_index if isinstance(multi_index, int) else None,
            form_key=form.get("key", "")[:100],
            form_version=forms.version_for(form),
            limit_amount=limit.get("amount"),
            limit_unit=limit.get("unit", ""),
            due_at=deadlines.due_at(self.now, limit, self.instance),
        )
        task._pending_candidates = candidates
        self.created.append(task)

    def _apply_delegations(self) -> None:
        held = [t for t in self.created if t.assignee_id is not None]
        if not held:
            return
        delegates = assignment.delegates_of(
            {t.assignee_id for t in held}, self.definition.key, self.now
        )
        for task in held:
            delegate = delegates.get(task.assignee_id)
            if delegate is not None:
                task.assignee_id, task.delegated_from_id = delegate, task.assignee_id

    def _insert_created(self) -> None:
        self._apply_delegations()
        created = Task.objects.bulk_create(self.created)
        rows = []
        for task in created:
            for c in task._pending_candidates:
                rows.append(
                    TaskCandidate(
                        task=task,
                        user_id=c.user_id,
                        post_id=c.post_id,
                        role_id=c.role_id,
                        organization_id=c.organization_id,
                    )
                )
        if rows:
            TaskCandidate.objects.bulk_create(rows)
        self.created = created
        from egov.workflow.task_notices import notify_new_tasks

        notify_new_tasks(created, instance=self.instance, actor=self.actor)

    # --- saving ----------------------------------------------------------------------

    def save(self, workflow, *, state=None, data=None, live=None) -> None:
        """Store the engine state; guard against a concurrent save (revision).

        `live` may give the instance's live task rows as `sync` returned them,
        when no row has changed since; otherwise the open rows are read.
        """
        instance = self.instance
        completed = engine.is_completed(workflow)
        if live is None:
            live = Task.objects.filter(
                instance=instance, state__in=Task.OPEN_STATES
            ).only("node_name", "state")
        names = sorted({t.node_name for t in live if t.state in Task.OPEN_STATES})
        fields = {
            "engine_state": engine.dump(workflow),
            "engine_format": engine.STATE_FORMAT,
            "revision": instance.revision + 1,
            "current_nodes": "、".join(names)[:500],
            "next_timer_at": None if completed else engine.next_timer_at(workflow),
        }
        if state is not None:
            fields["state"] = state
        elif completed and instance.state == ProcessInstance.State.RUNNING:
            fields["state"] = ProcessInstance.State.COMPLETED
        if fields.get("state") in (
            ProcessInstance.State.COMPLETED,
            ProcessInstance.State.CANCELLED,
            ProcessInstance.State.TERMINATED,
        ):
            fields["ended_at"] = self.now
            fields["current_nodes"] = ""
            fields["next_timer_at"] = None
        if data is not None:
            fields["data"] = data
        updated = ProcessInstance.objects.filter(
            pk=instance.pk, revision=instance.revision
        ).update(**fields)
        if updated != 1:
            raise ActionError(
                _("流程已被他人更新，请刷新后重试"), code="stale_instance"
            )
        for name, value in fields.items():
            setattr(instance, name, value)

    @property
    def finished(self) -> bool:
        return self.instance.state == ProcessInstance.State.COMPLETED
