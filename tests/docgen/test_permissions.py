"""The document generation policy's role-by-action matrix."""

import pytest

from egov.docgen.permissions import ACTIONS, BUILTIN_ROLE_GRANTS, docgen_policy
from egov.identity import roles as builtin
from egov.identity.models import Role
from tests.docgen.factories import template_admin
from tests.identity.factories import fresh, user

pytestmark = pytest.mark.django_db

EVERYTHING = set(ACTIONS)

MATRIX = {
    # 陈静, whose role holds docgen.manage_templates.
    "chenjing": EVERYTHING,
    # The system administrator keeps the platform's templates; the security
    # and audit administrators do not.
    "wujiu": EVERYTHING,
    "zhengshi": set(),
    "qianshiyi": set(),
    # Staff of every kind, and citizens.
    "lisi": set(),
    "wangwu": set(),
    "zhaoliu": set(),
    "zhouba": set(),
    "zhangsan": set(),
}


@pytest.fixture
def people(county):
    by_username = {p.username: p for p in vars(county.people).values()}
    return by_username | {"chenjing": template_admin()}


@pytest.mark.parametrize("username", sorted(MATRIX))
@pytest.mark.parametrize("action", sorted(EVERYTHING))
def test_matrix(people, username, action):
    person = fresh(people[username])

    assert docgen_policy.can(person, action) is (action in MATRIX[username])


def test_a_superuser_may_manage_templates(db):
    root = user("root", "超级用户")
    root.is_superuser = True
    root.save()

    assert all(docgen_policy.can(fresh(root), action) for action in EVERYTHING)


def test_a_disabled_holder_of_the_permission_may_not(db):
    person = template_admin()
    person.is_active = False
    person.save()

    assert not docgen_policy.can(fresh(person), "view_templates")


def test_an_unknown_action_is_never_allowed(db):
    assert docgen_policy.can(fresh(template_admin()), "delete_everything") is False


def test_of_the_built_in_roles_only_the_system_administrator_manages_templates(db):
    builtin.ensure_builtin_roles()

    assert BUILTIN_ROLE_GRANTS == {}
    holders = Role.objects.filter(
        permissions__content_type__app_label="docgen",
        permissions__codename="manage_templates",
    )
    assert [role.code for role in holders] == [builtin.SYSTEM_ADMIN]
