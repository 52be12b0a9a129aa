"""Workflow engine: step latency, throughput under 8 clients, and the inbox.

    .venv/bin/python -m bench.workflow_bench [--backend postgres|sqlite|both]
        [--levels 1000,10000,100000] [--live 10] [--clients 8] [--duration 20]
        [--tasks 1000000] [--user-tasks 10000] [--runs 200]
        [--parts latency,single,throughput,inbox]

The three bars of issue 3, measured through the real actions and queries, in a
scratch database per backend (migrated from scratch, removed at the end):

1. Step latency. A 30-node approval (start, 23 user tasks in a line with a
   parallel countersign of 5 in the middle, two exclusive gateways that send a
   rejection back, two merge gateways, end). Each live instance runs to the end
   taking both returns: 49 task completions. Every completion is timed
   around `actions.complete_task` (lock the instance row, load the engine
   state, complete, sync the task rows, save, history row, audit entry, one
   transaction). The database is filled to 1,000, 10,000 and 100,000
   instances between rounds; the filler instances are copies of a real
   instance's state after its first step, each with an open task row.
2. Throughput (PostgreSQL only). `--clients` worker processes, each with its
   own connection and its own 12 instances, complete whatever task is open on
   them for `--duration` seconds; completed tasks per second over the window.
   With `--parts single` (not run by default): one client alone completes
   12 instances' tasks, and its CPU per task and its database session's are
   reported (CPU holds up better than times on a shared machine).
3. Inbox. `--tasks` task rows (70% completed, 25% open, 5% pooled on 200
   posts) over 10,000 instances; one person holds `--user-tasks` of them, open,
   another holds one of the pooled posts. Each run times
   `queries.todo_for(person)`: the first page of 20 with its instance and
   process, and the count, as the todo page does.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = ROOT / "var" / "bench"
SQLITE_FILE = SQLITE_DIR / "workflow.sqlite3"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "egov_bench_workflow"
LINE_BEFORE = 10  # r01..r10 before the countersign
LINE_AFTER = 10  # r11..r20 after it
SIGNERS = 5
PAGE = 20


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def _fresh_database(backend: str) -> None:
    if backend == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_DB}")


def _drop_database(backend: str) -> None:
    if backend == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- the process and its people ---------------------------------------------------


def _diagram() -> str:
    from egov.workflow.bpmn import EGOV_NS

    def user(node_id, users, multi=False):
        mi = "<bpmn:multiInstanceLoopCharacteristics/>" if multi else ""
        return (
            f'<bpmn:userTask id="{node_id}" name="{node_id}"><bpmn:extensionElements>'
            f'<egov:assignment rule="user" users="{users}"/>'
            f"</bpmn:extensionElements>{mi}</bpmn:userTask>"
        )

    def flow(a, b, condition=None):
        body = (
            f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>"
            if condition
            else ""
        )
        return (
            f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}">'
            f"{body}</bpmn:sequenceFlow>"
        )

    before = [f"r{i:02d}" for i in range(1, LINE_BEFORE + 1)]
    after = [f"r{i:02d}" for i in range(LINE_BEFORE + 1, LINE_BEFORE + LINE_AFTER + 1)]
    tail = ["r21", "r22"]
    signers = ",".join(f"bench{i:02d}" for i in range(30, 30 + SIGNERS))
    nodes = [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:exclusiveGateway id="m1"/>',
        user("apply", "bench00"),
        *[user(n, f"bench{i + 1:02d}") for i, n in enumerate(before)],
        '<bpmn:exclusiveGateway id="g1" default="f_g1_sign"/>',
        user("sign", signers, multi=True),
        '<bpmn:exclusiveGateway id="m2"/>',
        *[user(n, f"bench{i + 11:02d}") for i, n in enumerate(after)],
        '<bpmn:exclusiveGateway id="g2" default="f_g2_r21"/>',
        *[user(n, f"bench{i + 21:02d}") for i, n in enumerate(tail)],
        '<bpmn:endEvent id="end"/>',
    ]
    line = ["start", "m1", "apply", *before]
    flows = [flow(a, b) for a, b in zip(line, line[1:], strict=False)]
    flows += [
        flow("r10", "g1"),
        flow("g1", "m1", "outcome == &quot;reject&quot;"),
        flow("g1", "sign"),
        flow("sign", "m2"),
    ]
    line = ["m2", *after]
    flows += [flow(a, b) for a, b in zip(line, line[1:], strict=False)]
    flows += [
        flow("r20", "g2"),
        flow("g2", "m2", "outcome == &quot;reject&quot;"),
        flow("g2", "r21"),
        flow("r21", "r22"),
        flow("r22", "end"),
    ]
    assert len(nodes) == 30
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:egov="{EGOV_NS}" id="defs" targetNamespace="bench">'
        '<bpmn:process id="bench30" name="三十环节审批" isExecutable="true">'
        + "".join(nodes + flows)
        + "</bpmn:process></bpmn:definitions>"
    )


def _people():
    """The process administrator and bench00..bench34 in one organization."""
    from django.contrib.auth.models import Permission

    from egov.identity.models import (
        Organization,
        Post,
        PostAssignment,
        Region,
        Role,
        User,
    )

    region = Region.objects.create(
        code="139921", name="示范县", level=Region.Level.COUNTY, path="/139921/"
    )
    org = Organization.objects.create(
        code="B", name="示范县人民政府", kind="government", region=region, path=""
    )
    org.path = f"/{org.pk}/"
    org.save(update_fields=["path"])
    post = Post.objects.create(organization=org, code="staff", name="科员")
    role = Role.objects.create(code="bench_admin", name="流程管理员", data_scope="all")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="workflow", codename="deploy_process"
        )
    )
    admin = User.objects.create(
        username="benchadmin", real_name="管理员", kind="staff", password="!"
    )
    admin.roles.add(role)
    people = User.objects.bulk_create(
        User(username=f"bench{i:02d}", real_name=f"办理人{i:02d}", kind="staff")
        for i in range(35)
    )
    PostAssignment.objects.bulk_create(
        PostAssignment(user=u, post=post, is_primary=True) for u in people
    )
    return User.objects.get(pk=admin.pk), post


def _deploy(admin):
    from egov.workflow.actions import deploy_process

    return deploy_process(
        actor=admin, key="bench30", name="三十环节审批", bpmn_xml=_diagram()
    )


def _start(initiator, n):
    from egov.workflow.actions import start_process

    return start_process(
        actor=initiator,
        definition_key="bench30",
        subject=f"基准事项{n}",
        business_key=f"B{n:07d}",
        data={"amount": n % 1000},
    )


def _script():
    """The outcome each completion gives: r10 and r20 reject on the first pass."""
    seen = set()

    def outcome(task):
        key = (task.instance_id, task.node_id)
        if task.node_id in ("r10", "r20") and key not in seen:
            seen.add(key)
            return "reject"
        return "approve"

    return outcome


_next_task: dict = {}


def _open_task_of(instance_ids):
    """The lowest open task of these instances, with its holder.

    The client's own lookup, not the platform's work: its SQL is compiled
    once per number of instances (egov.core.prepared), so the client spends
    the machine's two cores on completing tasks rather than on building this
    query (it cost a fifth of a client's CPU per step when compiled every
    time). The instances are listed, not given as a range of numbers: a
    prepared range query may get a plan that walks the whole task table.
    """
    from egov.workflow.models import Task

    try:
        from egov.core.prepared import Prepared, Slot
    except ImportError:  # the code before the lookups moved to egov.core
        from egov.workflow.prepared import Prepared, Slot

    ids = sorted(set(instance_ids))
    lookup = _next_task.get(len(ids))
    if lookup is None:
        lookup = _next_task[len(ids)] = Prepared(
            lambda *keys: (
                Task.objects.filter(instance_id__in=keys, state__in=Task.OPEN_STATES)
                .select_related("assignee")
                .order_by("id")[:1]
            ),
            *(Slot() for _ in ids),
        )
    found = lookup(*ids)
    return found[0] if found else None


def _complete_next(instance_ids, outcome, samples=None) -> bool:
    """Complete one open task of these instances; False when none is left."""
    from egov.workflow.actions import complete_task

    task = _open_task_of(instance_ids)
    if task is None:
        return False
    decision = outcome(task)
    started = time.perf_counter()
    complete_task(
        actor=task.assignee,
        task=task.pk,
        outcome=decision,
        opinion="退回重办" if decision == "reject" else "同意",
    )
    if samples is not None:
        samples.append((time.perf_counter() - started) * 1000)
    return True


# --- 1. step latency ----------------------------------------------------------------


def _fill(definition, template, target: int, post) -> float:
    """Add copies of `template` (state and one open task) until `target`."""
    from egov.identity.models import User
    from egov.workflow.models import ProcessInstance, Task

    started = time.perf_counter()
    have = ProcessInstance.objects.count()
    users = list(
        User.objects.filter(username__startswith="bench").values_list("pk", flat=True)
    )
    rng = random.Random(target)
    batch = 2000
    while have < target:
        size = min(batch, target - have)
        rows = ProcessInstance.objects.bulk_create(
            ProcessInstance(
                definition=definition,
                business_key=f"F{have + i:07d}",
                subject=f"存量事项{have + i}",
                initiator_id=template.initiator_id,
                organization_id=template.organization_id,
                state="running",
                engine_state=template.engine_state,
                engine_format=template.engine_format,
                revision=1,
                data=template.data,
                current_nodes=template.current_nodes,
            )
            for i in range(size)
        )
        Task.objects.bulk_create(
            Task(
                instance_id=row.pk,
                process_id="bench30",
                node_id="r01",
                node_name="r01",
                engine_task_id=uuid.uuid4(),
                assignee_id=rng.choice(users),
            )
            for row in rows
        )
        have += size
    _analyze()
    return time.perf_counter() - started


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # Flush the fill's writes now rather than in the middle of the
            # timed steps that follow.
            cursor.execute("CHECKPOINT")


def latency(args, admin, post, definition) -> dict:
    from egov.identity.models import User
    from egov.workflow.models import ProcessInstance

    initiator = User.objects.get(username="bench00")
    template = _start(initiator, 0)
    _complete_next([template.pk], _script())
    template.refresh_from_db()
    results = []
    counter = 1
    for level in args.levels:
        fill_s = _fill(definition, template, level - args.live, post)
        live = []
        for _ in range(args.live):
            live.append(_start(initiator, counter).pk)
            counter += 1
        outcome = _script()
        samples = []
        for instance_id in live:
            while _complete_next([instance_id], outcome, samples):
                pass
        load = _load()
        done = ProcessInstance.objects.filter(pk__in=live, state="completed").count()
        state = ProcessInstance.objects.get(pk=live[0]).engine_state
        results.append(
            {
                "instances": ProcessInstance.objects.count(),
                "fill_s": fill_s,
                "steps": len(samples),
                "completed": done,
                "p50": _percentile(samples, 0.5),
                "p95": _percentile(samples, 0.95),
                "max": max(samples),
                "state_kb": len(state.encode()) / 1024,
                "load": load,
            }
        )
    return {"latency": results}


# --- 2. throughput --------------------------------------------------------------------


def single(args, definition) -> dict:
    """One client alone: CPU per task of the client and of its database session.

    12 instances run to the end (49 tasks each); CPU is the process's own and,
    on PostgreSQL, its session's (/proc), so it holds up better than times do
    on a machine shared with other work.
    """
    from egov.identity.models import User

    initiator = User.objects.get(username="bench00")
    warm, *ids = [_start(initiator, 20_000_000 + n).pk for n in range(13)]
    outcome = _script()
    for _ in range(2):
        _complete_next([warm], outcome)
    backend = _backend_pid()
    server_started = _process_cpu(backend)
    cpu_started = time.process_time()
    started = time.perf_counter()
    samples = []
    while _complete_next(ids, outcome, samples):
        pass
    elapsed = time.perf_counter() - started
    count = len(samples)
    return {
        "single": {
            "completed": count,
            "per_second": count / elapsed,
            "client_cpu_ms": (time.process_time() - cpu_started) * 1000 / count,
            "server_cpu_ms": (_process_cpu(backend) - server_started) * 1000 / count,
            "p50": _percentile(samples, 0.5),
            "p95": _percentile(samples, 0.95),
            "load": _load(),
        }
    }


def throughput(args, definition) -> dict:
    from egov.identity.models import User

    initiator = User.objects.get(username="bench00")
    per_client = 24
    slices = []
    n = 10_000_000
    for _client in range(args.clients):
        ids = []
        # The first one only warms the client up (see worker).
        for _ in range(per_client + 1):
            ids.append(_start(initiator, n).pk)
            n += 1
        slices.append(ids)
    env = dict(os.environ)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.workflow_bench",
                "--worker",
                f"--ids={','.join(map(str, ids))}",
                f"--duration={args.duration}",
            ],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ids in slices
    ]
    # Each worker says "ready" once warmed up; then all start together.
    for worker in workers:
        if worker.stdout.readline().strip() != "ready":
            raise SystemExit(f"worker failed: {worker.stderr.read()[-2000:]}")
    start_at = time.time() + 1
    load_before = _load()
    reports = []
    for worker in workers:
        worker.stdin.write(f"{start_at}\n")
        worker.stdin.flush()
    for worker in workers:
        out, err = worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(f"worker failed: {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    total = sum(r["count"] for r in reports)
    samples = [s for r in reports for s in r["samples"]]
    cpu_ms = sum(r["cpu_s"] for r in reports) * 1000
    server_ms = sum(r["server_cpu_s"] for r in reports) * 1000
    return {
        "throughput": {
            "clients": args.clients,
            "duration": args.duration,
            "completed": total,
            "per_second": total / args.duration,
            "p50": _percentile(samples, 0.5),
            "p95": _percentile(samples, 0.95),
            "exhausted": sum(1 for r in reports if r["exhausted"]),
            "client_cpu_ms": cpu_ms / total if total else 0.0,
            "server_cpu_ms": server_ms / total if total else 0.0,
            "load": f"{load_before} before, {_load()} after",
        }
    }


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _process_cpu(pid) -> float:
    """CPU seconds (user + system) of a local process, 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker(args) -> None:
    _setup()
    from django.db import OperationalError

    warm, *ids = [int(x) for x in args.ids.split(",")]
    outcome = _script()
    # Warm the client up before the clock starts: the spec cache, the
    # connection, and whatever a first step loads once per process (URL
    # resolvers for notification links, lazily built SQL), by completing two
    # tasks of an instance of its own that is not counted.
    for _ in range(2):
        _complete_next([warm], outcome)
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + args.duration
    count, samples, exhausted = 0, [], False
    backend = _backend_pid()
    server_started = _process_cpu(backend)
    cpu_started = time.process_time()
    while time.time() < deadline:
        try:
            if not _complete_next(ids, outcome, samples):
                exhausted = True
                break
        except OperationalError:
            continue
        count += 1
    cpu_s = time.process_time() - cpu_started
    server_cpu_s = _process_cpu(backend) - server_started
    print(
        json.dumps(
            {
                "count": count,
                "samples": samples,
                "exhausted": exhausted,
                "cpu_s": cpu_s,
                "server_cpu_s": server_cpu_s,
            }
        )
    )


# --- 3. inbox -------------------------------------------------------------------------


def _copy_rows(table, columns, rows):
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.connection
            with raw.cursor().copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        connection.ensure_connection()
        raw = connection.connection
        marks = ", ".join("?" for _ in columns)
        raw.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            (
                tuple(
                    v.replace(tzinfo=None).isoformat(" ")
                    if isinstance(v, datetime)
                    else (v.hex if isinstance(v, uuid.UUID) else v)
                    for v in row
                )
                for row in rows
            ),
        )
        raw.commit()


def inbox(args, definition, post) -> dict:
    from django.db import transaction

    from egov.identity.models import Post, PostAssignment, User
    from egov.workflow import queries
    from egov.workflow.models import ProcessInstance, Task, TaskCandidate

    started = time.perf_counter()
    people = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    others = User.objects.bulk_create(
        User(username=f"staff{i:04d}", real_name=f"工作人员{i:04d}", kind="staff")
        for i in range(1000)
    )
    with transaction.atomic():
        instances = ProcessInstance.objects.bulk_create(
            ProcessInstance(
                definition=definition,
                subject=f"收件{i}",
                business_key=f"I{i:07d}",
                initiator_id=people[0].pk,
                state="running",
                revision=1,
            )
            for i in range(10_000)
        )
    instance_ids = [i.pk for i in instances]
    viewer = people[1]
    PostAssignment.objects.filter(user=viewer).delete()
    # Pooled tasks are spread over 200 posts of the county, as a post (岗位)
    # pool is; the post holder below holds one of them.
    pools = Post.objects.bulk_create(
        Post(organization_id=post.organization_id, code=f"pool{i:03d}", name="岗位")
        for i in range(200)
    )
    holder = people[2]
    PostAssignment.objects.filter(user=holder).delete()
    PostAssignment.objects.create(user=holder, post=pools[0], is_primary=True)
    rng = random.Random(11)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    base_id = (
        Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    columns = [
        "id",
        "instance_id",
        "process_id",
        "node_id",
        "node_name",
        "engine_task_id",
        "assignee_id",
        "is_pooled",
        "state",
        "created_at",
        "outcome",
        "opinion",
        "idempotency_key",
        "submitted_data",
        "form_key",
        "limit_unit",
        "kind",
        "context",
        "completed_by_id",
        "completed_at",
        "due_at",
    ]
    model_columns = {f.column for f in Task._meta.concrete_fields}
    columns = [c for c in columns if c in model_columns]
    pooled_ids = []

    def rows():
        for n in range(args.tasks):
            pk = base_id + n
            created = start + timedelta(seconds=rng.randrange(300 * 86400))
            if n < args.user_tasks:
                assignee, state, pooled = viewer.pk, "open", False
            else:
                roll = rng.random()
                if roll < 0.05:
                    assignee, state, pooled = None, "open", True
                    pooled_ids.append((pk, rng.choice(pools).pk))
                elif roll < 0.30:
                    assignee, state, pooled = rng.choice(others).pk, "open", False
                else:
                    assignee, state, pooled = rng.choice(others).pk, "completed", False
            values = {
                "id": pk,
                "instance_id": rng.choice(instance_ids),
                "process_id": "bench30",
                "node_id": "r01",
                "node_name": "r01",
                "engine_task_id": uuid.uuid4(),
                "assignee_id": assignee,
                "is_pooled": pooled,
                "state": state,
                "created_at": created,
                "outcome": "approve" if state == "completed" else "",
                "opinion": "",
                "idempotency_key": "",
                "submitted_data": "{}",
                "form_key": "",
                "limit_unit": "workdays",
                "kind": "node",
                "context": "{}",
                "completed_by_id": assignee if state == "completed" else None,
                "completed_at": created + timedelta(hours=5)
                if state == "completed"
                else None,
                "due_at": created + timedelta(days=rng.randrange(1, 30)),
            }
            yield [values[c] for c in columns]

    with transaction.atomic():
        _copy_rows("workflow_task", columns, rows())
        TaskCandidate.objects.bulk_create(
            (TaskCandidate(task_id=pk, post_id=pool) for pk, pool in pooled_ids),
            batch_size=5000,
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('workflow_task', 'id'), "
                "(SELECT max(id) FROM workflow_task))"
            )
            cursor.execute("VACUUM ANALYZE workflow_task")
            cursor.execute("VACUUM ANALYZE workflow_taskcandidate")
    else:
        _analyze()
    load_s = time.perf_counter() - started

    def once(person_id):
        person = User.objects.get(pk=person_id)
        t0 = time.perf_counter()
        rows = queries.todo_for(person)
        page = list(rows[:PAGE])
        t1 = time.perf_counter()
        total = rows.count()
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t1) * 1000, (t2 - t0) * 1000, total, len(page)

    for _ in range(5):
        once(viewer.pk)
        once(holder.pk)
    results = {}
    for label, person in (("person", viewer), ("post", holder)):
        samples = [once(person.pk) for _ in range(args.runs)]
        results[label] = {
            "visible": samples[0][3],
            "page": (
                _percentile([s[0] for s in samples], 0.5),
                _percentile([s[0] for s in samples], 0.95),
            ),
            "count": (
                _percentile([s[1] for s in samples], 0.5),
                _percentile([s[1] for s in samples], 0.95),
            ),
            "both": (
                _percentile([s[2] for s in samples], 0.5),
                _percentile([s[2] for s in samples], 0.95),
            ),
        }
    return {
        "inbox": {
            "tasks": Task.objects.count(),
            "load_s": load_s,
            "runs": args.runs,
            **results,
        }
    }


# --- the child process and the report ------------------------------------------------


def child(args) -> None:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    admin, post = _people()
    definition = _deploy(admin)
    result = {"vendor": connection.vendor, "migrate_s": migrate_s}
    if "latency" in args.parts:
        result.update(latency(args, admin, post, definition))
    if "single" in args.parts:
        result.update(single(args, definition))
    if "throughput" in args.parts and connection.vendor == "postgresql":
        result.update(throughput(args, definition))
    if "inbox" in args.parts:
        result.update(inbox(args, definition, post))
    version = (
        connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version
    )
    result["version"] = str(version)
    result["loadavg"] = _load()
    print(json.dumps(result))


def report(result: dict) -> None:
    print(
        f"\n{result['vendor']} {result['version']} "
        f"(migrate {result['migrate_s']:.1f} s, load average {result['loadavg']})"
    )
    if "latency" in result:
        print("\nStep latency (complete_task: lock, load, act, sync, save, audit), ms")
        print(
            "\n| instances in the database | steps timed | p50 | p95 | max | state "
            "| load average |"
        )
        print("|---:|---:|---:|---:|---:|---:|---|")
        for row in result["latency"]:
            print(
                f"| {row['instances']:,} | {row['steps']} | {row['p50']:.1f} "
                f"| {row['p95']:.1f} | {row['max']:.1f} | {row['state_kb']:.0f} KiB "
                f"| {row.get('load', '')} |"
            )
    if "single" in result:
        t = result["single"]
        print(
            f"\nOne client: {t['completed']} tasks, {t['per_second']:.0f} tasks/s "
            f"(per step p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms; CPU per task: "
            f"client {t['client_cpu_ms']:.1f} ms, database session "
            f"{t['server_cpu_ms']:.1f} ms; load average {t['load']})"
        )
    if "throughput" in result:
        t = result["throughput"]
        print(
            f"\nThroughput: {t['clients']} client processes, {t['duration']} s: "
            f"{t['completed']:,} tasks completed, {t['per_second']:.0f} tasks/s "
            f"(per step p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms; "
            f"CPU per task: client {t['client_cpu_ms']:.1f} ms, "
            f"database session {t['server_cpu_ms']:.1f} ms, so at most "
            f"{2000 / max(t['client_cpu_ms'] + t['server_cpu_ms'], 0.001):.0f} "
            "tasks/s on two otherwise idle cores; "
            f"{t['exhausted']} clients ran out of work; load average {t['load']})"
        )
    if "inbox" in result:
        box = result["inbox"]
        print(
            f"\nInbox: {box['tasks']:,} task rows (loaded in {box['load_s']:.0f} s), "
            f"{box['runs']} runs each, ms"
        )
        print(
            "\n| viewer | tasks in the inbox | first page p50 / p95 "
            "| count p50 / p95 | page + count p50 / p95 |"
        )
        print("|---|---:|---:|---:|---:|")
        for label, name in (
            ("person", "holder of 10,000 tasks"),
            ("post", "post holder (pooled)"),
        ):
            row = box[label]
            page = row["page"]
            print(
                f"| {name} | {row['visible']:,} | {page[0]:.2f} / {page[1]:.2f} "
                f"| {row['count'][0]:.2f} / {row['count'][1]:.2f} "
                f"| {row['both'][0]:.2f} / {row['both'][1]:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=["both", "sqlite", "postgres"], default="postgres"
    )
    parser.add_argument("--levels", default="1000,10000,100000")
    parser.add_argument("--live", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--user-tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--parts", default="latency,throughput,inbox")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch databases"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ids", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.levels = [int(x) for x in str(args.levels).split(",") if x]
    args.parts = set(str(args.parts).split(","))
    if args.worker:
        worker(args)
        return
    if args.child:
        child(args)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        _fresh_database(backend)
        env = dict(os.environ, DATABASE_URL=_database_url(backend))
        command = [
            sys.executable,
            "-m",
            "bench.workflow_bench",
            "--child",
            f"--levels={','.join(map(str, args.levels))}",
            f"--live={args.live}",
            f"--clients={args.clients}",
            f"--duration={args.duration}",
            f"--tasks={args.tasks}",
            f"--user-tasks={args.user_tasks}",
            f"--runs={args.runs}",
            f"--parts={','.join(sorted(args.parts))}",
        ]
        try:
            done = subprocess.run(
                command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
            )
        finally:
            if not args.keep:
                _drop_database(backend)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
            raise SystemExit(f"{backend} run failed")
        report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
