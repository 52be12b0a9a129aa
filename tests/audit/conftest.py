"""People and organizations for the audit log tests.

Roles are made here with their permissions directly, as the three
administrators of 三员分立 hold them: the audit administrator reads and exports
the log, the system and security administrators have no part in it.
"""

import pytest
from django.contrib.auth.models import Permission

from egov.identity.models import (
    Organization,
    Post,
    PostAssignment,
    Region,
    Role,
    User,
)

ROLE_PERMISSIONS = {
    "audit_admin": ["audit.view_auditentry", "audit.export_auditentry"],
    "audit_reader": ["audit.view_auditentry"],
    "system_admin": [
        "identity.view_user",
        "identity.add_user",
        "identity.change_user",
        "identity.view_organization",
    ],
    "security_admin": ["identity.view_role", "identity.change_role"],
    "staff": [],
}


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # These tests sign people in with force_login; the second factor is the
    # identity app's concern and tested there.
    settings.EGOV_STAFF_2FA_REQUIRED = False


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def county(db):
    region = Region.objects.create(
        code="130102", name="示范县", level=Region.Level.COUNTY, path="/130102/"
    )
    government = Organization.objects.create(
        code="GOV", name="示范县人民政府", kind="government", region=region, path="/"
    )
    government.path = f"/{government.pk}/"
    government.save(update_fields=["path"])
    office = Organization.objects.create(
        code="GOV-OFFICE",
        name="县政府办公室",
        kind="department",
        region=region,
        parent=government,
        path="/",
    )
    office.path = f"{government.path}{office.pk}/"
    office.save(update_fields=["path"])
    bureau = Organization.objects.create(
        code="CIVIL",
        name="县民政局",
        kind="department",
        region=region,
        path="/",
    )
    bureau.path = f"/{bureau.pk}/"
    bureau.save(update_fields=["path"])
    return {"government": government, "office": office, "bureau": bureau}


@pytest.fixture
def make_person(db):
    def make(
        username, real_name, *, role=None, organization=None, password="Pa55-word!"
    ):
        user = User.objects.create_user(
            username=username,
            password=password,
            kind=User.Kind.STAFF,
            real_name=real_name,
        )
        if role:
            made, created = Role.objects.get_or_create(
                code=f"test_{role}",
                defaults={"name": role, "data_scope": Role.DataScope.ALL},
            )
            if created:
                made.permissions.set(_permission(p) for p in ROLE_PERMISSIONS[role])
            user.roles.add(made)
        if organization is not None:
            post = Post.objects.create(
                organization=organization, code=f"post-{username}", name="科员"
            )
            PostAssignment.objects.create(user=user, post=post, is_primary=True)
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def auditor(make_person, county):
    return make_person("shenji", "审计员赵六", role="audit_admin")


@pytest.fixture
def reader(make_person, county):
    return make_person("chayue", "查阅员钱七", role="audit_reader")


@pytest.fixture
def system_admin(make_person, county):
    return make_person("xitong", "系统管理员孙八", role="system_admin")


@pytest.fixture
def security_admin(make_person, county):
    return make_person("anquan", "安全管理员周九", role="security_admin")


@pytest.fixture
def clerk(make_person, county):
    return make_person(
        "lisi",
        "李四",
        role="staff",
        organization=county["office"],
        password="Pa55-word!",
    )
