"""`egov demo` installs the shipped templates and lets the demo county's
流程与表单管理员 role keep them."""

import pytest

from egov.core.management.commands.demo import demo_loaders
from egov.docgen import demo
from egov.docgen.models import DocumentTemplate
from egov.identity.models import Role

pytestmark = pytest.mark.django_db


def _holds_permission(role: Role) -> bool:
    return role.permissions.filter(
        content_type__app_label="docgen", codename="manage_templates"
    ).exists()


def test_demo_installs_the_templates_and_grants_the_process_admin_role():
    role = Role.objects.create(code="process_admin", name="流程与表单管理员")

    created = demo.load()

    assert created == {"templates": 6, "role_grants": 1}
    assert DocumentTemplate.objects.filter(active_version__number=1).count() == 6
    assert _holds_permission(role)


def test_a_second_demo_run_changes_nothing_even_after_the_grant_was_removed():
    role = Role.objects.create(code="process_admin", name="流程与表单管理员")
    demo.load()
    role.permissions.clear()

    created = demo.load()

    assert created == {"templates": 0, "role_grants": 0}
    assert not _holds_permission(role)


def test_the_demo_command_runs_the_docgen_loader_after_identity():
    labels = [label for label, _load in demo_loaders()]

    assert labels.index("identity") < labels.index("docgen")
