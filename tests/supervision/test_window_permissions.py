"""Who may run and take the 政务服务中心's own window, and open windows for
the centre: the role-by-action matrix of the window actions (the matrix on
市场监管局's records is in test_permissions.py)."""

import pytest

from egov.identity import roles as builtin
from egov.supervision import window_actions
from egov.supervision.permissions import supervision_policy
from tests.identity import factories as idf
from tests.identity.factories import fresh

WINDOW_ACTIONS = ("view_windows", "change_window", "take_window")

MATRIX = {
    # The centre's administrator runs its windows but serves at none.
    "hemin": {"view_windows", "change_window", "create_window"},
    # The centre's window clerk sees its windows and takes them for a shift.
    "lisi": {"view_windows", "take_window"},
    # The supervisor watches every window of the county and runs none.
    "zhouba": {"view_windows"},
    # 市场监管局's administrator, approver and a citizen: nothing here.
    "zhaoliu": set(),
    "wangwu": set(),
    "zhangsan": set(),
    # A window clerk of another county.
    "neighbour_clerk": set(),
}


@pytest.fixture
def centre(county):
    county.people.neighbour_clerk = idf.user(
        "linxian_window",
        "邻县窗口人员",
        posts=[county.posts.neighbour_clerk],
        roles=[builtin.STAFF, builtin.WINDOW_CLERK],
    )
    county.hall_window = window_actions.create_window(
        actor=county.people.hemin,
        code="hall-02",
        name="2号窗口（综合受理）",
        organization=county.orgs.center,
    )
    return county


@pytest.mark.parametrize("person", sorted(MATRIX))
def test_each_role_may_do_exactly_its_window_actions_at_the_centre(centre, person):
    user = fresh(getattr(centre.people, person))

    allowed = {
        action
        for action in WINDOW_ACTIONS
        if supervision_policy.can(user, action, centre.hall_window)
    }
    if supervision_policy.can(user, "create_window", centre.orgs.center):
        allowed.add("create_window")

    assert allowed == MATRIX[person]
