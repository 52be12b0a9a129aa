"""Concurrent writers append one after another: no fork, no gap, a valid chain."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from egov.audit.actions import record
from egov.audit.chain import GENESIS, verify_chain
from egov.audit.models import AuditEntry, ChainHead

WRITERS = 8
PER_WRITER = 15


def _append(number: int, n: int) -> None:
    # Each append in its own transaction, as an action makes it.
    with transaction.atomic():
        record(
            action="office.sign_document",
            username=f"writer{number}",
            detail={"writer": number, "n": n},
        )


def _append_waiting(number: int, n: int) -> None:
    """Append, waiting for the write lock the way a file database does.

    A SQLite file database makes a second writer wait (busy_timeout). The
    in-memory database of the test run shares one cache between connections
    and answers "table is locked" at once instead, so here the writer waits
    and runs its whole transaction again; PostgreSQL waits on the row lock.
    """
    while True:
        try:
            _append(number, n)
            return
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.001)


def _writer(number: int, start: threading.Barrier, errors: list) -> None:
    try:
        start.wait()
        for n in range(PER_WRITER):
            _append_waiting(number, n)
    except Exception as exc:  # noqa: BLE001 - reported by the test below
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_one_contiguous_verified_chain():
    start = threading.Barrier(WRITERS)
    errors: list = []
    threads = [
        threading.Thread(target=_writer, args=(n, start, errors))
        for n in range(WRITERS)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = WRITERS * PER_WRITER
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    prev_hashes = AuditEntry.objects.values_list("prev_hash", flat=True)
    assert len(set(prev_hashes)) == total
    assert ChainHead.objects.get().seq == total
    report = verify_chain()
    assert (report.intact, report.verified) == (True, total)
    for number in range(WRITERS):
        assert AuditEntry.objects.filter(username=f"writer{number}").count() == (
            PER_WRITER
        )


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_a_genesis_head_so_appends_go_on():
    record(action="office.sign_document")

    call_command("flush", interactive=False, verbosity=0)

    head = ChainHead.objects.get()
    assert (head.seq, head.hash, AuditEntry.objects.count()) == (0, GENESIS, 0)
    assert record(action="office.sign_document").seq == 1


@pytest.mark.django_db(transaction=True)
def test_a_writer_finding_the_head_taken_is_chained_once_both_commit():
    taken, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                record(action="office.sign_document", username="holder")
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(10)

    if connection.vendor == "postgresql":
        # The second writer queues its entry instead of waiting for the first
        # transaction, and chains it right after its own commit.
        with transaction.atomic():
            entry = record(action="office.sign_document", username="second")
            assert entry.seq is None
            release.set()
        thread.join()
    else:
        # SQLite lets one writer in at a time: the second appends after.
        release.set()
        thread.join()
        entry = record(action="office.sign_document", username="second")

    stored = AuditEntry.objects.get(pk=entry.pk)
    holder_entry = AuditEntry.objects.get(username="holder")
    assert (holder_entry.seq, stored.seq) == (1, 2)
    assert stored.prev_hash == holder_entry.hash
    assert verify_chain().message == "日志链完整：已校验 2 条（序号 1 至 2）。"
