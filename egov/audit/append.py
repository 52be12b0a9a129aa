"""Appending one prepared entry to the chain without making writers queue.

Only the holder of the chain head row's lock gives entries their place (seq,
prev_hash, hash), so the chain never forks. The lock lives until the holder's
transaction commits, flush to disk included, so if every writer waited for it
the platform could commit one audit entry per disk flush and a long action
would stall every other. On PostgreSQL a writer therefore takes the lock only
when it is free:

* free, and no entry waiting: the entry is chained at once, inside the
  caller's transaction (the usual case, and every case without concurrency);
* held by another transaction, or entries already waiting: the entry is
  stored as pending (no seq yet) and the caller goes on. Right after the
  caller commits, `seal_pending` chains the committed pending entries in one
  batch, so a whole batch costs one disk flush.

One sealer works at a time (a session advisory lock); a writer that finds
one at work leaves its entry to it, and the sealer looks for pending entries
again after letting the lock go, so no entry is left behind. A sealer reads the
head with the pending entries, computes their hashes, and one statement (a
transaction of its own, one round trip) advances the head only if it is still
what was read and gives the entries their places with it; if an entry chained
at once moved the head meanwhile, the sealer reads again. SQLite's IMMEDIATE
transactions serialize writers already; there the entry is always chained at
once through the ORM.
"""

from functools import cache, partial

from django.db import connections, transaction

from egov.audit.chain import entry_hash

HEAD_MISSING = "The audit chain head is missing; run `egov migrate` to create it."
# pg advisory lock key of the sealers ("audt").
SEALER_LOCK = 0x61756474
# Filled in under the lock; every other column is ready before it is taken.
CHAIN_FIELDS = ("seq", "created_at", "prev_hash", "hash")
SEAL_BATCH = 500


def _fields():
    from egov.audit.models import AuditEntry

    return [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


@cache
def _statements(alias: str) -> dict[str, str]:
    from egov.audit.models import AuditEntry, ChainHead

    quote = connections[alias].ops.quote_name
    entries = quote(AuditEntry._meta.db_table)
    head = quote(ChainHead._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _fields())
    values = ", ".join(["%s"] * len(_fields()))
    # S608: table and column names come from the models, values are bound.
    return {
        # One round trip: take the head if it is free and nothing waits for a
        # sealer (the queue is cheaper to join than the head), else queue.
        "take_or_queue": (
            f"WITH head AS (SELECT seq, hash FROM {head} WHERE id = 1 "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {entries} WHERE seq IS NULL) "
            "FOR UPDATE SKIP LOCKED), "
            f"queued AS (INSERT INTO {entries} ({columns}) SELECT {values} "
            "WHERE NOT EXISTS (SELECT 1 FROM head) RETURNING id) "
            "SELECT (SELECT seq FROM head), (SELECT hash FROM head), "
            f"(SELECT id FROM queued), (SELECT count(*) FROM {head})"
        ),
        # One round trip: store the chained entry and advance the head.
        "append": (
            f"WITH new_entry AS (INSERT INTO {entries} ({columns}) "  # noqa: S608
            f"VALUES ({values}) RETURNING id) "
            f"UPDATE {head} SET seq = %s, hash = %s WHERE id = 1 "
            "RETURNING (SELECT id FROM new_entry)"
        ),
        # One statement, its own transaction: the head moves only from the
        # state the hashes were computed on, and only while every entry of
        # the batch is still pending; the entries move only with the head.
        "seal": (
            f"WITH moved AS (UPDATE {head} SET seq = %s, hash = %s "  # noqa: S608
            "WHERE id = 1 AND seq = %s AND hash = %s "
            f"AND (SELECT count(*) FROM {entries} WHERE id IN ({{ids}}) "
            "AND seq IS NULL) = %s RETURNING id), "
            f"sealed AS (UPDATE {entries} AS e SET seq = v.seq, "
            "prev_hash = v.prev_hash, hash = v.hash "
            "FROM (VALUES {rows}) AS v(id, seq, prev_hash, hash), moved "
            "WHERE e.id = v.id AND e.seq IS NULL RETURNING e.id) "
            "SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM sealed)"
        ),
        "any_pending": (
            f"SELECT EXISTS (SELECT 1 FROM {entries} WHERE seq IS NULL)"  # noqa: S608
        ),
    }


def append(entry, *, using: str, now) -> None:
    """Chain and store `entry` inside the current transaction, or queue it.

    `now` gives the entry's time. A queued entry keeps seq None until it is
    sealed just after the caller commits.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        _append_postgresql(entry, connection, now)
    else:
        _append_orm(entry, using, now)


def _append_orm(entry, using: str, now) -> None:
    from egov.audit.models import ChainHead

    head = (
        ChainHead.objects.using(using)
        .select_for_update()
        .filter(pk=1)
        .values_list("seq", "hash")
        .first()
    )
    if head is None:
        raise RuntimeError(HEAD_MISSING)
    entry.seq, entry.prev_hash = head[0] + 1, head[1]
    entry.created_at = now()
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True, using=using)
    ChainHead.objects.using(using).filter(pk=1).update(seq=entry.seq, hash=entry.hash)


def _db_values(entry, connection) -> list:
    return [
        f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _fields()
    ]


@cache
def _chain_slots() -> tuple[tuple[str, int], ...]:
    return tuple(
        (f.attname, i) for i, f in enumerate(_fields()) if f.name in CHAIN_FIELDS
    )


def _append_postgresql(entry, connection, now) -> None:
    sql = _statements(connection.alias)
    entry.seq, entry.prev_hash, entry.hash = None, "", ""
    entry.created_at = now()
    values = _db_values(entry, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql["take_or_queue"], values)
        head_seq, head_hash, queued_id, heads = cursor.fetchone()
        if not heads:
            raise RuntimeError(HEAD_MISSING)
        if queued_id is not None:
            entry.pk = queued_id
            transaction.on_commit(
                partial(seal_pending, connection.alias),
                using=connection.alias,
                robust=True,
            )
        else:
            entry.seq, entry.prev_hash = head_seq + 1, head_hash
            entry.created_at = now()
            entry.hash = entry_hash(entry)
            for attname, slot in _chain_slots():
                values[slot] = getattr(entry, attname)
            cursor.execute(sql["append"], [*values, entry.seq, entry.hash])
            entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def seal_pending(using: str = "default") -> int:
    """Chain every committed pending entry; returns how many this call sealed.

    Safe to call any time from any process: one sealer works at a time, and
    a caller that finds one at work leaves its entry to it.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    sql = _statements(using)
    sealed = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_LOCK])
            if not cursor.fetchone()[0]:
                return sealed
        try:
            while True:
                pending = _pending(using)
                if not pending:
                    break
                count = _seal(connection, pending)
                sealed += count
                # None sealed: an entry chained at once moved the head first.
                if count and len(pending) < SEAL_BATCH:
                    break
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])
        # Whoever failed to get the lock meanwhile relies on this look.
        with connection.cursor() as cursor:
            cursor.execute(sql["any_pending"])
            if not cursor.fetchone()[0]:
                return sealed


@cache
def _pending_query(alias: str) -> tuple[str, tuple]:
    """`_pending`'s SQL, compiled once: a sealer runs it after most commits
    under load, and compiling it cost more than running it."""
    from django.db.models import Subquery

    from egov.audit.models import AuditEntry, ChainHead

    head = ChainHead.objects.using(alias).filter(pk=1)
    query = (
        AuditEntry.objects.using(alias)
        .filter(seq__isnull=True)
        .annotate(
            head_seq=Subquery(head.values("seq")),
            head_hash=Subquery(head.values("hash")),
        )
        .order_by("id")[:SEAL_BATCH]
    ).query
    sql, params = query.get_compiler(alias).as_sql()
    return sql, tuple(params)


def _pending(using: str) -> list:
    """The oldest pending entries, each carrying the head as read with them."""
    from egov.audit.models import AuditEntry

    sql, params = _pending_query(using)
    return list(AuditEntry.objects.raw(sql, params, using=using))


def _seal(connection, pending: list) -> int:
    """Try once to chain `pending` after the head read with them; 0 if beaten."""
    first = pending[0]
    if first.head_seq is None:
        raise RuntimeError(HEAD_MISSING)
    seq, prev = first.head_seq, first.head_hash
    rows = []
    for entry in pending:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(entry)
        rows.append((entry.pk, entry.seq, entry.prev_hash, entry.hash))
    statement = (
        _statements(connection.alias)["seal"]
        .replace("{ids}", ", ".join(["%s"] * len(rows)))
        .replace("{rows}", ", ".join(["(%s, %s, %s, %s)"] * len(rows)))
    )
    params = [
        seq,
        prev,
        first.head_seq,
        first.head_hash,
        *(row[0] for row in rows),
        len(rows),
        *(value for row in rows for value in row),
    ]
    # Outside a transaction block (as after the caller's commit) this is a
    # transaction of its own: one round trip, one flush for the batch.
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        moved, count = cursor.fetchone()
    if not moved:
        return 0
    if count != len(rows):
        raise RuntimeError("pending audit entries changed while sealing")
    return count
