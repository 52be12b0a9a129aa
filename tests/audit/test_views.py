"""The auditor's pages: filters, keyset pages, one entry, and the Excel export."""

import io
from datetime import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from egov.audit.actions import record
from egov.audit.export import headers
from egov.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST = "/staff/audit/"
EXPORT = "/staff/audit/export/"


def _at(text: str):
    return timezone.make_aware(datetime.fromisoformat(text))


def _record_at(monkeypatch, when: str, **kwargs) -> AuditEntry:
    monkeypatch.setattr("egov.audit.actions._now", lambda: _at(when))
    try:
        return record(**kwargs)
    finally:
        monkeypatch.undo()


@pytest.fixture
def signed_in(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def log(monkeypatch, make_person, county, clerk):
    civil = make_person("wangwu", "王五", organization=county["bureau"])
    head = make_person("zhaoliu", "赵六", organization=county["government"])
    return {
        "clerk_signs_in": _record_at(
            monkeypatch,
            "2026-01-10 09:00",
            actor=clerk,
            action="identity.sign_in",
            target=clerk,
        ),
        "stranger_fails": _record_at(
            monkeypatch,
            "2026-01-10 10:00",
            action="identity.sign_in",
            outcome="failed",
            username="zhangsan",
            detail={"reason": "bad_credentials"},
        ),
        "civil_accepts": _record_at(
            monkeypatch,
            "2026-01-11 08:30",
            actor=civil,
            action="servicehall.accept_case",
            detail={"case": "A-1"},
        ),
        "clerk_denied": _record_at(
            monkeypatch,
            "2026-01-12 15:45",
            actor=clerk,
            action="servicehall.refuse_case",
            outcome="denied",
            detail={"code": "permission_denied"},
        ),
        "head_signs": _record_at(
            monkeypatch,
            "2026-01-12 16:00",
            actor=head,
            action="office.sign_document",
        ),
    }


def _shown(response) -> list[int]:
    return [entry.seq for entry in response.context["page"].entries]


def _seqs(log, *names) -> list[int]:
    return sorted((log[name].seq for name in names), reverse=True)


def test_the_auditor_sees_the_newest_entries_first_with_chinese_labels(signed_in, log):
    response = signed_in.get(LIST)

    assert response.status_code == 200
    shown = _shown(response)
    assert shown == sorted(shown, reverse=True)
    assert set(_seqs(log, *log)) <= set(shown)
    page = response.content.decode()
    assert "统一日志" in page
    assert "账号或密码错误" in page
    assert '<span class="badge text-bg-danger">拒绝</span>' in page
    assert "导出Excel" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "zhangsan"}, ["stranger_fails"]),
        ({"user": "李四"}, ["clerk_signs_in", "clerk_denied"]),
        ({"user": "lisi"}, ["clerk_signs_in", "clerk_denied"]),
        ({"organization": "GOV"}, ["head_signs"]),
        (
            {"organization": "GOV", "include_children": "on"},
            ["clerk_signs_in", "clerk_denied", "head_signs"],
        ),
        ({"organization": "CIVIL"}, ["civil_accepts"]),
        ({"action": "servicehall."}, ["civil_accepts", "clerk_denied"]),
        ({"action": "servicehall.refuse_case"}, ["clerk_denied"]),
        ({"outcome": "denied"}, ["clerk_denied"]),
        ({"outcome": "failed"}, ["stranger_fails"]),
        (
            {"start": "2026-01-11T00:00", "end": "2026-01-12T15:45"},
            ["civil_accepts", "clerk_denied"],
        ),
        (
            {"start": "2026-01-10", "end": "2026-01-10"},
            ["clerk_signs_in", "stranger_fails"],
        ),
        (
            {"user": "lisi", "outcome": "success", "end": "2026-01-31 00:00"},
            ["clerk_signs_in"],
        ),
    ],
)
def test_filters_narrow_the_list(signed_in, log, query, expected):
    response = signed_in.get(LIST, query)

    assert response.status_code == 200
    assert _shown(response) == _seqs(log, *expected)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-30T08:00"}, "请输入有效的时间，例如 2026-01-31 08:30"),
        ({"end": "yesterday"}, "请输入有效的时间，例如 2026-01-31 08:30"),
        (
            {"start": "2026-01-12T00:00", "end": "2026-01-11T00:00"},
            "结束时间不能早于开始时间",
        ),
        ({"organization": "NOPE"}, "请选择有效的机构"),
        ({"outcome": "maybe"}, "请选择有效的结果"),
    ],
)
def test_bad_filters_show_a_message_and_no_list(signed_in, log, query, message):
    response = signed_in.get(LIST, query)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert f'<div class="invalid-feedback">{message}</div>' in response.content.decode()


def test_pages_walk_the_log_by_seq_in_both_directions(signed_in, clerk):
    made = [
        record(actor=clerk, action="office.read_notice", detail={"n": n}).seq
        for n in range(120)
    ]
    newest_first = list(reversed(made))

    first = signed_in.get(LIST, {"action": "office."})
    second = signed_in.get(
        LIST, {"action": "office.", "before": first.context["page"].older}
    )
    third = signed_in.get(
        LIST, {"action": "office.", "before": second.context["page"].older}
    )
    back = signed_in.get(
        LIST, {"action": "office.", "after": third.context["page"].newer}
    )

    assert _shown(first) == newest_first[:50]
    assert first.context["page"].newer is None
    assert _shown(second) == newest_first[50:100]
    assert _shown(third) == newest_first[100:]
    assert third.context["page"].older is None
    assert _shown(back) == newest_first[50:100]
    assert f"before={newest_first[49]}" in first.content.decode()


def test_a_cursor_typed_by_hand_shows_the_first_page(signed_in, log):
    response = signed_in.get(LIST, {"before": "abc"})

    assert response.status_code == 200
    assert response.context["page"].is_first


def test_an_entry_page_shows_every_field_and_the_chain_hashes(signed_in, log):
    entry = log["clerk_denied"]

    response = signed_in.get(reverse("audit:entry_detail", args=[entry.seq]))

    page = response.content.decode()
    assert response.status_code == 200
    assert entry.hash in page
    assert entry.prev_hash in page
    assert "摘要与内容一致" in page
    assert "李四（lisi）" in page
    assert "县政府办公室" in page
    assert "2026-01-12 15:45:00.000000" in page
    assert "permission_denied" in page


def test_an_entry_page_warns_when_the_entry_was_edited(signed_in, log):
    entry = log["civil_accepts"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET target_repr = 'x' WHERE seq = %s", [entry.seq]
        )

    response = signed_in.get(reverse("audit:entry_detail", args=[entry.seq]))

    assert "摘要与内容不一致，条目可能被修改" in response.content.decode()


def test_a_missing_entry_answers_404(signed_in, log):
    response = signed_in.get(reverse("audit:entry_detail", args=[99999]))

    assert response.status_code == 404


def _workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_the_export_holds_the_filtered_entries_and_is_itself_logged(
    signed_in, auditor, log
):
    response = signed_in.post(EXPORT, {"action": "servicehall."})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="audit-log-'
    )
    sheet = _workbook(response)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == headers()
    denied, accepted = rows[1:]
    assert denied[:4] == [
        log["clerk_denied"].seq,
        datetime(2026, 1, 12, 15, 45),
        "lisi",
        "李四",
    ]
    assert denied[5] == "县政府办公室"
    assert denied[8] == "servicehall.refuse_case"
    assert denied[13] == "拒绝"
    assert denied[14] == '{"code": "permission_denied"}'
    assert denied[15] == log["clerk_denied"].hash
    assert accepted[0] == log["civil_accepts"].seq
    export = AuditEntry.objects.get(action="audit.export_entries")
    assert (export.user, export.outcome) == (auditor, "success")
    assert export.detail == {"filters": {"action": "servicehall."}, "rows": 2}


def test_exported_text_never_becomes_a_formula(signed_in, log):
    record(
        action="identity.sign_in",
        outcome="failed",
        username="=1+2",
        user_agent="curl\x07",
    )

    response = signed_in.post(EXPORT, {"user": "=1+2"})

    sheet = _workbook(response)
    account, agent = sheet.cell(row=2, column=3), sheet.cell(row=2, column=8)
    assert (account.value, account.data_type) == ("=1+2", "s")
    assert agent.value == "curl"


def test_an_export_over_the_row_limit_is_refused_with_a_message(
    signed_in, log, monkeypatch
):
    monkeypatch.setattr("egov.audit.export.EXPORT_ROW_LIMIT", 3)

    response = signed_in.post(EXPORT, {"action": "", "outcome": ""}, follow=True)

    assert response.redirect_chain[-1][0] == LIST + "?action=&outcome="
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["符合条件的日志超过 3 条，无法导出，请缩小筛选范围后再导出。"]
    refused = AuditEntry.objects.get(action="audit.export_entries")
    assert (refused.outcome, refused.detail["code"]) == ("failed", "export_too_large")


def test_an_export_with_bad_filters_says_what_is_wrong(signed_in, log):
    response = signed_in.post(EXPORT, {"start": "soon"}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["请输入有效的时间，例如 2026-01-31 08:30"]
    assert not AuditEntry.objects.filter(action="audit.export_entries").exists()
