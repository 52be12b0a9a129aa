"""Retention: nothing younger than 180 days goes, and the chain stays verifiable."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from egov.audit.actions import purge_entries, record
from egov.audit.chain import verify_chain
from egov.audit.models import AuditEntry, ChainAnchor
from egov.core.errors import ActionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged_log(monkeypatch):
    """Five entries written 400 days ago, then three written now."""
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with monkeypatch.context() as clock:
        clock.setattr("egov.audit.actions._now", lambda: long_ago)
        for n in range(5):
            record(action="office.sign_document", detail={"old": n})
    for n in range(3):
        record(action="office.sign_document", detail={"new": n})


def _run(*args) -> str:
    lines = []

    class Out:
        def write(self, value):
            lines.append(value)

        def flush(self):
            pass

    call_command("audit", *args, stdout=Out())
    return "".join(lines)


def test_purge_removes_the_old_entries_and_verify_starts_from_the_anchor(aged_log):
    before = timezone.localdate() - timedelta(days=200)

    output = _run("purge", "--before", before.isoformat())

    assert output == (
        f"已清理 5 条 {before.isoformat()} 之前的日志（至序号 5），"
        "链从序号 5 的锚点继续；本次清理记录为序号 9。\n"
    )
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        6,
        7,
        8,
        9,
    ]
    anchor = ChainAnchor.objects.get()
    assert (anchor.seq, anchor.purge_seq) == (5, 9)
    assert anchor.hash == AuditEntry.objects.get(seq=6).prev_hash
    assert _run("verify") == "日志链完整：已校验 4 条（序号 6 至 9）。\n"


def test_the_purge_is_itself_an_entry_in_the_chain(aged_log):
    before = timezone.localdate() - timedelta(days=200)

    purge_entries(before=before, username="cli:root")

    entry = AuditEntry.objects.get(action="audit.purge_entries")
    assert (entry.username, entry.outcome) == ("cli:root", "success")
    assert entry.detail == {
        "before": before.isoformat(),
        "through_seq": 5,
        "through_hash": ChainAnchor.objects.get().hash,
        "count": 5,
    }


def test_a_cutoff_younger_than_180_days_is_refused_and_nothing_is_removed(
    aged_log,
):
    today = timezone.localdate()
    before = today - timedelta(days=179)

    with pytest.raises(CommandError) as refused:
        _run("purge", "--before", before.isoformat())

    latest = (today - timedelta(days=180)).isoformat()
    assert str(refused.value) == (
        f"拒绝清理：日志至少保存 180 天，截止日期最晚只能是 {latest}，"
        f"{before.isoformat()} 之后的日志不能清理。"
    )
    assert refused.value.returncode == 1
    assert AuditEntry.objects.filter(action="office.sign_document").count() == 8
    assert not ChainAnchor.objects.exists()
    denied = AuditEntry.objects.get(action="audit.purge_entries")
    assert (denied.outcome, denied.detail["code"]) == ("failed", "retention_period")


def test_a_shorter_retention_setting_cannot_go_below_180_days(aged_log, settings):
    settings.EGOV_AUDIT_RETENTION_DAYS = 30

    with pytest.raises(ActionError) as refused:
        purge_entries(before=timezone.localdate() - timedelta(days=100))

    assert refused.value.code == "retention_period"
    assert AuditEntry.objects.filter(action="office.sign_document").count() == 8


def test_a_longer_retention_setting_is_honoured(aged_log, settings):
    settings.EGOV_AUDIT_RETENTION_DAYS = 500

    with pytest.raises(ActionError) as refused:
        purge_entries(before=timezone.localdate() - timedelta(days=450))

    assert "日志至少保存 500 天" in str(refused.value.message)


def test_the_cutoff_date_must_be_a_date():
    with pytest.raises(CommandError) as refused:
        _run("purge", "--before", "2025-13-01")

    assert str(refused.value) == "日期格式应为 YYYY-MM-DD，例如 2025-06-30"
    assert refused.value.returncode == 2


def test_a_purge_with_nothing_old_enough_says_so(aged_log):
    before = date(2000, 1, 1)

    with pytest.raises(CommandError) as refused:
        _run("purge", "--before", before.isoformat())

    assert str(refused.value) == "2000-01-01 之前没有可清理的日志条目。"
    assert AuditEntry.objects.filter(action="office.sign_document").count() == 8


def test_entries_at_or_after_the_cutoff_stay_even_with_an_older_seq(monkeypatch):
    clock = {"now": datetime.now(UTC) - timedelta(days=400)}
    monkeypatch.setattr("egov.audit.actions._now", lambda: clock["now"])
    record(action="office.sign_document")
    # A server whose clock ran ahead wrote seq 2 with a later time than seq 3.
    clock["now"] = datetime.now(UTC) - timedelta(days=250)
    record(action="office.sign_document")
    clock["now"] = datetime.now(UTC) - timedelta(days=380)
    record(action="office.sign_document")
    monkeypatch.undo()
    before = timezone.localdate() - timedelta(days=300)

    purge_entries(before=before)

    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        2,
        3,
        4,
    ]
    assert verify_chain().intact


def test_a_purge_in_small_batches_moves_the_anchor_and_keeps_the_chain(aged_log):
    before = timezone.localdate() - timedelta(days=200)

    purge_entries(before=before, batch_size=2)

    assert ChainAnchor.objects.get().seq == 5
    assert verify_chain().message == "日志链完整：已校验 4 条（序号 6 至 9）。"


def test_a_second_purge_continues_from_the_first_anchor(monkeypatch):
    for age in (500, 450, 400, 300, 250):
        monkeypatch.setattr(
            "egov.audit.actions._now",
            lambda age=age: datetime.now(UTC) - timedelta(days=age),
        )
        record(action="office.sign_document")
    monkeypatch.undo()
    today = timezone.localdate()
    first = purge_entries(before=today - timedelta(days=420))

    second = purge_entries(before=today - timedelta(days=200))

    assert (first.through_seq, first.removed) == (2, 2)
    assert (second.through_seq, second.removed) == (5, 3)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        6,
        7,
    ]
    assert verify_chain().message == "日志链完整：已校验 2 条（序号 6 至 7）。"


def test_a_broken_chain_is_not_purged(aged_log):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET ip = '6.6.6.6' WHERE seq = 2")
    before = timezone.localdate() - timedelta(days=200)

    with pytest.raises(ActionError) as refused:
        purge_entries(before=before)

    assert str(refused.value.message) == (
        "拒绝清理：日志链在序号 2 处断裂：条目内容与其摘要不符（条目被修改）。"
        "请先查明原因。"
    )
    assert AuditEntry.objects.filter(action="office.sign_document").count() == 8
