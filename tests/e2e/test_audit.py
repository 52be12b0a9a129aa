"""统一日志 in a real browser: the auditor finds a failed sign-in, opens the
entry with its chain hashes, and exports the filtered log to Excel."""

import io

import pytest
from openpyxl import load_workbook

from egov.audit.actions import record
from egov.audit.models import AuditEntry
from tests.e2e.session import sign_in
from tests.identity.factories import demo_county, no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_auditor_filters_failed_sign_ins_and_exports_them(page, live_server):
    county = demo_county()
    record(
        action="identity.sign_in",
        outcome=AuditEntry.Outcome.FAILED,
        username="nobody-here",
        detail={"reason": "bad_credentials"},
    )
    sign_in(page, live_server, county.people.qianshiyi)

    page.goto("/staff/")
    page.get_by_role("link", name="统一日志").click()
    page.get_by_label("结果").select_option(label="失败")
    page.get_by_role("button", name="查询").click()

    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "nobody-here" in rows.first.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出Excel").click()
    download = download_info.value
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    values = [
        str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row
    ]
    assert "nobody-here" in values
    assert AuditEntry.objects.filter(
        action__startswith="audit.export", username="qianshiyi"
    ).exists()

    rows.first.get_by_role("link").first.click()
    page.get_by_text("nobody-here").first.wait_for()
    failed = AuditEntry.objects.get(username="nobody-here")
    assert failed.hash in page.inner_text("main")


def test_system_admin_cannot_open_the_log(page, live_server):
    county = demo_county()
    sign_in(page, live_server, county.people.wujiu)

    page.goto("/staff/")
    assert page.get_by_role("link", name="统一日志").count() == 0
    response = page.goto("/staff/audit/")
    assert response.status in (403, 404)
