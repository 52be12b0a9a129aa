"""`egov demo` adds the hall's numbered windows, two with a clerk on duty, and
rates the concluded demo cases; loading again changes nothing."""

from egov.identity import demo as identity_demo
from egov.supervision import demo
from egov.supervision.models import Rectification, ServiceRating, ServiceWindow
from tests.supervision import factories


def test_the_demo_adds_the_windows_the_demo_items_name_once(db):
    identity_demo.load()

    first = demo.load()
    again = demo.load()

    windows = {w.code: w for w in ServiceWindow.objects.select_related("organization")}
    assert first == {"windows": len(windows)}
    assert again == {}
    assert windows["hall-03"].name == "3号窗口（市场监管综合窗口）"
    assert windows["hall-03"].organization.name == "示范县市场监督管理局"
    assert windows["hall-01"].name == "1号窗口（商事登记窗口）"
    assert windows["hall-02"].organization.name == "示范县政务服务中心"
    assert len(windows) == 8
    on_duty = {
        code: window.staff.username
        for code, window in windows.items()
        if window.staff is not None
    }
    assert on_duty == {"hall-01": "liuyang", "hall-02": "lisi"}


def test_the_demo_rates_concluded_cases_and_skips_rated_ones(county):
    concluded = [factories.case(county) for _ in range(5)]
    factories.case(county, state="accepted")

    first = demo.load()
    again = demo.load()

    assert first["ratings"] == 5
    assert "ratings" not in again
    levels = dict(ServiceRating.objects.values_list("case_id", "level"))
    assert [levels[c.pk] for c in concluded] == [5, 4, 5, 3, 2]
    assert Rectification.objects.get().rating.case == concluded[4]
