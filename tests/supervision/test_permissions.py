"""The supervision policy's role-by-action matrix on a rectification, a
window, a concluded case and the organization of 市场监管局, and the
permissions the built-in roles receive."""

import pytest

from egov.identity import roles as builtin
from egov.identity.models import Role
from egov.supervision import rating_actions as actions
from egov.supervision.permissions import (
    ACTIONS,
    BUILTIN_ROLE_GRANTS,
    supervision_policy,
)
from tests.identity.factories import fresh
from tests.supervision import factories

ALL = set(ACTIONS)
STAFF_READ = {"view_rectification", "view_reports", "export_reports"}
WINDOW_ACTIONS = {"view_windows", "change_window", "take_window"}
RUN_WINDOWS = {"create_window", "change_window"}

# Who may do what to an unsatisfied rating's rectification of 市场监管局, to
# its 3号窗口, to one of its concluded cases (电话评价) and to the bureau itself
# (opening a window there).
MATRIX = {
    # 审批人员 of 市场监管局: handles the department's rectifications.
    "wangwu": {"view_rectification", "handle_rectification"},
    # Head of 市场监管局: 审批人员, 分管领导 and 机构管理员 of the bureau, who
    # runs its windows.
    "zhaoliu": {
        "view_rectification",
        "handle_rectification",
        "view_reports",
        "export_reports",
        "view_windows",
        *RUN_WINDOWS,
    },
    # 分管领导 at the county government: the departments below it.
    "sunqi": {
        "view_rectification",
        "handle_rectification",
        "view_reports",
        "export_reports",
    },
    # 监察员 of the county: reviews appeals, reads everything, records phone
    # ratings; handles no rectification and runs no window.
    "zhouba": ALL - {"handle_rectification", "take_window"} - RUN_WINDOWS,
    # 窗口受理人员 and the administrator of the service centre: another
    # organization's window.
    "lisi": set(),
    "hemin": set(),
    "neighbour_approver": set(),
    "luodan": set(),
    "xuli": set(),
    "zhangsan": set(),
}


@pytest.fixture
def targets(county):
    case = factories.case(county)
    rating = actions.rate_case(actor=county.people.zhangsan, case=case, level=1)
    return {
        "rect": rating.rectification,
        "window": county.window,
        "case": factories.case(county),
        "organization": county.orgs.market,
    }


def _target(targets, action: str):
    if action in WINDOW_ACTIONS:
        return targets["window"]
    if action == "create_window":
        return targets["organization"]
    if action == "record_phone_rating":
        return targets["case"]
    return targets["rect"]


@pytest.mark.parametrize("person", sorted(MATRIX))
def test_each_role_may_do_exactly_its_actions_on_the_departments_records(
    county, targets, person
):
    user = fresh(getattr(county.people, person))

    allowed = {
        action
        for action in ACTIONS
        if supervision_policy.can(
            user,
            action,
            targets["window"] if action == "view_windows" else targets["rect"],
        )
    }

    assert allowed == MATRIX[person]


def test_an_inactive_user_may_do_nothing(county, targets):
    user = fresh(county.people.zhouba)
    user.is_active = False

    assert not any(supervision_policy.can(user, action) for action in ACTIONS)


def test_unknown_actions_are_refused(county):
    assert not supervision_policy.can(county.people.zhouba, "delete_everything")


def test_the_built_in_roles_receive_the_supervision_permissions(county):
    builtin.ensure_builtin_roles()

    for code, perms in BUILTIN_ROLE_GRANTS.items():
        role = Role.objects.get(code=code)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in role.permissions.select_related("content_type")
        }
        assert set(perms) <= granted
    supervisor = Role.objects.get(code=builtin.SUPERVISOR)
    assert not supervisor.permissions.filter(codename="handle_rectification").exists()
