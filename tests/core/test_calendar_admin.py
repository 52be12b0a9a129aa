"""系统管理 → 工作日历: the year view from both sources, single days, a whole
year's notice, who may do it, the banner for years not entered yet, and the
listeners that domains storing due times register."""

from datetime import date

import pytest
from django.urls import reverse

from egov.audit.models import AuditEntry
from egov.core import calendar as work_calendar
from egov.core import views
from egov.core.calendar import (
    HolidayRange,
    MakeupDay,
    add_calendar_day,
    enter_year_notice,
    notice_lines,
    uncovered_years_ahead,
    withdraw_year_notice,
    year_overview,
)
from egov.core.errors import ActionError, PermissionDenied
from egov.core.models import CalendarDay, CalendarYear
from egov.core.workdays import covered, is_workday
from tests.core.calendar_helpers import calendar_admin, plain_staff
from tests.identity.factories import no_staff_2fa

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]

NOTICE_2027 = {
    "document": "国办发明电〔2026〕9号",
    "holiday_0_name": "元旦",
    "holiday_0_start": "2027-01-01",
    "holiday_0_end": "2027-01-03",
    "holiday_1_name": "春节",
    "holiday_1_start": "2027-02-06",
    "holiday_1_end": "2027-02-14",
    "makeup_0_date": "2027-02-20",
    "makeup_0_name": "春节",
}


@pytest.fixture
def admin():
    return calendar_admin()


@pytest.fixture
def today_is_26_november(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: date(2026, 11, 26))


def body(response) -> str:
    return response.content.decode().split('id="main"')[1]


def special_rows(response) -> str:
    return body(response).split('id="egov-special-days"')[1].split("</table>")[0]


# --- who may ------------------------------------------------------------------


def test_the_menu_shows_the_calendar_to_its_keepers_only(client, admin):
    client.force_login(admin)
    keeper_page = client.get(reverse("staff:workbench")).content.decode()
    client.force_login(plain_staff())
    clerk_page = client.get(reverse("staff:workbench")).content.decode()

    assert reverse("calendar:index") in keeper_page and "工作日历" in keeper_page
    assert reverse("calendar:index") not in clerk_page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", reverse("calendar:index")),
        ("get", reverse("calendar:year", args=[2027])),
        ("post", reverse("calendar:add_day", args=[2027])),
        ("get", reverse("calendar:notice", args=[2027])),
        ("post", reverse("calendar:notice", args=[2027])),
        ("post", reverse("calendar:withdraw_notice", args=[2027])),
        ("post", reverse("calendar:remove_day", args=[1])),
    ],
)
def test_staff_without_the_permission_get_403_and_nothing_changes(client, method, url):
    client.force_login(plain_staff())

    response = getattr(client, method)(url, NOTICE_2027 if method == "post" else None)

    assert response.status_code == 403
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("calendar:year", args=[2026]))

    assert response.status_code == 302
    assert reverse("account:login") in response["Location"]


def test_a_missing_day_or_a_year_out_of_range_answers_404(client, admin):
    client.force_login(admin)

    assert client.post(reverse("calendar:remove_day", args=[999])).status_code == 404
    assert client.get(reverse("calendar:year", args=[1999])).status_code == 404
    assert client.get(reverse("calendar:year", args=[2101])).status_code == 404


def test_actions_refuse_and_log_someone_without_the_permission():
    clerk = plain_staff()

    with pytest.raises(PermissionDenied):
        add_calendar_day(actor=clerk, date=date(2027, 1, 1), kind="holiday")

    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(
        action="core.add_calendar_day", outcome="denied"
    ).exists()


# --- the year view ------------------------------------------------------------


def test_the_index_opens_this_year(client, admin, today_is_26_november):
    client.force_login(admin)

    response = client.get(reverse("calendar:index"))

    assert response["Location"] == reverse("calendar:year", args=[2026])


def test_2026_shows_the_package_holidays_and_makeup_days_marked_as_such(
    client, admin, today_is_26_november
):
    client.force_login(admin)

    response = client.get(reverse("calendar:year", args=[2026]))

    rows = special_rows(response)
    assert response.status_code == 200
    assert "2026年节假日安排来自 chinesecalendar 数据" in body(response)
    assert "2026-02-14" in rows and "2026-02-28" in rows and "2026-10-10" in rows
    assert rows.count("春节") >= 11  # nine days off, two make-up Saturdays
    assert "调休上班日" in rows and "休息日" in rows
    assert "工作日历" not in rows


def test_the_banner_warns_that_2027_is_not_entered(client, admin, today_is_26_november):
    client.force_login(admin)

    response = client.get(reverse("calendar:year", args=[2026]))

    assert (
        "2027年的节假日安排尚未录入。跨入该年的期限暂按周末推算，"
        "并向工作人员标注为“暂定”。" in body(response)
    )
    assert reverse("calendar:notice", args=[2027]) in body(response)


def test_2027_is_shown_as_unknown_with_weekends_only(
    client, admin, today_is_26_november
):
    client.force_login(admin)

    response = client.get(reverse("calendar:year", args=[2027]))

    assert "2027年节假日安排尚未掌握：本年按周末推算，计算出的期限均为暂定。" in body(
        response
    )
    assert "本年度没有节假日或调休安排。" in special_rows(response)


def test_overview_marks_days_that_override_chinesecalendar(admin):
    add_calendar_day(actor=admin, date=date(2026, 10, 4), kind="workday", name="值班")
    add_calendar_day(actor=admin, date=date(2026, 3, 3), kind="holiday", name="三月三")

    days = {info.date: info for info in year_overview(2026).special_days}

    assert days[date(2026, 10, 4)].source_label == "工作日历（覆盖chinesecalendar）"
    assert days[date(2026, 10, 4)].kind_label == "调休上班日"
    assert days[date(2026, 3, 3)].source_label == "工作日历"
    assert days[date(2026, 3, 3)].kind_label == "休息日"
    assert days[date(2026, 2, 16)].source_label == "chinesecalendar"


# --- single days --------------------------------------------------------------


def test_adding_a_holiday_shows_it_and_is_audited(client, admin, today_is_26_november):
    client.force_login(admin)

    response = client.post(
        reverse("calendar:add_day", args=[2027]),
        {"date": "2027-03-10", "kind": "holiday", "name": "三月三", "note": "自治县"},
        follow=True,
    )

    assert "已将2027-03-10设为休息日。" in body(response)
    assert "2027-03-10" in special_rows(response)
    assert is_workday(date(2027, 3, 10)) is False
    entry = AuditEntry.objects.get(action="core.add_calendar_day")
    assert entry.target_id == "2027-03-10"
    assert entry.detail["name"] == "三月三"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date": "2027-03-10", "kind": "workday"},
            "2027-03-10是工作日，调休上班日应为周六或周日",
        ),
        ({"date": "2027-02-30", "kind": "holiday"}, "日期格式应为 YYYY-MM-DD"),
        ({"date": "", "kind": "holiday"}, "请填写日期"),
        ({"date": "2027-03-10", "kind": "party"}, "请选择休息日或调休上班日"),
        ({"date": "2150-03-10", "kind": "holiday"}, "年度须在2000年至2100年之间"),
    ],
)
def test_bad_single_days_are_refused_with_a_message(client, admin, data, message):
    client.force_login(admin)

    response = client.post(reverse("calendar:add_day", args=[2027]), data)

    assert response.status_code == 400
    assert message in body(response)
    assert not CalendarDay.objects.exists()


def test_a_date_already_set_is_refused(client, admin):
    add_calendar_day(actor=admin, date=date(2027, 3, 10), kind="holiday")
    client.force_login(admin)

    response = client.post(
        reverse("calendar:add_day", args=[2027]),
        {"date": "2027-03-10", "kind": "holiday"},
    )

    assert "2027-03-10已在工作日历中，请先删除原有设置" in body(response)
    assert CalendarDay.objects.count() == 1


def test_removing_a_day_brings_back_the_package_answer(client, admin):
    day = add_calendar_day(actor=admin, date=date(2026, 10, 4), kind="workday")
    client.force_login(admin)

    response = client.post(reverse("calendar:remove_day", args=[day.pk]), follow=True)

    assert "已删除2026-10-04的设置。" in body(response)
    assert is_workday(date(2026, 10, 4)) is False
    assert AuditEntry.objects.filter(action="core.remove_calendar_day").count() == 1


# --- a year's notice ----------------------------------------------------------


def test_the_notice_form_lists_the_festivals_to_fill_in(client, admin):
    client.force_login(admin)

    response = client.get(reverse("calendar:notice", args=[2027]))

    page = body(response)
    for festival in ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"):
        assert f'aria-label="{festival} 放假开始"' in page
    assert 'aria-label="调休上班日1 日期"' in page


def test_entering_2027_covers_the_year_and_shows_its_days(
    client, admin, today_is_26_november
):
    client.force_login(admin)

    response = client.post(
        reverse("calendar:notice", args=[2027]), NOTICE_2027, follow=True
    )

    page = body(response)
    assert "已录入2027年节假日安排，所有未办结事项的期限已按新日历计算。" in page
    assert "2027年节假日安排已录入（国办发明电〔2026〕9号）" in page
    assert "2027年的节假日安排尚未录入" not in page
    assert covered(date(2027, 6, 1)) is True
    assert is_workday(date(2027, 2, 8)) is False
    assert is_workday(date(2027, 2, 20)) is True
    assert CalendarDay.objects.filter(notice__year=2027).count() == 13
    entry = AuditEntry.objects.get(action="core.enter_year_notice")
    assert entry.detail["workdays"] == ["2027-02-20"]
    assert entry.detail["replaced"] is False


def test_re_entering_a_notice_replaces_its_days_and_keeps_single_days(admin):
    add_calendar_day(actor=admin, date=date(2027, 3, 10), kind="holiday", name="三月三")
    add_calendar_day(actor=admin, date=date(2027, 1, 1), kind="holiday", name="手工")
    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
    )

    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("春节", date(2027, 2, 6), date(2027, 2, 14))],
    )

    assert not CalendarDay.objects.filter(date__month=1).exists()
    assert CalendarDay.objects.filter(notice__year=2027).count() == 9
    assert CalendarDay.objects.get(date=date(2027, 3, 10)).notice is None
    assert is_workday(date(2027, 1, 1)) is True


def test_the_notice_form_shows_what_was_entered(client, admin):
    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("春节", date(2027, 2, 6), date(2027, 2, 14))],
        makeup_days=[MakeupDay("春节", date(2027, 2, 20))],
        document="国办发明电〔2026〕9号",
    )
    client.force_login(admin)

    page = body(client.get(reverse("calendar:notice", args=[2027])))

    assert 'value="2027-02-06"' in page and 'value="2027-02-14"' in page
    assert 'value="2027-02-20"' in page
    assert 'value="国办发明电〔2026〕9号"' in page


def test_the_notice_form_for_2026_starts_from_chinesecalendar(client, admin):
    client.force_login(admin)

    page = body(client.get(reverse("calendar:notice", args=[2026])))

    assert page.count('value="清明节"') == 1 and page.count('value="中秋节"') == 1
    assert 'value="2026-02-15"' in page and 'value="2026-02-23"' in page
    assert 'value="2026-09-20"' in page and 'value="2026-10-10"' in page


def test_notice_lines_group_consecutive_days_and_read_the_package_for_2026():
    holidays, makeups = notice_lines(2026)

    assert HolidayRange("春节", date(2026, 2, 15), date(2026, 2, 23)) in holidays
    assert HolidayRange("国庆节", date(2026, 10, 1), date(2026, 10, 7)) in holidays
    assert MakeupDay("春节", date(2026, 2, 14)) in makeups
    assert [m.date for m in makeups if m.name == "国庆节"] == [
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holiday_1_end": "2027-02-01"}, "结束日期不能早于开始日期"),
        ({"holiday_1_name": ""}, "请填写节日名称"),
        ({"holiday_1_end": ""}, "请同时填写放假开始和结束日期"),
        ({"holiday_1_start": "2027-13-01"}, "日期格式应为 YYYY-MM-DD"),
        (
            {"makeup_0_date": "2027-02-22"},
            "2027-02-22是工作日，调休上班日应为周六或周日",
        ),
        ({"makeup_0_date": "2027-02-07"}, "2027-02-07在通知中重复出现"),
        ({"holiday_1_end": "2027-03-06"}, "春节放假超过15天，请检查日期"),
        (
            {"holiday_0_start": "2026-11-30", "holiday_0_end": "2026-11-30"},
            "2026-11-30不在2027年节假日安排的范围内",
        ),
        (
            {"holiday_1_start": "2028-01-01", "holiday_1_end": "2028-01-01"},
            "2028-01-01不在2027年节假日安排的范围内",
        ),
    ],
)
def test_bad_notices_are_refused_field_by_field_and_change_nothing(
    client, admin, changes, message
):
    client.force_login(admin)

    response = client.post(
        reverse("calendar:notice", args=[2027]), {**NOTICE_2027, **changes}
    )

    assert response.status_code == 400
    assert message in body(response)
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_an_empty_notice_is_refused(client, admin):
    client.force_login(admin)

    response = client.post(reverse("calendar:notice", args=[2027]), {"document": "x"})

    assert "请至少填写一个节假日" in body(response)
    assert not CalendarYear.objects.exists()


def test_a_date_held_by_another_years_notice_is_refused(admin):
    enter_year_notice(
        actor=admin,
        year=2028,
        holidays=[HolidayRange("元旦", date(2027, 12, 31), date(2028, 1, 2))],
    )

    with pytest.raises(ActionError) as refused:
        enter_year_notice(
            actor=admin,
            year=2027,
            holidays=[HolidayRange("跨年", date(2027, 12, 30), date(2027, 12, 31))],
        )

    assert refused.value.message == "2027-12-31已属于2028年的节假日安排"
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_withdrawing_a_notice_uncovers_the_year_again(client, admin):
    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
    )
    client.force_login(admin)

    response = client.post(
        reverse("calendar:withdraw_notice", args=[2027]), follow=True
    )

    assert "已撤销2027年节假日安排的录入。" in body(response)
    assert covered(date(2027, 1, 1)) is False
    assert not CalendarDay.objects.exists()
    with pytest.raises(ActionError) as refused:
        withdraw_year_notice(actor=admin, year=2027)
    assert refused.value.message == "2027年的节假日安排尚未录入"


# --- the warning, and domains that store due times ----------------------------


def test_uncovered_years_ahead_warns_from_october_about_next_year(admin):
    assert uncovered_years_ahead(date(2026, 6, 1)) == []
    assert uncovered_years_ahead(date(2026, 11, 26)) == [2027]
    assert uncovered_years_ahead(date(2027, 3, 1)) == [2027]

    enter_year_notice(
        actor=admin,
        year=2027,
        holidays=[HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3))],
    )

    assert uncovered_years_ahead(date(2026, 11, 26)) == []


def test_listeners_hear_the_changed_years_after_commit(
    admin, django_capture_on_commit_callbacks
):
    heard = []
    work_calendar.register_calendar_listener("test", heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enter_year_notice(
                actor=admin,
                year=2027,
                holidays=[HolidayRange("元旦", date(2026, 12, 31), date(2027, 1, 2))],
            )
        with django_capture_on_commit_callbacks(execute=True):
            add_calendar_day(actor=admin, date=date(2027, 3, 10), kind="holiday")
    finally:
        work_calendar.unregister_calendar_listener("test")

    assert heard == [{2026, 2027}, {2027}]


def test_a_failing_listener_does_not_stop_the_others(
    admin, django_capture_on_commit_callbacks
):
    heard = []

    def broken(years):
        raise RuntimeError("projection table locked")

    work_calendar.register_calendar_listener("broken", broken)
    work_calendar.register_calendar_listener("fine", heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            add_calendar_day(actor=admin, date=date(2027, 3, 10), kind="holiday")
    finally:
        work_calendar.unregister_calendar_listener("broken")
        work_calendar.unregister_calendar_listener("fine")

    assert heard == [{2027}]
