"""Who may do what with electronic licences: `licence_policy.can(user, action, obj)`.

Licences are seen and revoked within the data scope of the issuing
organization. A licence is issued by whoever decides its case
(servicehall.decide_case over that case). Verification by code is public and
needs no permission; the holder reaches their own licences through
egov.datahub.licence_queries, not through this policy.
"""

from egov.core.policy import Policy

VIEW_LICENCE = "datahub.view_elicense"
REVOKE_LICENCE = "datahub.revoke_elicense"
DECIDE_CASE = "servicehall.decide_case"

LICENCE_ACTIONS = {
    "view_licence": VIEW_LICENCE,
    "revoke_licence": REVOKE_LICENCE,
    "issue_licence": DECIDE_CASE,
}

# Permissions the identity app's built-in roles receive (see
# egov.identity.roles.ensure_builtin_roles): 分管领导 revoke, the people who
# handle and supervise cases read.
BUILTIN_ROLE_GRANTS = {
    "leader": [VIEW_LICENCE, REVOKE_LICENCE],
    "approver": [VIEW_LICENCE],
    "window_clerk": [VIEW_LICENCE],
    "supervisor": [VIEW_LICENCE],
}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class LicencePolicy(Policy):
    """Role-by-action rules (matrix: tests/datahub/test_licence_permissions.py).

    `obj` is an ELicense for view and revoke, a servicehall Case for issue; it
    must lie in the actor's data scope for the action's permission.
    """

    app = "datahub"

    def can(self, user, action: str, obj=None) -> bool:
        perm = LICENCE_ACTIONS.get(action)
        if perm is None or not _active(user) or not user.has_perm(perm):
            return False
        if obj is None or user.is_superuser:
            return True
        return self._in_scope(user, perm, obj)

    def visible(self, user, queryset, action: str = "view_licence"):
        """The licences of `queryset` inside the user's data scope for
        `action`'s permission; none without it."""
        from egov.identity.queries import visible

        if not self.can(user, action):
            return queryset.none()
        return visible(user, queryset, perm=LICENCE_ACTIONS[action])

    def _in_scope(self, user, perm, obj) -> bool:
        from egov.datahub.models import ELicense
        from egov.identity.queries import visible
        from egov.servicehall.models import Case

        if isinstance(obj, ELicense):
            rows = ELicense.objects.filter(pk=obj.pk)
        elif isinstance(obj, Case):
            rows = Case.objects.filter(pk=obj.pk)
        else:
            raise TypeError(f"licence policy does not judge {type(obj).__name__}")
        return visible(user, rows, perm=perm).exists()


licence_policy = LicencePolicy()
