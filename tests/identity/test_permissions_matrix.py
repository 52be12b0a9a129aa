"""Role-by-action matrix of the identity policy over every built-in role.

Each row is written out by hand (not derived from BUILTIN_ROLES), so a change to
a built-in role's permissions shows up here as a deliberate edit.
"""

import pytest
from django.urls import reverse

from egov.identity import roles as builtin
from egov.identity.models import PostAssignment, User
from egov.identity.permissions import ACTIONS, identity_policy
from tests.identity.factories import demo_county, no_staff_2fa, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]

SYSTEM = {
    "view_region",
    "add_region",
    "change_region",
    "view_organization",
    "add_organization",
    "change_organization",
    "import_organization",
    "export_organization",
    "view_post",
    "add_post",
    "change_post",
    "view_user",
    "add_user",
    "change_user",
    "view_personal_data",
    "import_user",
    "export_user",
}
SECURITY = {
    "view_organization",
    "view_post",
    "view_user",
    "assign_role",
    "view_role",
    "add_role",
    "change_role",
}
ORG_ADMIN = {
    "view_organization",
    "view_post",
    "add_post",
    "change_post",
    "view_user",
    "add_user",
    "change_user",
    "import_user",
    "export_user",
}

ALLOWED = {
    builtin.SYSTEM_ADMIN: SYSTEM,
    builtin.SECURITY_ADMIN: SECURITY,
    builtin.AUDIT_ADMIN: set(),
    builtin.ORG_ADMIN: ORG_ADMIN,
    builtin.STAFF: set(),
    builtin.WINDOW_CLERK: {"view_personal_data"},
    builtin.APPROVER: set(),
    builtin.LEADER: {"view_organization", "view_post", "view_user"},
    builtin.SUPERVISOR: {"view_organization"},
}

# The status each role gets on the four management pages.
PAGES = {
    builtin.SYSTEM_ADMIN: {"region": 200, "org": 200, "user": 200, "role": 403},
    builtin.SECURITY_ADMIN: {"region": 403, "org": 200, "user": 200, "role": 200},
    builtin.AUDIT_ADMIN: {"region": 403, "org": 403, "user": 403, "role": 403},
    builtin.ORG_ADMIN: {"region": 403, "org": 200, "user": 200, "role": 403},
    builtin.STAFF: {"region": 403, "org": 403, "user": 403, "role": 403},
    builtin.WINDOW_CLERK: {"region": 403, "org": 403, "user": 403, "role": 403},
    builtin.APPROVER: {"region": 403, "org": 403, "user": 403, "role": 403},
    builtin.LEADER: {"region": 403, "org": 200, "user": 200, "role": 403},
    builtin.SUPERVISOR: {"region": 403, "org": 200, "user": 403, "role": 403},
}


def holder_of(code, county):
    return user(
        f"holder_{code}", "测试", posts=[county.posts.market_chief], roles=[code]
    )


def test_the_matrix_covers_every_builtin_role_and_every_action():
    assert set(ALLOWED) == {role.code for role in builtin.BUILTIN_ROLES}
    assert set(PAGES) == set(ALLOWED)
    assert set().union(*ALLOWED.values()) <= set(ACTIONS)


@pytest.mark.parametrize("code", sorted(ALLOWED))
def test_each_builtin_role_may_do_exactly_its_actions(code):
    county = demo_county()
    holder = holder_of(code, county)

    allowed = {action for action in ACTIONS if identity_policy.can(holder, action)}

    assert allowed == ALLOWED[code]


@pytest.mark.parametrize("code", sorted(PAGES))
def test_each_builtin_role_opens_exactly_its_management_pages(client, code):
    county = demo_county()
    client.force_login(holder_of(code, county))

    statuses = {
        page: client.get(reverse(f"sysadmin:{page}_list")).status_code
        for page in PAGES[code]
    }

    assert statuses == PAGES[code]


@pytest.mark.parametrize(
    ("code", "can_read_log"),
    [(code, code == builtin.AUDIT_ADMIN) for code in sorted(ALLOWED)],
)
def test_only_the_audit_admin_reads_the_log(code, can_read_log):
    county = demo_county()
    holder = holder_of(code, county)

    assert holder.has_perm("audit.view_auditentry") is can_read_log
    assert holder.has_perm("audit.export_auditentry") is can_read_log


def test_the_auditor_changes_nothing_through_the_management_pages(client):
    county = demo_county()
    client.force_login(county.people.qianshiyi)
    posts = [
        ("sysadmin:region_create", [], {"code": "139921109", "name": "x"}),
        ("sysadmin:org_deactivate", [county.orgs.township.pk], {}),
        ("sysadmin:user_disable", [county.people.lisi.pk], {"reason": ""}),
        ("sysadmin:user_roles", [county.people.lisi.pk], {"roles": []}),
        ("sysadmin:role_create", [], {"code": "x", "name": "x"}),
    ]

    statuses = [client.post(reverse(n, args=a), d).status_code for n, a, d in posts]

    assert statuses == [403, 403, 403, 403, 403]
    assert User.objects.get(pk=county.people.lisi.pk).is_active


OBJECT_CASES = [
    # (actor, action, target, allowed)
    ("zhaoliu", "change_user", "wangwu", True),
    ("zhaoliu", "change_user", "luodan", True),
    ("zhaoliu", "change_user", "lisi", False),
    ("zhaoliu", "view_user", "zhangsan", False),
    ("hemin", "change_user", "lisi", True),
    ("hemin", "change_user", "wangwu", False),
    ("wujiu", "change_user", "lisi", True),
    ("wujiu", "view_personal_data", "zhangsan", True),
    ("wujiu", "assign_role", "lisi", False),
    ("zhengshi", "assign_role", "lisi", True),
    ("zhengshi", "change_user", "lisi", False),
    ("lisi", "view_personal_data", "hemin", True),
    ("lisi", "view_personal_data", "wangwu", False),
    ("qianshiyi", "view_user", "lisi", False),
    # Taking over an account must not widen one's power.
    ("wujiu", "change_user", "zhaoliu", True),
    ("wujiu", "change_user", "zhengshi", False),
    ("wujiu", "change_user", "qianshiyi", False),
    ("wujiu", "view_personal_data", "qianshiyi", True),
    ("zhengshi", "assign_role", "wujiu", True),
    ("wujiu", "change_user", "zhouba", True),
]


@pytest.mark.parametrize(("actor", "action", "target", "allowed"), OBJECT_CASES)
def test_object_actions_follow_the_data_scope(actor, action, target, allowed):
    county = demo_county()

    result = identity_policy.can(
        getattr(county.people, actor), action, getattr(county.people, target)
    )

    assert result is allowed


@pytest.mark.parametrize(
    ("actor", "action", "org", "allowed"),
    [
        ("zhaoliu", "add_post", "registry", True),
        ("zhaoliu", "add_post", "center", False),
        ("zhaoliu", "view_organization", "gov", False),
        ("wujiu", "change_organization", "neighbour", True),
        ("zhouba", "view_organization", "township", True),
        ("zhouba", "view_organization", "neighbour", False),
    ],
)
def test_organization_actions_follow_the_data_scope(actor, action, org, allowed):
    county = demo_county()

    result = identity_policy.can(
        getattr(county.people, actor), action, getattr(county.orgs, org)
    )

    assert result is allowed


def test_only_a_superuser_acts_on_a_superuser():
    county = demo_county()
    root = User.objects.create_superuser(
        "root", password="Root@2026pass", real_name="运维", kind=User.Kind.STAFF
    )
    other_root = User.objects.create_superuser(
        "root2", password="Root@2026pass", real_name="运维二", kind=User.Kind.STAFF
    )

    assert not identity_policy.can(county.people.wujiu, "change_user", root)
    assert identity_policy.can(other_root, "change_user", root)


def test_an_org_admin_cannot_take_over_a_wider_account_in_their_subtree():
    county = demo_county()
    PostAssignment.objects.filter(user=county.people.wujiu).update(
        post=county.posts.registry_clerk
    )
    supervisor = user(
        "auditor2", "监察二", posts=[county.posts.market_chief], roles=["supervisor"]
    )

    assert not identity_policy.can(
        county.people.zhaoliu, "change_user", county.people.wujiu
    )
    assert not identity_policy.can(county.people.zhaoliu, "change_user", supervisor)
    assert identity_policy.can(county.people.zhaoliu, "view_user", county.people.wujiu)
