"""The demo county's instrument templates: the DOCX files shipped with the
platform, installed as version 1 of each service hall instrument, and the
template permission for the demo's 流程与表单管理员 role (陈静), who designs
the county's processes and forms and so also keeps its instrument templates.
Idempotent; runs after the identity loader, which creates that role."""

from egov.docgen.actions import ensure_default_templates
from egov.docgen.permissions import MANAGE_TEMPLATES

DEMO_TEMPLATE_ROLE = "process_admin"


def _grant_demo_role() -> int:
    from egov.identity.models import Role
    from egov.identity.roles import permissions_by_name

    role = Role.objects.filter(code=DEMO_TEMPLATE_ROLE).first()
    if role is None:
        return 0
    perm = permissions_by_name([MANAGE_TEMPLATES])[MANAGE_TEMPLATES]
    if role.permissions.filter(pk=perm.pk).exists():
        return 0
    role.permissions.add(perm)
    return 1


def load() -> dict[str, int]:
    installed = ensure_default_templates()
    # Granted once, with the first templates, so that a security administrator
    # who later takes the permission away is not overruled by a reload.
    return {
        "templates": installed,
        "role_grants": _grant_demo_role() if installed else 0,
    }
