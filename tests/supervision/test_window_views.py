"""The 服务窗口 pages: the administrator's setup and duty forms, 上岗 and 离岗
from the window list and the workbench, and the public rating page of a
closed window. Windows outside the viewer's reach answer 404; pages a role
may not use answer 403."""

import pytest

from egov.audit.models import AuditEntry
from egov.identity import roles as builtin
from egov.supervision import window_actions as actions
from egov.supervision.models import ServiceWindow
from tests.identity import factories as idf

pytestmark = pytest.mark.usefixtures("no_staff_2fa")


def _page(response) -> str:
    return response.content.decode()


@pytest.fixture
def hall(county):
    county.hall_window = actions.create_window(
        actor=county.people.hemin,
        code="hall-02",
        name="2号窗口（综合受理）",
        organization=county.orgs.center,
    )
    return county


def _window(code: str) -> ServiceWindow:
    return ServiceWindow.objects.get(code=code)


# --- the list ----------------------------------------------------------------


def test_the_administrator_sees_the_new_window_button_and_manages_own_windows(
    client, hall
):
    client.force_login(hall.people.hemin)

    page = _page(client.get("/staff/ratings/windows/"))

    assert 'id="sv-window-new"' in page
    assert 'href="/staff/ratings/windows/hall-02/"' in page
    assert "暂无人当班" in page
    # 市场监管局's window is not the centre's to run, nor to see.
    assert "sc-03" not in page


def test_a_clerk_sees_the_take_button_and_no_management(client, hall):
    client.force_login(hall.people.lisi)

    page = _page(client.get("/staff/ratings/windows/"))

    assert 'action="/staff/ratings/windows/hall-02/take/"' in page
    assert 'id="sv-window-new"' not in page
    assert 'href="/staff/ratings/windows/hall-02/"' not in page


def test_the_menu_names_the_windows_page_and_the_phone_page_by_permission(client, hall):
    client.force_login(hall.people.hemin)
    admin = _page(client.get("/staff/"))
    client.force_login(hall.people.zhouba)
    supervisor = _page(client.get("/staff/"))
    client.force_login(hall.people.wangwu)
    approver = _page(client.get("/staff/"))

    assert 'href="/staff/ratings/windows/"' in admin
    assert "服务窗口" in admin
    assert 'href="/staff/ratings/phone/"' not in admin
    assert 'href="/staff/ratings/phone/"' in supervisor
    assert "电话回访" in supervisor
    assert 'href="/staff/ratings/windows/"' not in approver
    assert 'href="/staff/ratings/phone/"' not in approver


# --- creating ------------------------------------------------------------------


def test_the_administrator_creates_a_window_and_lands_on_its_page(client, county):
    client.force_login(county.people.hemin)

    shown = client.get("/staff/ratings/windows/new/")
    posted = client.post(
        "/staff/ratings/windows/new/",
        {
            "code": "hall-02",
            "name": "2号窗口（综合受理）",
            "organization": county.orgs.center.pk,
        },
    )

    assert shown.status_code == 200
    assert f'<option value="{county.orgs.center.pk}">' in _page(shown)
    assert f'<option value="{county.orgs.market.pk}">' not in _page(shown)
    assert posted.status_code == 302
    assert posted["Location"] == "/staff/ratings/windows/hall-02/"
    assert _window("hall-02").organization == county.orgs.center
    page = _page(client.get(posted["Location"]))
    assert "服务窗口“2号窗口（综合受理）”已新增，请安排当班人员" in page
    assert "http://testserver/hall/ratings/windows/hall-02/" in page


def test_a_taken_code_is_shown_on_the_form_and_nothing_is_created(client, county):
    client.force_login(county.people.hemin)

    response = client.post(
        "/staff/ratings/windows/new/",
        {"code": "sc-03", "name": "另一个窗口", "organization": county.orgs.center.pk},
    )

    assert response.status_code == 400
    assert "窗口编码 sc-03 已被使用" in _page(response)
    assert ServiceWindow.objects.count() == 1


def test_an_organization_outside_the_administrators_scope_is_refused(client, county):
    client.force_login(county.people.hemin)

    response = client.post(
        "/staff/ratings/windows/new/",
        {"code": "sc-05", "name": "5号窗口", "organization": county.orgs.market.pk},
    )

    assert response.status_code == 400
    assert "请选择有效的机构" in _page(response)
    assert not ServiceWindow.objects.filter(code="sc-05").exists()


@pytest.mark.parametrize("person", ["lisi", "wangwu", "zhouba", "zhangsan"])
def test_others_may_not_open_the_new_window_page(client, county, person):
    client.force_login(getattr(county.people, person))

    assert client.get("/staff/ratings/windows/new/").status_code == 403
    assert (
        client.post(
            "/staff/ratings/windows/new/",
            {"code": "x-1", "name": "x", "organization": county.orgs.center.pk},
        ).status_code
        == 403
    )
    assert not ServiceWindow.objects.filter(code="x-1").exists()


# --- the window's page -----------------------------------------------------------


def test_another_organizations_window_answers_404_to_the_administrator(client, hall):
    client.force_login(hall.people.hemin)

    for path in ("", "edit/", "staff/", "enable/", "disable/"):
        method = client.get if path == "" else client.post
        assert method(f"/staff/ratings/windows/sc-03/{path}").status_code == 404
    assert client.get("/staff/ratings/windows/nope/").status_code == 404
    assert _window("sc-03").is_active


def test_clerks_and_supervisors_may_not_manage_windows(client, hall):
    for person in ("lisi", "zhouba"):
        client.force_login(getattr(hall.people, person))
        assert client.get("/staff/ratings/windows/hall-02/").status_code == 403
        assert client.post("/staff/ratings/windows/hall-02/disable/").status_code == 403
    assert _window("hall-02").is_active


def test_the_administrator_puts_a_clerk_on_duty_and_takes_them_off(client, hall):
    client.force_login(hall.people.hemin)

    shown = _page(client.get("/staff/ratings/windows/hall-02/"))
    on = client.post(
        "/staff/ratings/windows/hall-02/staff/", {"staff": hall.people.lisi.pk}
    )
    on_duty = _window("hall-02").staff
    off = client.post("/staff/ratings/windows/hall-02/staff/", {"off_duty": "1"})

    assert (
        f'<option value="{hall.people.lisi.pk}">李四（示范县政务服务中心）</option>'
        in (shown)
    )
    assert "邻县职员" not in shown
    assert on.status_code == 302
    assert on_duty == hall.people.lisi
    assert off.status_code == 302
    assert _window("hall-02").staff is None
    assert (
        AuditEntry.objects.filter(action="supervision.assign_window_staff").count() == 2
    )


def test_someone_from_another_county_is_refused_with_the_reason(client, hall):
    client.force_login(hall.people.hemin)

    response = client.post(
        "/staff/ratings/windows/hall-02/staff/", {"staff": hall.people.neighbour.pk}
    )

    assert response.status_code == 400
    assert "邻县职员不在示范县的机构任职，不能在该窗口当班" in _page(response)
    assert _window("hall-02").staff is None


def test_the_duty_form_asks_for_a_person(client, hall):
    client.force_login(hall.people.hemin)

    response = client.post("/staff/ratings/windows/hall-02/staff/", {"staff": ""})

    assert response.status_code == 400
    assert "请选择当班工作人员" in _page(response)


def test_the_administrator_renames_disables_and_enables_the_window(client, hall):
    client.force_login(hall.people.hemin)

    renamed = client.post(
        "/staff/ratings/windows/hall-02/edit/",
        {"name": "2号窗口（综合受理·企业）", "organization": hall.orgs.center.pk},
    )
    disabled = client.post("/staff/ratings/windows/hall-02/disable/", follow=True)
    closed = _window("hall-02")
    enabled = client.post("/staff/ratings/windows/hall-02/enable/")

    assert renamed.status_code == 302
    assert closed.name == "2号窗口（综合受理·企业）"
    assert not closed.is_active
    assert "窗口已停用" in _page(disabled)
    assert "启用窗口" in _page(disabled)
    assert enabled.status_code == 302
    assert _window("hall-02").is_active


def test_an_empty_name_is_refused_on_the_edit_form(client, hall):
    client.force_login(hall.people.hemin)

    response = client.post(
        "/staff/ratings/windows/hall-02/edit/",
        {"name": "", "organization": hall.orgs.center.pk},
    )

    assert response.status_code == 400
    assert _window("hall-02").name == "2号窗口（综合受理）"


def test_a_refusal_about_the_window_shows_at_the_top_of_its_page(client, hall):
    client.force_login(hall.people.hemin)

    response = client.post("/staff/ratings/windows/hall-02/enable/")

    assert response.status_code == 400
    assert "该窗口已是启用状态" in _page(response)


# --- 上岗 and 离岗 ---------------------------------------------------------------


def test_a_clerk_takes_and_leaves_the_window_from_the_list(client, hall):
    client.force_login(hall.people.lisi)

    taken = client.post("/staff/ratings/windows/hall-02/take/", follow=True)
    on_duty = _window("hall-02").staff
    left = client.post("/staff/ratings/windows/hall-02/leave/", follow=True)

    assert on_duty == hall.people.lisi
    assert "您已在“2号窗口（综合受理）”上岗" in _page(taken)
    assert "您正在“2号窗口（综合受理）”当班" in _page(taken)
    assert "您已从“2号窗口（综合受理）”离岗" in _page(left)
    assert _window("hall-02").staff is None


def test_the_button_returns_to_the_workbench_and_never_to_another_site(client, hall):
    client.force_login(hall.people.lisi)

    home = client.post("/staff/ratings/windows/hall-02/take/", {"next": "/staff/"})
    client.post("/staff/ratings/windows/hall-02/leave/")
    away = client.post(
        "/staff/ratings/windows/hall-02/take/", {"next": "https://evil.example/"}
    )

    assert home["Location"] == "/staff/"
    assert away["Location"] == "/staff/ratings/windows/"


def test_a_window_outside_the_clerks_scope_answers_404_to_take(client, hall):
    client.force_login(hall.people.lisi)

    response = client.post("/staff/ratings/windows/sc-03/take/")

    assert response.status_code == 404
    assert _window("sc-03").staff == hall.people.wangwu


def test_leaving_a_window_one_is_not_at_answers_404(client, hall):
    client.force_login(hall.people.lisi)

    response = client.post("/staff/ratings/windows/sc-03/leave/")

    assert response.status_code == 404
    assert _window("sc-03").staff == hall.people.wangwu


def test_taking_a_disabled_window_shows_why(client, hall):
    actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)
    client.force_login(hall.people.lisi)

    response = client.post("/staff/ratings/windows/hall-02/take/", follow=True)

    assert "该窗口已停用，不能上岗" in _page(response)
    assert _window("hall-02").staff is None


def test_the_workbench_loads_the_duty_card(client, hall):
    client.force_login(hall.people.lisi)

    workbench = _page(client.get("/staff/"))
    card = client.get("/staff/ratings/duty/")
    client.post("/staff/ratings/windows/hall-02/take/")
    on_duty = _page(client.get("/staff/ratings/duty/"))

    assert 'hx-get="/staff/ratings/duty/"' in workbench
    assert card.status_code == 200
    assert "您目前不在窗口当班。" in _page(card)
    assert 'action="/staff/ratings/windows/hall-02/take/"' in _page(card)
    assert "您正在“2号窗口（综合受理）”当班" in on_duty
    assert 'action="/staff/ratings/windows/hall-02/leave/"' in on_duty


def test_the_duty_card_is_empty_for_people_who_serve_at_no_window(client, hall):
    client.force_login(hall.people.zhouba)

    assert client.get("/staff/ratings/duty/").status_code == 204


def test_a_department_clerk_on_duty_sees_their_window_on_the_card(client, hall):
    client.force_login(hall.people.wangwu)

    page = _page(client.get("/staff/ratings/duty/"))

    assert "您正在“3号窗口（市场监管综合窗口）”当班" in page


# --- the public face ---------------------------------------------------------------


def test_a_disabled_windows_code_says_the_window_is_closed(client, hall):
    actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)

    anonymous = client.get("/hall/ratings/windows/hall-02/")
    client.force_login(hall.people.chener)
    signed_in = client.post("/hall/ratings/windows/hall-02/", {"level": "5"})

    assert anonymous.status_code == 404
    assert "该窗口已停用，暂不接受评价。" in _page(anonymous)
    assert signed_in.status_code == 404
    assert not hall.hall_window.ratings.exists()


def test_an_open_windows_code_asks_a_visitor_to_sign_in(client, hall):
    response = client.get("/hall/ratings/windows/hall-02/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_rating_page_and_my_ratings_name_the_clerk_on_duty(client, hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)
    client.force_login(hall.people.chener)

    shown = _page(client.get("/hall/ratings/windows/hall-02/"))
    client.post("/hall/ratings/windows/hall-02/", {"level": "5"})
    mine = _page(client.get("/hall/ratings/mine/"))

    assert "服务人员：李四" in shown
    assert "服务人员：李四" in mine


def test_a_township_administrator_runs_the_townships_windows_only(client, county):
    town_admin = idf.user(
        "town_admin",
        "镇管理员",
        posts=[county.posts.township_clerk],
        roles=[builtin.STAFF, builtin.ORG_ADMIN],
    )
    client.force_login(town_admin)

    page = _page(client.get("/staff/ratings/windows/new/"))

    assert f'<option value="{county.orgs.township.pk}">' in page
    assert f'<option value="{county.orgs.center.pk}">' not in page
