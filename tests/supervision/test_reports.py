"""The 好差评 report: counts per level, satisfaction rate and rectification
on-time rate by department, item and window over a period, exactly; the
Excel export carries the same figures."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision.models import Rectification, ServiceRating
from tests.identity.factories import fresh
from tests.supervision import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
RATED = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)
# 15 working days from 10 November end on 1 December.
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=SHANGHAI)
NOVEMBER = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}


def _rate_case(county, level, *, applicant=None, organization=None):
    case = factories.case(county, applicant=applicant, organization=organization)
    return actions.rate_case(
        actor=applicant or county.people.zhangsan, case=case, level=level
    )


def _set(rating, *, at=RATED, rect=None):
    ServiceRating.objects.filter(pk=rating.pk).update(created_at=at)
    if rect is not None:
        Rectification.objects.filter(rating=rating).update(opened_at=at, **rect)


@pytest.fixture
def ratings(county):
    """November: 市场监管局 rated 5, 4, 3 (window), 2 closed on time, 2 closed
    late, 1 open and overdue, and 1 at the window set aside on appeal; the
    service centre once 2, still in time; and a 5 in October."""
    people = county.people
    _set(_rate_case(county, 5))
    _set(_rate_case(county, 4, applicant=people.chener))
    _set(actions.rate_window(actor=people.zhangsan, window=county.window, level=3))
    on_time = _rate_case(county, 2)
    _set(
        on_time,
        rect={
            "state": "closed",
            "closed_at": datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI),
        },
    )
    late = _rate_case(county, 2)
    _set(
        late,
        rect={
            "state": "closed",
            "closed_at": datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),
        },
    )
    _set(_rate_case(county, 1), rect={})
    set_aside = actions.rate_window(actor=people.chener, window=county.window, level=1)
    _set(set_aside, rect={})
    actions.appeal_rating(
        actor=people.wangwu, rectification=set_aside.rectification, reason="恶意评价"
    )
    actions.review_appeal(
        actor=people.zhouba, rectification=set_aside.rectification, uphold=True
    )
    centre = _rate_case(county, 2, organization=county.orgs.center)
    _set(centre)
    Rectification.objects.filter(rating=centre).update(
        opened_at=datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    )
    _set(_rate_case(county, 5), at=datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))


def _figures(row):
    return {
        "label": row.label,
        "levels": row.level_counts,
        "total": row.total,
        "satisfaction": row.satisfaction_percent,
        "rectifications": row.rectifications,
        "closed": row.closed,
        "on_time": row.closed_on_time,
        "overdue": row.overdue_open,
        "on_time_rate": row.on_time_percent,
    }


MARKET = {
    "label": "示范县市场监督管理局",
    "levels": [1, 1, 1, 2, 1],
    "total": 6,
    "satisfaction": "50.0",
    "rectifications": 3,
    "closed": 2,
    "on_time": 1,
    "overdue": 1,
    "on_time_rate": "33.3",
}
CENTRE = {
    "label": "示范县政务服务中心",
    "levels": [0, 0, 0, 1, 0],
    "total": 1,
    "satisfaction": "0.0",
    "rectifications": 1,
    "closed": 0,
    "on_time": 0,
    "overdue": 0,
    "on_time_rate": "",
}


def test_by_department_the_supervisor_sees_every_department_and_the_total(
    county, ratings
):
    report = queries.report(
        fresh(county.people.zhouba), grouping="department", now=NOW, **NOVEMBER
    )

    assert [_figures(row) for row in report.rows] == [MARKET, CENTRE]
    assert _figures(report.total) == {
        "label": "合计",
        "levels": [1, 1, 1, 3, 1],
        "total": 7,
        "satisfaction": "42.9",
        "rectifications": 4,
        "closed": 2,
        "on_time": 1,
        "overdue": 1,
        "on_time_rate": "33.3",
    }


def test_a_department_leader_sees_only_their_department(county, ratings):
    report = queries.report(fresh(county.people.zhaoliu), now=NOW, **NOVEMBER)

    assert [_figures(row) for row in report.rows] == [MARKET]


def test_by_window_only_window_visits_count(county, ratings):
    report = queries.report(
        fresh(county.people.zhouba), grouping="window", now=NOW, **NOVEMBER
    )

    assert [(r.label, r.level_counts, r.satisfaction_percent) for r in report.rows] == [
        ("3号窗口（市场监管综合窗口）", [0, 0, 1, 0, 0], "100.0")
    ]


def test_by_item_case_ratings_are_counted_under_the_item_name(county, ratings):
    report = queries.report(
        fresh(county.people.zhouba), grouping="item", now=NOW, **NOVEMBER
    )

    assert [(r.label, r.level_counts, r.total) for r in report.rows] == [
        ("食品经营许可", [1, 1, 0, 3, 1], 6)
    ]


def test_the_period_is_inclusive_in_shanghai_time(county, ratings):
    october = queries.report(
        fresh(county.people.zhouba),
        date_from=date(2026, 10, 20),
        date_to=date(2026, 10, 20),
        now=NOW,
    )

    assert october.total.level_counts == [1, 0, 0, 0, 0]


def test_the_excel_export_carries_the_report_figures(
    client, county, ratings, no_staff_2fa
):
    client.force_login(county.people.zhouba)

    response = client.get(
        "/staff/ratings/reports/export/",
        {"grouping": "department", "date_from": "2026-11-01", "date_to": "2026-11-30"},
    )

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "好差评统计（2026-11-01至2026-11-30）"
    assert rows[1] == [
        "责任部门",
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
        "评价总数",
        "满意率",
        "整改工单",
        "已办结",
        "按期办结",
        "逾期未办结",
        "按期整改率",
    ]
    assert rows[2][:8] == ["示范县市场监督管理局", 1, 1, 1, 2, 1, 6, 0.5]
    assert rows[4][0] == "合计"
    assert rows[4][6] == 7


def test_by_month_each_calendar_month_in_shanghai_time_is_a_row(county, ratings):
    report = queries.report(
        fresh(county.people.zhouba),
        grouping="month",
        date_from=date(2026, 10, 1),
        date_to=date(2026, 11, 30),
        now=NOW,
    )

    assert [(r.label, r.level_counts, r.rectifications) for r in report.rows] == [
        ("2026-10", [1, 0, 0, 0, 0], 0),
        ("2026-11", [1, 1, 1, 3, 1], 4),
    ]
