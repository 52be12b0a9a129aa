"""Who may do what with 好差评: `supervision_policy.can(user, action, obj)`.

Rating online is not a staff permission: only the applicant of a concluded
case may rate it, once (egov.supervision.rating_actions checks that with its
own messages). Departments (审批人员, 分管领导) handle the rectifications of the
organizations in their data scope; supervisors (监察员) review appeals and read
every report in their regions; 分管领导 read their departments' reports.

服务窗口: a window belongs to the organization that answers for its ratings,
and that organization's administrator (机构管理员, who already keeps its posts
and people) sets it up, edits it, enables or disables it and puts staff on duty
(当班) — for the 政务服务中心's own 综合窗口 that is the centre's administrator.
A county whose centre runs every department's window gives its administrator a
role with the region as data scope and these permissions. The supervisor
watches the windows and their ratings but does not run them: whoever checks the
service should not also arrange it. Staff who accept cases (窗口受理人员) take a
window for their shift (上岗) and leave it (离岗) themselves, at the windows of
the organizations in their data scope; anyone may leave the window where they
are on duty.

电话评价: after a case concludes, 回访 staff call the applicant and record the
rating the applicant gives on the phone. That is the supervisor's work (监察员,
or a 12345 / 回访 role a security administrator creates with the permission),
never the department's: a department recording ratings of its own cases could
polish its own figures, so the permission goes to no department role, and the
action also refuses whoever accepted the case.
"""

from egov.core.policy import Policy

VIEW_RATING = "supervision.view_servicerating"
EXPORT_RATING = "supervision.export_servicerating"
VIEW_RECTIFICATION = "supervision.view_rectification"
HANDLE_RECTIFICATION = "supervision.handle_rectification"
REVIEW_APPEAL = "supervision.review_appeal"
VIEW_WINDOW = "supervision.view_servicewindow"
ADD_WINDOW = "supervision.add_servicewindow"
CHANGE_WINDOW = "supervision.change_servicewindow"
# Recording a rating on the applicant's behalf (电话评价).
ADD_RATING = "supervision.add_servicerating"
# Serving at a window is the work of those who accept cases there.
ACCEPT_CASE = "servicehall.accept_case"

# action -> the permission it needs; an object (a Rectification, ServiceRating,
# ServiceWindow, Case or Organization) must also lie in the actor's data scope
# for it.
ACTIONS = {
    "view_rectification": VIEW_RECTIFICATION,
    "handle_rectification": HANDLE_RECTIFICATION,
    "review_appeal": REVIEW_APPEAL,
    "view_reports": VIEW_RATING,
    "export_reports": EXPORT_RATING,
    "view_windows": VIEW_WINDOW,
    # obj: the Organization the new window is for.
    "create_window": ADD_WINDOW,
    # Edit, enable, disable, put staff on duty or take them off.
    "change_window": CHANGE_WINDOW,
    # 上岗: take the window for one's shift.
    "take_window": ACCEPT_CASE,
    # obj: the concluded Case whose applicant was called.
    "record_phone_rating": ADD_RATING,
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
        ADD_RATING,
    ],
    "window_clerk": [VIEW_WINDOW],
    "org_admin": [VIEW_WINDOW, ADD_WINDOW, CHANGE_WINDOW],
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
