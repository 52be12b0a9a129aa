"""The service hall policy's role-by-action matrix for the item catalog, on an
item of 市场监管局, and the permissions the built-in roles receive."""

import pytest

from egov.identity import roles as builtin
from egov.identity.models import Role
from egov.servicehall.models import ServiceItemVersion
from egov.servicehall.permissions import BUILTIN_ROLE_GRANTS, servicehall_policy
from tests.identity.factories import fresh
from tests.servicehall.factories import published

pytestmark = pytest.mark.django_db

ACTIONS = [
    "view_item",
    "create_item",
    "edit_item",
    "submit_item",
    "new_version",
    "review_item",
    "retire_item",
    "import_catalog",
    "export_catalog",
    "manage_themes",
]

# Who may do what to an item of 市场监管局 (王五 drafted it, 孙七 published it).
MATRIX = {
    # 审批人员 of 市场监管局: keeps the department's items.
    "wangwu": {
        "view_item",
        "create_item",
        "edit_item",
        "submit_item",
        "new_version",
        "export_catalog",
    },
    # Head of 市场监管局: 审批人员 and 分管领导 over the bureau.
    "zhaoliu": set(ACTIONS) - {"import_catalog", "manage_themes"},
    # 分管领导 at the county government: reviews and retires below it.
    "sunqi": {"view_item", "review_item", "retire_item", "export_catalog"},
    # 事项库管理员 over the whole county.
    "xuli": set(ACTIONS),
    # 监察员: reads every item of the region.
    "zhouba": {"view_item"},
    # 窗口受理人员 of the service centre: reads only the centre's items.
    "lisi": set(),
    "luodan": set(),
    "neighbour": set(),
    "zhangsan": set(),
    "wujiu": set(),
}


@pytest.fixture
def item(county):
    return published(county).item


@pytest.mark.parametrize("person", sorted(MATRIX))
def test_each_role_may_do_exactly_its_catalog_actions(county, item, person):
    user = fresh(getattr(county.people, person))
    version = item.versions.get()
    target = {"create_item": county.orgs.market, "review_item": version}

    allowed = {
        action
        for action in ACTIONS
        if servicehall_policy.can(user, action, target.get(action, item))
    }

    assert allowed == MATRIX[person]


def test_the_window_clerk_reads_the_items_of_their_own_centre(county):
    centre_item = published(
        county,
        code="CENTER-0001",
        actor=county.people.xuli,
        organization=county.orgs.center,
    ).item
    clerk = fresh(county.people.lisi)

    assert servicehall_policy.can(clerk, "view_item", centre_item) is True
    assert servicehall_policy.can(clerk, "edit_item", centre_item) is False


def test_visible_narrows_versions_to_the_scope(county, item):
    rows = ServiceItemVersion.objects.all()

    assert servicehall_policy.visible(fresh(county.people.wangwu), rows).count() == 1
    assert servicehall_policy.visible(fresh(county.people.lisi), rows).count() == 0
    assert servicehall_policy.visible(fresh(county.people.zhangsan), rows).count() == 0


def test_an_inactive_user_may_do_nothing(county, item):
    user = fresh(county.people.xuli)
    user.is_active = False

    assert not any(servicehall_policy.can(user, a, item) for a in ACTIONS)


def test_an_unknown_action_is_never_allowed(county, item):
    assert servicehall_policy.can(fresh(county.people.xuli), "delete_item") is False


def test_only_someone_other_than_the_drafter_may_review(county, item):
    version = item.versions.get()

    assert servicehall_policy.may_review(fresh(county.people.sunqi), version) is True
    version.submitted_by = county.people.sunqi
    assert servicehall_policy.may_review(fresh(county.people.sunqi), version) is False


def test_builtin_roles_receive_the_catalog_permissions(db):
    builtin.ensure_builtin_roles()

    def names(code):
        role = Role.objects.get(code=code)
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in role.permissions.select_related("content_type")
            if p.content_type.app_label == "servicehall"
        }

    for code, perms in BUILTIN_ROLE_GRANTS.items():
        assert names(code) == {p for p in perms if p.startswith("servicehall.")}
    assert names(builtin.SYSTEM_ADMIN) == set()
