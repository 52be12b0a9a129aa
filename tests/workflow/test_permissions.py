"""The WorkflowPolicy role-by-action matrix."""

import pytest

from egov.identity.models import Role
from egov.workflow import actions
from egov.workflow.permissions import workflow_policy
from tests.identity.factories import fresh
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, make_admin_role, open_tasks, start


@pytest.fixture
def world(county):
    """罗丹 started two requests: one for 王五 directly, one pooled on the 科员
    post (孙二, 陈三), claimed by 孙二. 宋佳 is a process administrator whose
    role reaches only her own township; 刘七's reaches everything."""
    deploy(
        county,
        b.chain(
            "direct", b.user("review", assignment={"rule": "user", "users": "wangwu"})
        ),
        key="direct",
    )
    deploy(
        county,
        b.chain(
            "pooled",
            b.user("check", assignment={"rule": "post", "post": "139921-104/staff"}),
        ),
        key="pooled",
    )
    direct = start(county, key="direct")
    pooled = start(county, key="pooled")
    [direct_task] = open_tasks(direct)
    [pooled_task] = open_tasks(pooled)
    actions.claim_task(actor=county.people.suner, task=pooled_task)
    pooled_task.refresh_from_db()
    local = make_admin_role("workflow_admin_local", Role.DataScope.ORGANIZATION)
    county.people.songjia.roles.add(local)
    return {
        "direct": direct,
        "pooled": pooled,
        "direct_task": direct_task,
        "pooled_task": pooled_task,
        "people": {
            name: fresh(getattr(county.people, name))
            for name in (
                "wangwu",
                "suner",
                "chensan",
                "luodan",
                "lisi",
                "liuqi",
                "songjia",
            )
        },
    }


# action, object, and the people allowed (everyone else is refused)
MATRIX = [
    ("deploy", None, {"liuqi", "songjia"}),
    ("view_definitions", None, {"liuqi", "songjia"}),
    (
        "start",
        None,
        {"wangwu", "suner", "chensan", "luodan", "lisi", "liuqi", "songjia"},
    ),
    ("view_task", "direct_task", {"wangwu", "luodan", "liuqi"}),
    ("open", "direct_task", {"wangwu"}),
    ("complete", "direct_task", {"wangwu"}),
    ("claim", "direct_task", set()),
    ("release", "direct_task", set()),
    ("view_task", "pooled_task", {"suner", "chensan", "luodan", "liuqi"}),
    ("open", "pooled_task", {"suner"}),
    ("complete", "pooled_task", {"suner"}),
    ("claim", "pooled_task", {"suner", "chensan"}),
    ("release", "pooled_task", {"suner"}),
    ("view_instance", "direct", {"wangwu", "luodan", "liuqi"}),
    ("suspend", "direct", {"wangwu", "liuqi"}),
    ("resume", "direct", {"wangwu", "liuqi"}),
    ("cancel", "direct", {"luodan"}),
    ("terminate", "direct", {"liuqi"}),
    ("dispatch", "direct", {"liuqi"}),
    ("view_instance", "pooled", {"suner", "chensan", "luodan", "liuqi"}),
    ("add_shared_phrase", None, set()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "target", "allowed"), MATRIX)
def test_workflow_policy_matrix(world, action, target, allowed):
    # Given the people of the world fixture and the object of the action
    obj = world[target] if target else None

    # When the policy is asked for each person
    granted = {
        name
        for name, person in world["people"].items()
        if workflow_policy.can(person, action, obj)
    }

    # Then exactly the expected people may act
    assert granted == allowed


@pytest.mark.django_db
def test_nobody_signed_out_or_disabled_may_do_anything(world):
    # Given an anonymous visitor and a disabled 王五
    from django.contrib.auth.models import AnonymousUser

    wangwu = world["people"]["wangwu"]
    wangwu.is_active = False

    # Then neither may act on anything
    for person in (AnonymousUser(), wangwu, None):
        assert not workflow_policy.can(person, "complete", world["direct_task"])
        assert not workflow_policy.can(person, "start")


@pytest.mark.django_db
def test_unknown_actions_are_a_programming_error(world):
    # When the policy is asked about an action it does not know / Then KeyError
    with pytest.raises(KeyError):
        workflow_policy.can(world["people"]["liuqi"], "fly", world["direct"])
