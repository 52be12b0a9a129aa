"""系统管理 → 工作日历 in a real browser: an administrator enters 2027's
holidays, which chinesecalendar does not know yet, and sees them."""

from datetime import date

import pytest

from egov.core.workdays import covered, is_workday
from tests.core.calendar_helpers import calendar_admin
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_an_administrator_enters_2027_holidays_and_sees_them(page, live_server):
    sign_in(page, live_server, calendar_admin())

    page.goto("/staff/")
    page.get_by_role("link", name="工作日历").click()
    page.get_by_role("heading", name="工作日历 ·").wait_for()
    page.goto("/staff/calendar/2027/")
    page.get_by_text("2027年节假日安排尚未掌握").wait_for()
    page.get_by_role("link", name="录入2027年节假日安排").click()

    page.get_by_label("通知文号").fill("国办发明电〔2026〕9号")
    page.get_by_label("元旦 放假开始").fill("2027-01-01")
    page.get_by_label("元旦 放假结束").fill("2027-01-03")
    page.get_by_label("春节 放假开始").fill("2027-02-06")
    page.get_by_label("春节 放假结束").fill("2027-02-14")
    page.get_by_label("调休上班日1 日期").fill("2027-02-20")
    page.get_by_label("调休上班日1 所属节日").fill("春节")
    page.get_by_role("button", name="保存节假日安排").click()

    assert page.locator(".alert-success").inner_text().strip() == (
        "已录入2027年节假日安排，所有未办结事项的期限已按新日历计算。"
    )
    page.get_by_text("2027年节假日安排已录入（国办发明电〔2026〕9号）").wait_for()
    table = page.locator("#egov-special-days")
    feb_8 = table.locator("tr", has_text="2027-02-08")
    assert "休息日" in feb_8.inner_text() and "春节" in feb_8.inner_text()
    feb_20 = table.locator("tr", has_text="2027-02-20")
    assert "调休上班日" in feb_20.inner_text()
    assert page.locator("td.egov-cal-holiday[title^='2027-02-08']").count() == 1

    page.get_by_label("日期").fill("2027-03-10")
    page.get_by_label("安排").select_option(label="休息日")
    page.get_by_label("名称").fill("三月三")
    page.get_by_role("button", name="添加").click()

    page.get_by_text("已将2027-03-10设为休息日。").wait_for()
    assert "三月三" in table.locator("tr", has_text="2027-03-10").inner_text()
    assert covered(date(2027, 6, 1)) is True
    assert is_workday(date(2027, 2, 8)) is False
    assert is_workday(date(2027, 3, 10)) is False
