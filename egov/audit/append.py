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
  caller commits, `seal_pending` chains the committed pending entries, in
  batches, under the head lock, one disk flush for a whole batch.

A sealer holds a session advisory lock so that one seals at a time, and checks
for pending entries again after letting it go: whoever failed to get it had
committed its entry before, so that entry is either sealed or seen by the
check (no entry is left behind). SQLite's IMMEDIATE transactions serialize
writers already; there the entry is always chained at once through the ORM.
"""

from functools import cache, partial

from django.db import connections, transaction

from egov.audit.chain import entry_hash

HEAD_MISSING = "The audit chain head is missing; run `egov migrate` to create it."
# Filled in under the lock; every other column is ready before it is taken.
CHAIN_FIELDS = ("seq", "created_at", "prev_hash", "hash")
SEAL_BATCH = 500
# pg advisory lock key of the sealers ("audt").
SEALER_LOCK = 0x61756474


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
        "lock_head": f"SELECT seq, hash FROM {head} WHERE id = 1 FOR UPDATE",  # noqa: S608
        "seal": (
            f"WITH sealed AS (UPDATE {entries} AS e SET seq = v.seq, "  # noqa: S608
            "prev_hash = v.prev_hash, hash = v.hash "
            "FROM (VALUES {rows}) AS v(id, seq, prev_hash, hash) "
            "WHERE e.id = v.id AND e.seq IS NULL RETURNING e.id) "
            f"UPDATE {head} SET seq = %s, hash = %s WHERE id = 1 "
            "RETURNING (SELECT count(*) FROM sealed)"
        ),
        "any_pending": (
            f"SELECT EXISTS (SELECT 1 FROM {entries} WHERE seq IS NULL)"  # noqa: S608
        ),
        "entries": entries,
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

    Safe to call any time from any process: one sealer works at a time and
    the others leave the work to it.
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
                count = _seal_batch(connection, sql)
                sealed += count
                if count < SEAL_BATCH:
                    break
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])
        with connection.cursor() as cursor:
            cursor.execute(sql["any_pending"])
            if not cursor.fetchone()[0]:
                return sealed


def _seal_batch(connection, sql) -> int:
    from egov.audit.models import AuditEntry

    with transaction.atomic(using=connection.alias):
        # Only the sealer (holding the advisory lock) changes pending rows, so
        # the rows read here are still pending once the head is ours.
        pending = list(
            AuditEntry.objects.using(connection.alias)
            .filter(seq__isnull=True)
            .order_by("id")[:SEAL_BATCH]
        )
        if not pending:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(sql["lock_head"])
            head = cursor.fetchone()
            if head is None:
                raise RuntimeError(HEAD_MISSING)
            seq, prev = head
            rows = []
            for entry in pending:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                entry.hash = prev = entry_hash(entry)
                rows.append((entry.pk, entry.seq, entry.prev_hash, entry.hash))
            cursor.execute(
                sql["seal"].replace(
                    "{rows}", ", ".join(["(%s, %s, %s, %s)"] * len(rows))
                ),
                [*(value for row in rows for value in row), seq, prev],
            )
            if cursor.fetchone()[0] != len(rows):
                raise RuntimeError("pending audit entries changed while sealing")
    return len(pending)
