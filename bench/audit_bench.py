"""Audit log append under concurrency: the hash chain against plain inserts.

    .venv/bin/python -m bench.audit_bench [--writers 8] [--rows 400] [--rounds 3]

On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/egov_bench;
the database is created and migrated when missing, and dropped again at the end
if this run created it), WRITERS processes each append ROWS entries through
`egov.audit.actions.record()`, every append in its own transaction as an action
makes it. In the same run, the same number of processes insert the same rows,
one INSERT per transaction through the ORM, into a scratch table shaped like
the audit log (same columns and indexes) with a precomputed seq and hash and no
chain. Rounds alternate chained and plain so both see the same machine.

The bar: no fork in the chain (`verify_chain` walks it: contiguous seqs, every
prev_hash the hash before it) and chained throughput at least 50% of plain.
"""

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench"
SCRATCH_TABLE = "audit_bench_plain"
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) egov-bench"


def _maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def _ensure_database(url: str) -> bool:
    """Create the database if missing; True when this run created it."""
    import psycopg
    from psycopg import sql

    admin_url, name = _maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def _drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin_url, name = _maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _plain_model():
    """An unmanaged model over the scratch table, with AuditEntry's fields."""
    from django.db import models

    from egov.audit.models import AuditEntry

    attrs = {
        "__module__": __name__,
        "Meta": type(
            "Meta",
            (),
            {"app_label": "audit", "db_table": SCRATCH_TABLE, "managed": False},
        ),
    }
    for field in AuditEntry._meta.concrete_fields:
        if field.primary_key:
            continue
        clone = field.clone()
        if isinstance(clone, models.ForeignKey):
            # Same column, no constraint: the scratch rows point at no user.
            clone = models.BigIntegerField(null=True, db_column=field.column)
            attrs["user_id"] = clone
            continue
        attrs[field.name] = clone
    return type("BenchPlainEntry", (models.Model,), attrs)


def _row(writer: int, n: int) -> dict:
    """The fields of one entry, the same for the chained and the plain runs."""
    return {
        "action": "servicehall.accept_case",
        "username": f"bench{writer}",
        "ip": f"10.0.{writer}.{n % 250}",
        "user_agent": USER_AGENT,
        "detail": {"writer": writer, "n": n, "case": f"2026-{writer:02d}-{n:06d}"},
    }


def _chained(writer: int, rows: int, barrier, results) -> None:
    from django.db import connection, transaction

    from egov.audit.actions import record

    connection.ensure_connection()
    barrier.wait()
    started = time.perf_counter()
    queued = 0
    for n in range(rows):
        with transaction.atomic():
            queued += record(**_row(writer, n)).seq is None
    results.put((started, time.perf_counter(), queued))
    connection.close()


def _plain(writer: int, rows: int, barrier, results, writers: int) -> None:
    from datetime import UTC, datetime

    from django.db import connection, transaction

    model = _plain_model()
    fake_hash = "a" * 64
    connection.ensure_connection()
    barrier.wait()
    started = time.perf_counter()
    for n in range(rows):
        with transaction.atomic():
            model(
                seq=n * writers + writer + 1,
                created_at=datetime.now(UTC),
                prev_hash=fake_hash,
                hash=fake_hash,
                **_row(writer, n),
            ).save(force_insert=True)
    results.put((started, time.perf_counter(), 0))
    connection.close()


def _round(kind: str, writers: int, rows: int) -> tuple[float, int]:
    """Run one round of WRITERS processes: rows per second, and rows queued."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(writers)
    results = ctx.Queue()
    target = _chained if kind == "chained" else _plain
    procs = []
    for writer in range(writers):
        args = (writer, rows, barrier, results)
        if kind == "plain":
            args += (writers,)
        procs.append(ctx.Process(target=target, args=args))
    for proc in procs:
        proc.start()
    spans = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"a {kind} writer failed (exit code {proc.exitcode})")
    elapsed = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
    return writers * rows / elapsed, sum(queued for _, _, queued in spans)


def _reset_scratch() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")
        cursor.execute(
            f"CREATE TABLE {SCRATCH_TABLE} (LIKE audit_auditentry INCLUDING ALL)"
        )


def _drop_scratch() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")


def _server_facts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        facts = {}
        for setting in ("server_version", "synchronous_commit", "fsync"):
            cursor.execute(f"SHOW {setting}")
            facts[setting] = cursor.fetchone()[0]
    return facts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rows", type=int, default=400, help="rows per writer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--keep", action="store_true", help="keep a database this run created"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("audit_bench measures PostgreSQL; set DATABASE_URL to one")

    created = _ensure_database(url)
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connections

    from egov.audit.chain import verify_chain
    from egov.audit.models import ChainHead

    try:
        call_command("migrate", verbosity=0, interactive=False)
        facts = _server_facts()
        head_before = ChainHead.objects.get(pk=1).seq
        rates = {"chained": [], "plain": []}
        queued = 0
        for _ in range(args.rounds):
            rate, waited = _round("chained", args.writers, args.rows)
            rates["chained"].append(rate)
            queued += waited
            _reset_scratch()
            rates["plain"].append(_round("plain", args.writers, args.rows)[0])
        written = ChainHead.objects.get(pk=1).seq - head_before
        report = verify_chain()
        _drop_scratch()
    finally:
        connections.close_all()
        if created and not args.keep:
            _drop_database(url)

    chained = statistics.median(rates["chained"])
    plain = statistics.median(rates["plain"])
    expected = args.rounds * args.writers * args.rows
    print(
        f"PostgreSQL {facts['server_version']} (synchronous_commit="
        f"{facts['synchronous_commit']}, fsync={facts['fsync']}), "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{args.writers} writer processes x {args.rows} rows x {args.rounds} rounds"
    )
    print()
    print("| append | rows/s per round | median rows/s |")
    print("|---|---|---|")
    for kind in ("chained", "plain"):
        rounds = ", ".join(f"{r:,.0f}" for r in rates[kind])
        label = "record() (SM3 chain)" if kind == "chained" else "plain INSERT"
        print(f"| {label} | {rounds} | {statistics.median(rates[kind]):,.0f} |")
    print()
    print(f"chained / plain: {chained / plain:.0%} (bar: at least 50%)")
    print(
        f"chain: {written} entries appended (expected {expected}), "
        f"{queued} of them queued and sealed after commit; verify: {report.message}"
    )
    if written != expected or not report.intact:
        raise SystemExit("the chain forked or lost entries")


if __name__ == "__main__":
    main(sys.argv[1:])
