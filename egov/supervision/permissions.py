"""Who may do what with 好差评: `supervision_policy.can(user, action, obj)`.

Rating is not a staff permission: only the applicant of a concluded case may
rate it, once (egov.supervision.rating_actions checks that with its own
messages). Departments (审批人员, 分管领导) handle the rectifications of the
organizations in their data scope; supervisors (监察员) review appeals and read
every report in their regions; 分管领导 read their departments' reports.
"""

from egov.core.policy import Policy

VIEW_RATING = "supervision.view_servicerating"
EXPORT_RATING = "supervision.export_servicerating"
VIEW_RECTIFICATION = "supervision.view_rectification"
HANDLE_RECTIFICATION = "supervision.handle_rectification"
REVIEW_APPEAL = "supervision.review_appeal"
VIEW_WINDOW = "supervision.view_servicewindow"

# action -> the permission it needs; an object (a Rectification, ServiceRating
# or ServiceWindow) must also lie in the actor's data scope for it.
ACTIONS = {
    "view_rectification": VIEW_RECTIFICATION,
    "handle_rectification": HANDLE_RECTIFICATION,
    "review_appeal": REVIEW_APPEAL,
    "view_reports": VIEW_RATING,
    "export_reports": EXPORT_RATING,
    "view_windows": VIEW_WINDOW,
}

BUILTIN_ROLE_GRANTS = {
    "approver": [VIEW_RECTIFICATION, HANDLE_RECTIFICATION],
    "leader": [VIEW_RECTIFICATION, HANDLE_RECTIFICATION, VIEW_RATING, EXPORT_RATING],
    "supervisor": [
        VIEW_RECTIFICATION,
        REVIEW_APPEAL,
        VIEW_RATING,
        EXPORT_RATING,
        VIEW_WINDOW,
    ],
    "window_clerk": [VIEW_WINDOW],
    "org_admin": [VIEW_WINDOW],
}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class SupervisionPolicy(Policy):
    """Role-by-action rules (matrix: tests/supervision/test_permissions.py)."""

    app = "supervision"

    def can(self, user, action: str, obj=None) -> bool:
        perm = ACTIONS.get(action)
        if perm is None or not _active(user) or not user.has_perm(perm):
            return False
        if obj is None or user.is_superuser:
            return True
        from egov.identity.queries import visible

        rows = type(obj)._default_manager.filter(pk=obj.pk)
        return visible(user, rows, perm=perm).exists()

    def visible(self, user, queryset, action: str):
        """The rows of `queryset` inside the user's data scope for `action`'s
        permission; none without it."""
        from egov.identity.queries import visible

        if not self.can(user, action):
            return queryset.none()
        return visible(user, queryset, perm=ACTIONS[action])


supervision_policy = SupervisionPolicy()
