"""Entries stored while another transaction held the chain head, until chained."""

import pytest
from django.db import connection

from egov.audit.actions import record
from egov.audit.append import seal_pending
from egov.audit.chain import verify_chain
from egov.audit.models import AuditEntry
from egov.audit.queries import entries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(clerk):
    """Two chained entries, then one queued as a writer that found the head taken
    leaves it: every field but its place on the chain."""
    record(action="office.sign_document")
    record(action="office.sign_document")
    entry = AuditEntry(
        user=clerk,
        username="lisi",
        action="office.read_notice",
        detail={"notice": 7},
        created_at=record(action="office.sign_document").created_at,
        prev_hash="",
        hash="",
    )
    entry.save(force_insert=True)
    return entry


def test_a_queued_entry_is_not_shown_until_it_is_chained(auditor, queued):
    shown = list(entries_for(auditor).values_list("action", flat=True))

    assert "office.read_notice" not in shown
    assert len(shown) == 3


def test_verify_counts_queued_entries_apart_from_the_chain(queued):
    assert verify_chain().message == (
        "日志链完整：已校验 3 条（序号 1 至 3）。另有 1 条刚写入，正在等待上链。"
    )


def test_the_sealer_chains_queued_entries_after_the_head(queued):
    sealed = seal_pending()

    if connection.vendor == "postgresql":
        stored = AuditEntry.objects.get(pk=queued.pk)
        assert (sealed, stored.seq) == (1, 4)
        assert stored.prev_hash == AuditEntry.objects.get(seq=3).hash
        assert verify_chain().message == "日志链完整：已校验 4 条（序号 1 至 4）。"
    else:
        # SQLite never queues (its writers take turns), so there is no sealer.
        assert sealed == 0
