"""服务窗口: the administrator sets up windows and puts staff on duty; staff
take a window for their shift and leave it. Refusals change nothing and are
audited; every change of duty is in the log."""

import pytest

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.identity import roles as builtin
from egov.identity.models import User
from egov.supervision import rating_actions
from egov.supervision import window_actions as actions
from egov.supervision.models import ServiceWindow
from tests.identity import factories as idf


@pytest.fixture
def hall(county):
    """The centre's 2号窗口 (综合受理), set up by 何敏, its administrator;
    刘芳, a second window clerk of the centre."""
    county.hall_window = actions.create_window(
        actor=county.people.hemin,
        code="hall-02",
        name="2号窗口（综合受理）",
        organization=county.orgs.center,
    )
    county.people.liufang = idf.user(
        "liufang",
        "刘芳",
        posts=[county.posts.center_window],
        roles=[builtin.STAFF, builtin.WINDOW_CLERK],
    )
    return county


BAD_CODE = "窗口编码为2至32位小写字母、数字或连字符，以字母或数字开头和结尾，如 hall-01"


def _entries(action: str, outcome: str = "success"):
    """The entries of `action` with `outcome`, oldest first."""
    return list(
        AuditEntry.objects.filter(action=action, outcome=outcome).order_by("pk")
    )


# --- setting windows up -----------------------------------------------------


def test_the_centres_administrator_creates_a_window_with_a_lower_case_code(county):
    window = actions.create_window(
        actor=county.people.hemin,
        code="  Hall-02 ",
        name=" 2号窗口（综合受理） ",
        organization=county.orgs.center,
    )

    window.refresh_from_db()
    assert (window.code, window.name) == ("hall-02", "2号窗口（综合受理）")
    assert window.organization == county.orgs.center
    assert window.is_active
    assert window.staff is None
    [entry] = _entries("supervision.create_window")
    assert entry.user == county.people.hemin
    assert entry.detail == {
        "code": "hall-02",
        "name": "2号窗口（综合受理）",
        "organization": "139921-120",
    }


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("", "code_required", "请填写窗口编码"),
        (
            "hall 02",
            "code_invalid",
            BAD_CODE,
        ),
        (
            "-hall",
            "code_invalid",
            BAD_CODE,
        ),
        (
            "hall--02",
            "code_invalid",
            BAD_CODE,
        ),
        (
            "h",
            "code_invalid",
            BAD_CODE,
        ),
        (
            "窗口二",
            "code_invalid",
            BAD_CODE,
        ),
        (
            "a" * 33,
            "code_invalid",
            BAD_CODE,
        ),
        ("new", "code_reserved", "“new”为系统保留字，不能用作窗口编码"),
        ("SC-03", "code_taken", "窗口编码 sc-03 已被使用"),
    ],
)
def test_a_bad_or_taken_code_is_refused_and_nothing_is_created(
    county, code, error, message
):
    with pytest.raises(ActionError) as refused:
        actions.create_window(
            actor=county.people.hemin,
            code=code,
            name="2号窗口",
            organization=county.orgs.center,
        )

    assert refused.value.code == error
    assert refused.value.message == message
    assert refused.value.fields == {"code": message}
    assert list(ServiceWindow.objects.values_list("code", flat=True)) == ["sc-03"]
    [failed] = _entries("supervision.create_window", "failed")
    assert failed.detail["code"] == error


def test_a_window_needs_a_name_of_at_most_100_characters(county):
    for name, message in (
        ("  ", "请填写窗口名称"),
        ("窗" * 101, "窗口名称不能超过100个字"),
    ):
        with pytest.raises(ActionError) as refused:
            actions.create_window(
                actor=county.people.hemin,
                code="hall-02",
                name=name,
                organization=county.orgs.center,
            )
        assert refused.value.fields == {"name": message}
    assert not ServiceWindow.objects.filter(code="hall-02").exists()


def test_a_window_needs_an_active_organization(county):
    county.orgs.center.is_active = False
    county.orgs.center.save()

    with pytest.raises(ActionError) as missing:
        actions.create_window(
            actor=county.people.hemin, code="hall-02", name="2号窗口", organization=None
        )
    with pytest.raises(ActionError) as inactive:
        actions.create_window(
            actor=county.people.hemin,
            code="hall-02",
            name="2号窗口",
            organization=county.orgs.center,
        )

    assert missing.value.fields == {"organization": "请选择所属机构"}
    assert inactive.value.fields == {"organization": "所选机构已停用"}
    assert not ServiceWindow.objects.filter(code="hall-02").exists()


def test_an_administrator_cannot_open_a_window_for_another_organization(county):
    with pytest.raises(PermissionDenied):
        actions.create_window(
            actor=county.people.hemin,
            code="sc-05",
            name="5号窗口",
            organization=county.orgs.market,
        )

    assert not ServiceWindow.objects.filter(code="sc-05").exists()
    [denied] = _entries("supervision.create_window", "denied")
    assert denied.user == county.people.hemin


@pytest.mark.parametrize("person", ["lisi", "wangwu", "zhouba", "zhangsan"])
def test_clerks_departments_supervisors_and_citizens_create_no_windows(county, person):
    with pytest.raises(PermissionDenied):
        actions.create_window(
            actor=getattr(county.people, person),
            code="hall-02",
            name="2号窗口",
            organization=county.orgs.center,
        )

    assert not ServiceWindow.objects.filter(code="hall-02").exists()


def test_the_administrator_renames_a_window_and_the_code_stays(hall):
    actions.update_window(
        actor=hall.people.hemin,
        window=hall.hall_window,
        name="2号窗口（综合受理·企业）",
        organization=hall.orgs.center,
    )

    window = ServiceWindow.objects.get(pk=hall.hall_window.pk)
    assert (window.code, window.name) == ("hall-02", "2号窗口（综合受理·企业）")
    [entry] = _entries("supervision.update_window")
    assert entry.detail == {
        "changes": {"name": ["2号窗口（综合受理）", "2号窗口（综合受理·企业）"]}
    }


def test_a_window_cannot_be_moved_to_an_organization_out_of_scope(hall):
    with pytest.raises(PermissionDenied):
        actions.update_window(
            actor=hall.people.hemin,
            window=hall.hall_window,
            name="2号窗口",
            organization=hall.orgs.market,
        )

    hall.hall_window.refresh_from_db()
    assert hall.hall_window.organization == hall.orgs.center


def test_another_organizations_administrator_cannot_change_the_window(hall):
    with pytest.raises(PermissionDenied):
        actions.update_window(
            actor=hall.people.zhaoliu,
            window=hall.hall_window,
            name="改名",
            organization=hall.orgs.center,
        )
    with pytest.raises(PermissionDenied):
        actions.disable_window(actor=hall.people.zhaoliu, window=hall.hall_window)
    with pytest.raises(PermissionDenied):
        actions.assign_window_staff(
            actor=hall.people.zhaoliu, window=hall.hall_window, staff=hall.people.lisi
        )

    window = ServiceWindow.objects.get(pk=hall.hall_window.pk)
    assert (window.name, window.is_active, window.staff) == (
        "2号窗口（综合受理）",
        True,
        None,
    )
    assert len(_entries("supervision.assign_window_staff", "denied")) == 1


def test_moving_a_window_away_from_its_staffs_region_is_refused(county):
    neighbour_admin = idf.user(
        "linxian_admin",
        "邻县管理员",
        posts=[county.posts.neighbour_clerk, county.posts.center_head],
        roles=[builtin.STAFF, builtin.ORG_ADMIN],
    )
    window = actions.create_window(
        actor=neighbour_admin,
        code="hall-02",
        name="2号窗口",
        organization=county.orgs.center,
    )
    actions.assign_window_staff(
        actor=neighbour_admin, window=window, staff=county.people.lisi
    )

    with pytest.raises(ActionError) as refused:
        actions.update_window(
            actor=neighbour_admin,
            window=window,
            name="2号窗口",
            organization=county.orgs.neighbour,
        )

    assert refused.value.fields == {
        "organization": "李四不在邻县的机构任职，不能在该窗口当班"
    }
    window.refresh_from_db()
    assert window.organization == county.orgs.center


# --- enabling and disabling -------------------------------------------------


def test_disabling_takes_the_staff_off_duty_and_enabling_opens_it_again(hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)
    closed = ServiceWindow.objects.get(pk=hall.hall_window.pk)
    actions.enable_window(actor=hall.people.hemin, window=closed)
    opened = ServiceWindow.objects.get(pk=hall.hall_window.pk)

    assert (closed.is_active, closed.staff) == (False, None)
    assert (opened.is_active, opened.staff) == (True, None)
    [disabled] = _entries("supervision.disable_window")
    assert disabled.detail == {"staff_off_duty": "lisi"}
    assert len(_entries("supervision.enable_window")) == 1


def test_disabling_twice_or_enabling_an_open_window_is_refused(hall):
    with pytest.raises(ActionError) as open_already:
        actions.enable_window(actor=hall.people.hemin, window=hall.hall_window)
    actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)
    with pytest.raises(ActionError) as closed_already:
        actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)

    assert open_already.value.message == "该窗口已是启用状态"
    assert closed_already.value.message == "该窗口已停用"
    assert len(_entries("supervision.disable_window", "failed")) == 1


def test_a_disabled_window_cannot_be_taken_staffed_or_rated(hall):
    actions.disable_window(actor=hall.people.hemin, window=hall.hall_window)

    with pytest.raises(ActionError) as taken:
        actions.take_window(actor=hall.people.lisi, window=hall.hall_window)
    with pytest.raises(ActionError) as staffed:
        actions.assign_window_staff(
            actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.lisi
        )
    with pytest.raises(ActionError) as rated:
        rating_actions.rate_window(
            actor=hall.people.zhangsan,
            window=ServiceWindow.objects.get(pk=hall.hall_window.pk),
            level=5,
        )

    assert taken.value.message == "该窗口已停用，不能上岗"
    assert staffed.value.message == "该窗口已停用，不能安排当班"
    assert rated.value.code == "window_inactive"
    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff is None


# --- who is on duty ---------------------------------------------------------


def test_the_administrator_puts_a_clerk_on_duty_and_visit_ratings_name_them(hall):
    actions.assign_window_staff(
        actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.lisi
    )
    window = ServiceWindow.objects.get(pk=hall.hall_window.pk)

    rating = rating_actions.rate_window(
        actor=hall.people.chener, window=window, level=5
    )

    assert window.staff == hall.people.lisi
    assert rating.staff == hall.people.lisi
    [entry] = _entries("supervision.assign_window_staff")
    assert entry.detail == {"before": None, "after": "lisi", "left_windows": []}


def test_staff_of_the_countys_departments_may_serve_at_the_centres_window(hall):
    actions.assign_window_staff(
        actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.wangwu
    )

    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff == (
        hall.people.wangwu
    )


def test_putting_someone_on_duty_takes_them_off_their_other_window(hall):
    assert ServiceWindow.objects.get(code="sc-03").staff == hall.people.wangwu

    actions.assign_window_staff(
        actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.wangwu
    )

    assert ServiceWindow.objects.get(code="sc-03").staff is None
    [entry] = _entries("supervision.assign_window_staff")
    assert entry.detail["left_windows"] == ["sc-03"]


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("neighbour", "邻县职员不在示范县的机构任职，不能在该窗口当班"),
        ("zhangsan", "所选人员不是在职的工作人员"),
    ],
)
def test_only_active_staff_of_the_windows_region_go_on_duty(hall, person, message):
    with pytest.raises(ActionError) as refused:
        actions.assign_window_staff(
            actor=hall.people.hemin,
            window=hall.hall_window,
            staff=getattr(hall.people, person),
        )

    assert refused.value.fields == {"staff": message}
    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff is None
    [failed] = _entries("supervision.assign_window_staff", "failed")
    assert failed.detail["message"] == message


def test_a_disabled_account_does_not_go_on_duty(hall):
    User.objects.filter(pk=hall.people.liufang.pk).update(is_active=False)

    with pytest.raises(ActionError) as refused:
        actions.assign_window_staff(
            actor=hall.people.hemin,
            window=hall.hall_window,
            staff=User.objects.get(pk=hall.people.liufang.pk),
        )

    assert refused.value.code == "staff_invalid"


def test_taking_someone_off_duty_and_the_refusals_around_it(hall):
    with pytest.raises(ActionError) as nobody:
        actions.assign_window_staff(
            actor=hall.people.hemin, window=hall.hall_window, staff=None
        )
    actions.assign_window_staff(
        actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.lisi
    )
    with pytest.raises(ActionError) as again:
        actions.assign_window_staff(
            actor=hall.people.hemin, window=hall.hall_window, staff=hall.people.lisi
        )
    actions.assign_window_staff(
        actor=hall.people.hemin, window=hall.hall_window, staff=None
    )

    assert nobody.value.message == "该窗口当前没有当班人员"
    assert again.value.fields == {"staff": "李四已在该窗口当班"}
    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff is None
    details = [e.detail for e in _entries("supervision.assign_window_staff")]
    assert {"before": "lisi", "after": None, "left_windows": []} in details


# --- 上岗 and 离岗 --------------------------------------------------------------


def test_a_clerk_takes_the_window_for_a_shift_and_leaves_it(hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)
    on_duty = ServiceWindow.objects.get(pk=hall.hall_window.pk).staff
    actions.leave_window(actor=hall.people.lisi, window=hall.hall_window)

    assert on_duty == hall.people.lisi
    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff is None
    [taken] = _entries("supervision.take_window")
    assert taken.detail == {"relieved": None, "left_windows": []}
    assert len(_entries("supervision.leave_window")) == 1


def test_the_next_shift_relieves_the_clerk_on_duty(hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    actions.take_window(actor=hall.people.liufang, window=hall.hall_window)

    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff == (
        hall.people.liufang
    )
    relieved = _entries("supervision.take_window")[-1]
    assert relieved.detail == {"relieved": "lisi", "left_windows": []}


def test_a_clerk_is_on_duty_at_one_window_at_a_time(hall):
    second = actions.create_window(
        actor=hall.people.hemin,
        code="hall-04",
        name="4号窗口（综合受理）",
        organization=hall.orgs.center,
    )
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    actions.take_window(actor=hall.people.lisi, window=second)

    assert list(
        ServiceWindow.objects.filter(staff=hall.people.lisi).values_list(
            "code", flat=True
        )
    ) == ["hall-04"]
    assert _entries("supervision.take_window")[-1].detail["left_windows"] == ["hall-02"]


def test_taking_the_window_one_is_already_at_is_refused(hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    with pytest.raises(ActionError) as refused:
        actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    assert refused.value.message == "您已在该窗口当班"


@pytest.mark.parametrize("person", ["wangwu", "hemin", "zhouba", "zhangsan"])
def test_only_clerks_who_accept_cases_take_windows(hall, person):
    with pytest.raises(PermissionDenied):
        actions.take_window(actor=getattr(hall.people, person), window=hall.hall_window)

    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff is None
    assert len(_entries("supervision.take_window", "denied")) == 1


def test_a_clerk_takes_no_window_of_an_organization_outside_their_scope(hall):
    with pytest.raises(PermissionDenied):
        actions.take_window(actor=hall.people.lisi, window=hall.window)

    assert ServiceWindow.objects.get(pk=hall.window.pk).staff == hall.people.wangwu


def test_only_the_one_on_duty_leaves_the_window(hall):
    actions.take_window(actor=hall.people.lisi, window=hall.hall_window)

    with pytest.raises(ActionError) as refused:
        actions.leave_window(actor=hall.people.liufang, window=hall.hall_window)

    assert refused.value.message == "您不在该窗口当班"
    assert ServiceWindow.objects.get(pk=hall.hall_window.pk).staff == hall.people.lisi
    [failed] = _entries("supervision.leave_window", "failed")
    assert failed.detail["code"] == "not_on_duty"
