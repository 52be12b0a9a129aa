"""Who may read and export the audit log. Nobody may change it.

Under 三员分立 the audit administrator (审计管理员) holds the view and export
permissions; the system and security administrators do not, and no role can
edit or delete entries: the policy answers no to every other action.
"""

from egov.core.policy import Policy

VIEW_ENTRIES = "audit.view_auditentry"
EXPORT_ENTRIES = "audit.export_auditentry"

READ_ACTIONS = {"view": (VIEW_ENTRIES,), "export": (VIEW_ENTRIES, EXPORT_ENTRIES)}


class AuditPolicy(Policy):
    app = "audit"

    def can(self, user, action: str, obj=None) -> bool:
        required = READ_ACTIONS.get(action)
        if required is None:
            return False
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return all(user.has_perm(perm) for perm in required)


audit_policy = AuditPolicy()
