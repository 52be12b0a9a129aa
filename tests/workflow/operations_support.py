"""Diagrams, people and readers shared by the approval-operation tests."""

from SpiffWorkflow.util.task import TaskState

from egov.audit.models import AuditEntry
from egov.workflow import engine, runtime
from egov.workflow.models import ProcessInstance, Task, TaskEvent
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, start

ALL_OPERATIONS = (
    "approve,reject,return,transfer,delegate,add_signer,remove_signer,withdraw,urge,cc"
)
INITIATOR = {"rule": "initiator"}
WANGWU = {"rule": "user", "users": "wangwu"}
SIGNERS = {"rule": "user", "users": "suner,chensan"}
ZHAOLIU = {"rule": "user", "users": "zhaoliu"}


def countersign_xml(vote=None, multi="parallel", with_apply=True):
    """申请 (initiator) → 科长审核 (王五) → 会签 (孙二, 陈三) → 局长审批 (赵六)."""
    nodes = []
    if with_apply:
        nodes.append(
            b.user("apply", "申请", assignment=INITIATOR, operations=ALL_OPERATIONS)
        )
    nodes += [
        b.user(
            "review",
            "科长审核",
            assignment=WANGWU,
            limit=(3, "workdays"),
            operations=ALL_OPERATIONS,
        ),
        b.user(
            "sign",
            "会签",
            assignment=SIGNERS,
            multi=multi,
            vote=vote,
            operations=ALL_OPERATIONS,
        ),
        b.user("head", "局长审批", assignment=ZHAOLIU, operations=ALL_OPERATIONS),
    ]
    return b.chain("leave", *nodes, name="请假审批")


def parallel_xml():
    """科长审核 → (A 孙二 ‖ B 陈三) → 局长审批."""
    return b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.user("review", "科长审核", assignment=WANGWU),
                b.parallel("split"),
                b.user(
                    "a",
                    "甲审核",
                    assignment={"rule": "user", "users": "suner"},
                    operations=ALL_OPERATIONS,
                ),
                b.user(
                    "bb",
                    "乙审核",
                    assignment={"rule": "user", "users": "chensan"},
                    operations=ALL_OPERATIONS,
                ),
                b.parallel("join"),
                b.user(
                    "head", "局长审批", assignment=ZHAOLIU, operations=ALL_OPERATIONS
                ),
                b.end(),
                b.flow("start", "review"),
                b.flow("review", "split"),
                b.flow("split", "a"),
                b.flow("split", "bb"),
                b.flow("a", "join"),
                b.flow("bb", "join"),
                b.flow("join", "head"),
                b.flow("head", "end"),
            ],
            name="请假审批",
        )
    )


def deploy_countersign(county, **kw):
    return deploy(county, countersign_xml(**kw))


def at_countersign(county, **kw):
    """An instance whose countersign (孙二, 陈三) is open."""
    deploy_countersign(county, **kw)
    instance = start(county, data={"days": 5})
    p = county.people
    approve(live(instance)[0], p.luodan)
    approve(live(instance)[0], p.wangwu)
    return instance


def live(instance, node_id=None):
    rows = Task.objects.filter(instance=instance, state__in=Task.LIVE_STATES)
    if node_id:
        rows = rows.filter(node_id=node_id)
    return list(rows.select_related("assignee").order_by("id"))


def rows(instance):
    """(node, assignee, state, kind) of the live rows, sorted."""
    return sorted(
        (t.node_id, t.assignee.username if t.assignee else None, t.state, t.kind)
        for t in live(instance)
    )


def task_of(instance, username, node_id=None):
    return next(
        t
        for t in live(instance, node_id)
        if t.assignee and t.assignee.username == username
    )


def engine_waiting(instance) -> list[str]:
    """Node ids of the engine's ready user tasks, sorted."""
    instance = ProcessInstance.objects.get(pk=instance.pk)
    workflow = runtime.Session(instance, None).load()
    return sorted(t.task_spec.bpmn_id for t in engine.ready_user_tasks(workflow))


def engine_state_of(instance) -> dict:
    """{node id: [state names]} of the main process's node tasks."""
    instance = ProcessInstance.objects.get(pk=instance.pk)
    workflow = runtime.Session(instance, None).load()
    states = {}
    for task in workflow.get_tasks(state=TaskState.ANY_MASK):
        spec = task.task_spec
        if spec.bpmn_id and (spec.manual or isinstance(spec, engine._Voting)):
            states.setdefault(spec.bpmn_id, []).append(TaskState.get_name(task.state))
    return {k: sorted(v) for k, v in states.items()}


def audit_trail(since=0) -> list[tuple[str, str]]:
    """(action, outcome) of the workflow entries written after mark `since`."""
    return [
        (e.action, e.outcome)
        for e in AuditEntry.objects.filter(
            pk__gt=since, action__startswith="workflow."
        ).order_by("pk")
    ]


def audit_mark() -> int:
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def history(instance) -> list[tuple[str, str | None, str]]:
    return [
        (e.kind, e.actor.username if e.actor else None, e.node_id)
        for e in TaskEvent.objects.filter(instance=instance).order_by(
            "created_at", "id"
        )
    ]
