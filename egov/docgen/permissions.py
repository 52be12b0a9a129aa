"""Who may manage instrument templates: `docgen_policy.can(user, action)`.

Templates are platform-wide, so no data scope applies: holding
docgen.manage_templates allows listing, previewing, downloading, uploading and
activating. Rendering documents needs no permission here; the app that
renders (a case, a licence) has already decided the viewer may see the result.

No built-in role receives the permission: the 三员 roles are locked
(egov.identity.roles) and template design is, like process and form design,
a job the security administrator gives to a role of the county's choosing.
The demo county adds it to its 流程与表单管理员 role (egov.docgen.demo).
"""

from egov.core.policy import Policy

MANAGE_TEMPLATES = "docgen.manage_templates"

ACTIONS = {
    "view_templates": MANAGE_TEMPLATES,
    "preview_template": MANAGE_TEMPLATES,
    "upload_version": MANAGE_TEMPLATES,
    "activate_version": MANAGE_TEMPLATES,
}

BUILTIN_ROLE_GRANTS: dict[str, list[str]] = {}


class DocgenPolicy(Policy):
    """Role-by-action matrix: tests/docgen/test_permissions.py."""

    app = "docgen"

    def can(self, user, action: str, obj=None) -> bool:
        perm = ACTIONS.get(action)
        return bool(
            perm
            and user is not None
            and user.is_authenticated
            and user.is_active
            and user.has_perm(perm)
        )


docgen_policy = DocgenPolicy()
