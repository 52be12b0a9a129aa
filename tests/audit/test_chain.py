"""The hash chain: what record() writes, and what verify reports after tampering."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from egov.audit.actions import record
from egov.audit.apps import ensure_chain_head
from egov.audit.chain import GENESIS, canonical, entry_hash, verify_chain
from egov.audit.models import AuditEntry, ChainAnchor, ChainHead
from egov.core.crypto import sm3_hex

pytestmark = pytest.mark.django_db


def _sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _chain(count: int) -> list[AuditEntry]:
    return [
        record(action="office.sign_document", detail={"n": n}, username="wangwu")
        for n in range(1, count + 1)
    ]


def _verify_output() -> str:
    try:
        call_command("audit", "verify", stdout=(out := _Buffer()))
    except CommandError as exc:
        return f"exit {exc.returncode}: {exc}"
    return out.text


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, value):
        self.text += value

    def flush(self):
        pass


def test_the_migration_starts_the_chain_at_the_genesis_head():
    head = ChainHead.objects.get()

    assert (head.pk, head.seq, head.hash) == (1, 0, GENESIS)


def test_each_entry_hashes_its_fields_and_the_previous_hash_with_sm3():
    first, second, third = _chain(3)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert first.hash == sm3_hex(canonical(first))
    covered = json.loads(canonical(second))
    assert covered["prev_hash"] == first.hash
    assert covered["detail"] == {"n": 2}
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (3, third.hash)


def test_an_entry_keeps_who_where_what_and_the_outcome(clerk, county):
    entry = record(
        actor=clerk,
        action="identity.change_user",
        target=county["office"],
        outcome=AuditEntry.Outcome.DENIED,
        detail={"field": "name"},
        ip="10.1.2.3",
        user_agent="Mozilla/5.0 测试",
    )

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.created_at.utcoffset() == dt.timedelta(0)
    assert (stored.user, stored.username) == (clerk, "lisi")
    assert (stored.organization_code, stored.organization_name) == (
        "GOV-OFFICE",
        "县政府办公室",
    )
    assert (stored.ip, stored.user_agent) == ("10.1.2.3", "Mozilla/5.0 测试")
    assert (stored.action, stored.outcome) == ("identity.change_user", "denied")
    assert (stored.target_type, stored.target_id, stored.target_repr) == (
        "identity.Organization",
        str(county["office"].pk),
        "县政府办公室",
    )
    assert stored.detail == {"field": "name"}
    assert entry_hash(stored) == stored.hash


def test_details_are_stored_exactly_as_they_were_hashed():
    entry = record(
        action="servicehall.accept_case",
        detail={"due": dt.date(2026, 3, 2), "fee": 1.5, "note": "含\x00空字符"},
        username="a\x00b",
    )

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.detail == {"due": "2026-03-02", "fee": 1.5, "note": "含空字符"}
    assert stored.username == "ab"
    assert entry_hash(stored) == stored.hash


def test_an_entry_timed_in_beijing_time_verifies_once_stored_in_utc(monkeypatch):
    beijing = dt.timezone(dt.timedelta(hours=8))
    monkeypatch.setattr(
        "egov.audit.actions._now", lambda: dt.datetime(2026, 1, 2, 8, 0, tzinfo=beijing)
    )

    entry = record(action="office.sign_document")

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.created_at == dt.datetime(2026, 1, 2, 0, 0, tzinfo=dt.UTC)
    assert entry_hash(stored) == stored.hash


def test_an_append_without_a_chain_head_fails_instead_of_starting_a_second_chain():
    _chain(1)
    _sql("DELETE FROM audit_chainhead")

    with pytest.raises(RuntimeError, match="audit chain head is missing"):
        record(action="office.sign_document")


def test_no_new_head_is_made_up_for_a_log_that_still_has_entries():
    _chain(2)
    _sql("DELETE FROM audit_chainhead")

    ensure_chain_head(sender=None)

    assert not ChainHead.objects.exists()
    assert (
        _verify_output()
        == "exit 1: 日志链在序号 1 处断裂：日志链头缺失（数据库被直接修改）"
    )


def test_an_intact_chain_reports_how_many_entries_were_verified():
    _chain(5)

    assert _verify_output() == "日志链完整：已校验 5 条（序号 1 至 5）。\n"


def test_an_empty_chain_is_intact():
    assert _verify_output() == "日志链完整：没有需要校验的条目。\n"


def test_an_edited_field_breaks_the_chain_at_that_entry():
    _chain(5)

    _sql("UPDATE audit_auditentry SET ip = '8.8.8.8' WHERE seq = 3")

    assert _verify_output() == (
        "exit 1: 日志链在序号 3 处断裂：条目内容与其摘要不符（条目被修改）"
    )


def test_an_edited_detail_breaks_the_chain_at_that_entry():
    _chain(5)
    statement = (
        "UPDATE audit_auditentry SET detail = CAST(%s AS jsonb) WHERE seq = 2"
        if connection.vendor == "postgresql"
        else "UPDATE audit_auditentry SET detail = %s WHERE seq = 2"
    )

    _sql(statement, ['{"n": 20}'])

    assert _verify_output() == (
        "exit 1: 日志链在序号 2 处断裂：条目内容与其摘要不符（条目被修改）"
    )


def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_entry():
    _chain(5)
    forged = AuditEntry.objects.get(seq=3)
    forged.outcome = "failed"
    forged.hash = entry_hash(forged)

    _sql(
        "UPDATE audit_auditentry SET outcome = %s, hash = %s WHERE seq = 3",
        [forged.outcome, forged.hash],
    )

    assert _verify_output() == (
        "exit 1: 日志链在序号 4 处断裂："
        "前一条摘要与链上前一条不一致（条目被插入、替换或调换顺序）"
    )


def test_a_deleted_entry_is_reported_at_its_missing_seq():
    _chain(5)

    _sql("DELETE FROM audit_auditentry WHERE seq = 3")

    assert _verify_output() == (
        "exit 1: 日志链在序号 3 处断裂：该序号的条目缺失（条目被删除或序号被改动）"
    )


def test_deleting_the_newest_entries_is_reported_against_the_chain_head():
    _chain(5)

    _sql("DELETE FROM audit_auditentry WHERE seq >= 4")

    assert _verify_output() == (
        "exit 1: 日志链在序号 4 处断裂：序号 4 至 5 的条目缺失（链尾条目被删除）"
    )


def test_reordered_entries_break_the_chain_where_the_order_changed():
    _chain(5)

    _sql("UPDATE audit_auditentry SET seq = -2 WHERE seq = 2")
    _sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = -2")

    assert _verify_output() == (
        "exit 1: 日志链在序号 2 处断裂：条目内容与其摘要不符（条目被修改）"
    )


def test_an_entry_inserted_in_the_middle_is_found_by_its_link():
    entries = _chain(4)
    _sql("DELETE FROM audit_auditentry WHERE seq = 3")
    fake = AuditEntry(
        seq=3,
        created_at=entries[2].created_at,
        username="mallory",
        action="office.sign_document",
        detail={},
        prev_hash="f" * 64,
    )
    fake.hash = entry_hash(fake)

    _sql(
        "INSERT INTO audit_auditentry (seq, created_at, username, organization_code,"
        " organization_name, ip, user_agent, action, target_type, target_id,"
        " target_repr, outcome, detail, prev_hash, hash) VALUES"
        " (%s, %s, %s, '', '', '', '', %s, '', '', '', 'success', %s, %s, %s)",
        [
            3,
            fake.created_at,
            "mallory",
            fake.action,
            "{}",
            fake.prev_hash,
            fake.hash,
        ],
    )

    assert _verify_output() == (
        "exit 1: 日志链在序号 3 处断裂："
        "前一条摘要与链上前一条不一致（条目被插入、替换或调换顺序）"
    )


def test_an_entry_written_past_the_chain_head_is_reported():
    entries = _chain(3)

    _sql(
        "INSERT INTO audit_auditentry (seq, created_at, username, organization_code,"
        " organization_name, ip, user_agent, action, target_type, target_id,"
        " target_repr, outcome, detail, prev_hash, hash) VALUES"
        " (4, %s, 'mallory', '', '', '', '', 'office.sign_document', '', '', '',"
        " 'success', '{}', %s, %s)",
        [entries[-1].created_at, entries[-1].hash, "e" * 64],
    )

    assert _verify_output() == (
        "exit 1: 日志链在序号 4 处断裂：条目未经链头登记（疑似直接写入数据库）"
    )


def test_a_tampered_chain_head_is_reported_at_the_newest_entry():
    _chain(3)

    _sql("UPDATE audit_chainhead SET hash = %s", ["d" * 64])

    assert _verify_output() == (
        "exit 1: 日志链在序号 3 处断裂："
        "链头记录的摘要与最后一条不一致（链头或最后一条被修改）"
    )


def test_removing_the_oldest_entries_behind_a_forged_anchor_is_reported():
    entries = _chain(4)
    _sql("DELETE FROM audit_auditentry WHERE seq <= 2")

    ChainAnchor.objects.create(seq=2, hash=entries[1].hash, purge_seq=4)

    assert _verify_output() == (
        "exit 1: 日志链在序号 3 处断裂："
        "链的起始锚点没有对应的清理记录（早期条目被直接删除）"
    )


def test_the_walk_in_small_batches_covers_every_entry():
    _chain(7)
    _sql("UPDATE audit_auditentry SET action = 'x.y' WHERE seq = 6")

    report = verify_chain(batch_size=2)

    assert (report.verified, report.first_seq, report.last_seq) == (5, 1, 5)
    assert report.broken_seq == 6


def test_verify_reads_batch_size_from_the_command_line():
    _chain(3)
    out = _Buffer()

    call_command("audit", "verify", "--batch-size", "1", stdout=out)

    assert out.text == "日志链完整：已校验 3 条（序号 1 至 3）。\n"


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="批大小必须是正整数"):
        call_command("audit", "verify", "--batch-size", "0")
