"""Data scope query `visible()` over 1,000,000 rows, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.visible_bench [--backend both|sqlite|postgres]
        [--rows 1000000] [--runs 200] [--seed 7] [--explain]

Builds, in a scratch database per backend, a 200-organization tree (one county
government, 19 departments and townships, 180 sections below them) and a
bench-only table of rows spread evenly over the 200 organizations. One viewer
per organization holds a post there and a role whose data scope is the
organization subtree. Each run reads a viewer chosen at random (as a request's
middleware would) and times what a list page does through the real
`egov.identity.queries.visible()`:

- scope: the visible() call itself (the viewer's roles and the organization ids
  of their subtree, two small queries);
- first page: scope plus 50 rows, newest first
  (`order_by("-created_at", "-id")[:50]`);
- count: the count of every row in scope, on the same scoped queryset.

Figures are p50/p95/max over the runs, overall and by the viewer's level in the
tree (a section sees 0.5% of the rows, a department 5%, the government all).

The bench table lives only in the scratch database: its model is declared here,
registered under the identity app at run time, and created with the schema
editor, so it never reaches a migration. Each backend runs in a child process
(settings read DATABASE_URL once); the scratch databases are removed at the end
unless --keep is given.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = ROOT / "var" / "bench"
SQLITE_FILE = SQLITE_DIR / "visible.sqlite3"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "egov_bench_visible"
TABLE = "bench_visible_record"
PAGE = 50
DEPARTMENTS = 19
SECTIONS_PER_DEPARTMENT = [10] * 9 + [9] * 10  # 180 sections; 1 + 19 + 180 = 200


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


# --- the child process: one backend ---------------------------------------------


def _bench_model():
    from django.db import models

    from egov.identity.models import Organization, User

    class VisibleBenchRecord(models.Model):
        # No single-column index on the organization: the composite index
        # below serves the foreign key too, and SQLite's planner only picks the
        # composite one (reading the newest 50 per organization) when it is
        # the sole index starting with organization_id.
        organization = models.ForeignKey(
            Organization,
            models.DO_NOTHING,
            db_constraint=False,
            db_index=False,
            related_name="+",
        )
        created_by = models.ForeignKey(
            User,
            models.DO_NOTHING,
            db_constraint=False,
            db_index=False,
            null=True,
            related_name="+",
        )
        created_at = models.DateTimeField()
        title = models.CharField(max_length=40)

        # What a later app (cases, documents) declares for visible().
        data_scope_fields = {"organization": "organization", "owner": "created_by"}

        class Meta:
            app_label = "identity"
            db_table = TABLE

        def __str__(self):
            return self.title

    return VisibleBenchRecord


def _build_tree():
    """1 government, 19 departments/townships, 180 sections; a viewer in each."""
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
    role = Role.objects.create(
        code="bench_subtree",
        name="本机构及下级（基准）",
        data_scope=Role.DataScope.ORGANIZATION_SUBTREE,
    )

    def make(code, name, parent, kind):
        org = Organization.objects.create(
            code=code, name=name, kind=kind, region=region, parent=parent, path=""
        )
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.save(update_fields=["path"])
        return org

    kinds = Organization.Kind
    orgs = [make("B", "示范县人民政府", None, kinds.GOVERNMENT)]
    for d, sections in enumerate(SECTIONS_PER_DEPARTMENT, start=1):
        dept = make(f"B-{d:02d}", f"部门{d:02d}", orgs[0], kinds.DEPARTMENT)
        orgs.append(dept)
        for s in range(1, sections + 1):
            orgs.append(
                make(f"B-{d:02d}-{s:02d}", f"科室{d:02d}-{s:02d}", dept, kinds.OTHER)
            )
    assert len(orgs) == 200
    posts = Post.objects.bulk_create(
        Post(organization=org, code="bench", name="岗位") for org in orgs
    )
    users = User.objects.bulk_create(
        User(
            username=f"viewer{index:03d}",
            real_name=f"查看者{index:03d}",
            kind=User.Kind.STAFF,
            password="!unusable",
        )
        for index in range(len(orgs))
    )
    PostAssignment.objects.bulk_create(
        PostAssignment(user=user, post=post, is_primary=True)
        for user, post in zip(users, posts, strict=True)
    )
    role.users.add(*users)
    tier = {0: "government", 1: "department", 2: "section"}
    return [
        (user, tier[org.depth]) for user, org in zip(users, orgs, strict=True)
    ], orgs


def _rows(count: int, org_ids: list[int], user_ids: list[int], seed: int):
    """(organization_id, created_by_id, created_at, title), spread evenly over
    the organizations and over one year, in random order."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = 365 * 24 * 3600
    for index in range(count):
        moment = start + timedelta(
            seconds=rng.randrange(span), microseconds=rng.randrange(1, 1_000_000)
        )
        yield (
            org_ids[index % len(org_ids)],
            rng.choice(user_ids),
            moment,
            f"记录{index}",
        )


def _load(model, count, org_ids, user_ids, seed) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.schema_editor() as editor:
        editor.create_model(model)
    rows = _rows(count, org_ids, user_ids, seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.connection
            columns = "organization_id, created_by_id, created_at, title"
            with raw.cursor().copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
                batch = []
                for org, user, moment, title in rows:
                    batch.append(f"{org}\t{user}\t{moment.isoformat()}\t{title}\n")
                    if len(batch) == 20000:
                        copy.write("".join(batch))
                        batch.clear()
                copy.write("".join(batch))
    else:
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("PRAGMA synchronous=OFF")
        sql = (
            f"INSERT INTO {TABLE} (organization_id, created_by_id, created_at, title) "
            "VALUES (?, ?, ?, ?)"
        )
        # Django stores SQLite datetimes as naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff".
        raw.executemany(
            sql,
            (
                (org, user, moment.replace(tzinfo=None).isoformat(" "), title)
                for org, user, moment, title in rows
            ),
        )
        raw.commit()
    return time.perf_counter() - started


def _index(model) -> float:
    """The indexes a scoped, newest-first list needs, built after the load;
    then fresh planner statistics.

    (organization, created_at, id) answers a narrow scope's page and every
    count; (created_at, id) lets PostgreSQL walk back in time for a wide scope
    and stop after 50 rows; (created_by) serves the SELF scope.
    """
    from django.db import connection, models

    started = time.perf_counter()
    indexes = [
        models.Index(
            fields=["organization", "created_at", "id"], name="bench_vis_org_time"
        ),
        models.Index(fields=["created_at", "id"], name="bench_vis_time"),
        models.Index(fields=["created_by"], name="bench_vis_owner"),
    ]
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(model, index)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {TABLE}")
        else:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _measure(model, viewers, runs, seed, explain):
    """Time what a list page does: visible() (the scope's small queries), then
    the first page and the count on that one scoped queryset. The viewer is
    read from the database before each run, as a request's middleware would,
    so no cache carries over from one run to the next."""
    from egov.identity.models import User
    from egov.identity.queries import visible

    rng = random.Random(seed + 1)
    samples = []

    def once(viewer_id):
        viewer = User.objects.get(pk=viewer_id)
        t0 = time.perf_counter()
        rows = visible(viewer, model.objects.all())
        t1 = time.perf_counter()
        page = list(rows.order_by("-created_at", "-id")[:PAGE])
        t2 = time.perf_counter()
        total = rows.count()
        t3 = time.perf_counter()
        return {
            "scope": (t1 - t0) * 1000,
            "page": (t2 - t0) * 1000,
            "count": (t3 - t2) * 1000,
            "both": (t3 - t0) * 1000,
            "shown": len(page),
            "n": total,
        }

    for viewer, _tier in viewers[:: max(1, len(viewers) // 10)]:
        once(viewer.pk)  # warm caches and connections
    for _ in range(runs):
        viewer, tier = rng.choice(viewers)
        samples.append({"tier": tier, **once(viewer.pk)})
    plans = {}
    if explain:
        for tier in ("department", "section"):
            viewer = next(v for v, t in viewers if t == tier)
            rows = visible(viewer, model.objects.all())
            plans[tier] = {
                "page": rows.order_by("-created_at", "-id")[:PAGE].explain(),
                "count": rows.values("pk").explain(),
            }
    return samples, plans


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    viewers, orgs = _build_tree()
    model = _bench_model()
    load_s = _load(
        model,
        args.rows,
        [o.pk for o in orgs],
        [v.pk for v, _tier in viewers],
        args.seed,
    )
    index_s = _index(model)
    samples, plans = _measure(model, viewers, args.runs, args.seed, args.explain)
    version = (
        connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version
    )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "version": str(version),
                "migrate_s": migrate_s,
                "load_s": load_s,
                "index_s": index_s,
                "samples": samples,
                "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                "plans": plans,
            }
        )
    )


# --- the parent process: both backends and the report ------------------------------


def _summary(samples, key):
    values = [s[key] for s in samples]
    return _percentile(values, 0.5), _percentile(values, 0.95), max(values)


def report(result: dict, rows: int) -> None:
    samples = result["samples"]
    print(
        f"\n{result['vendor']} {result['version']}: {rows:,} rows; "
        f"migrate {result['migrate_s']:.1f} s, load {result['load_s']:.1f} s, "
        f"index+analyze {result['index_s']:.1f} s, {len(samples)} runs, "
        f"load average {result['loadavg']}"
    )
    print(
        "\n| viewers | runs | rows in scope | scope p50 / p95 "
        "| first page p50 / p95 / max | count p50 / p95 / max "
        "| page + count p50 / p95 |"
    )
    print("|---|---|---|---|---|---|---|")
    groups = [("all (random)", samples)]
    for tier, label in (
        ("section", "section (0.5%)"),
        ("department", "department (5%)"),
        ("government", "government (100%)"),
    ):
        chosen = [s for s in samples if s["tier"] == tier]
        if chosen:
            groups.append((label, chosen))
    for label, chosen in groups:
        scope = _summary(chosen, "scope")
        page = _summary(chosen, "page")
        count = _summary(chosen, "count")
        both = _summary(chosen, "both")
        sizes = sorted({s["n"] for s in chosen})
        size_text = (
            f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,}–{sizes[-1]:,}"
        )
        print(
            f"| {label} | {len(chosen)} | {size_text} "
            f"| {scope[0]:.2f} / {scope[1]:.2f} "
            f"| {page[0]:.2f} / {page[1]:.2f} / {page[2]:.2f} "
            f"| {count[0]:.2f} / {count[1]:.2f} / {count[2]:.2f} "
            f"| {both[0]:.2f} / {both[1]:.2f} |"
        )
    for tier, plan in result.get("plans", {}).items():
        print(f"\nplan, {tier} viewer, first page:\n{plan['page']}")
        print(f"plan, {tier} viewer, count:\n{plan['count']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=["both", "sqlite", "postgres"], default="both"
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch databases"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
            "bench.visible_bench",
            "--child",
            f"--rows={args.rows}",
            f"--runs={args.runs}",
            f"--seed={args.seed}",
            *(["--explain"] if args.explain else []),
        ]
        try:
            done = subprocess.run(
                command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
            )
        finally:
            if not args.keep:
                _drop_database(backend)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"{backend} run failed")
        report(json.loads(done.stdout.strip().splitlines()[-1]), args.rows)


if __name__ == "__main__":
    main()
