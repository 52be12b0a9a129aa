"""Who may do what in the service hall: `servicehall_policy.can(user, action, obj)`.

The item catalog: department staff draft and revise the items of the
organizations in their data scope; a reviewer (review_serviceitem) publishes
or returns them, never their own work; retiring, importing and exporting are
separate permissions. The public catalog needs no permission at all: it shows
published versions only (egov.servicehall.catalog_queries).
"""

from egov.core.policy import Policy

VIEW_ITEM = "servicehall.view_serviceitem"
ADD_ITEM = "servicehall.add_serviceitem"
CHANGE_ITEM = "servicehall.change_serviceitem"
REVIEW_ITEM = "servicehall.review_serviceitem"
RETIRE_ITEM = "servicehall.retire_serviceitem"
IMPORT_ITEMS = "servicehall.import_serviceitem"
EXPORT_ITEMS = "servicehall.export_serviceitem"
MANAGE_THEMES = "servicehall.change_theme"

# action -> the permission it needs; an object (an Organization for create, a
# ServiceItem or ServiceItemVersion otherwise) must also lie in the actor's
# data scope for that permission.
CATALOG_ACTIONS = {
    "view_item": VIEW_ITEM,
    "create_item": ADD_ITEM,
    "edit_item": CHANGE_ITEM,
    "submit_item": CHANGE_ITEM,
    "new_version": CHANGE_ITEM,
    "review_item": REVIEW_ITEM,
    "retire_item": RETIRE_ITEM,
    "import_catalog": IMPORT_ITEMS,
    "export_catalog": EXPORT_ITEMS,
    # Themes and life events are platform-wide: no data scope applies.
    "manage_themes": MANAGE_THEMES,
}

# Permissions the identity app's built-in roles receive (see
# egov.identity.roles.ensure_builtin_roles): 审批人员 keep their department's
# items, 分管领导 review and retire them, the window and the supervisors read.
BUILTIN_ROLE_GRANTS = {
    "approver": [VIEW_ITEM, ADD_ITEM, CHANGE_ITEM, EXPORT_ITEMS],
    "leader": [VIEW_ITEM, REVIEW_ITEM, RETIRE_ITEM, EXPORT_ITEMS],
    "window_clerk": [VIEW_ITEM],
    "supervisor": [VIEW_ITEM],
}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_own_work(user, version) -> bool:
    """Whether `user` drafted, last edited or submitted `version`: such a
    person may not review it (四眼原则)."""
    return user.pk is not None and user.pk in {
        version.created_by_id,
        version.updated_by_id,
        version.submitted_by_id,
    }


class ServiceHallPolicy(Policy):
    """Role-by-action rules (matrix: tests/servicehall/test_catalog_permissions.py).

    `can` decides on the permission and the data scope; `may_review` adds the
    four-eyes rule for the pages, which the review actions enforce with their
    own message.
    """

    app = "servicehall"

    def can(self, user, action: str, obj=None) -> bool:
        perm = CATALOG_ACTIONS.get(action)
        if perm is None or not _active(user) or not user.has_perm(perm):
            return False
        if obj is None or user.is_superuser:
            return True
        return self._in_scope(user, perm, obj)

    def may_review(self, user, version) -> bool:
        return self.can(user, "review_item", version) and not is_own_work(user, version)

    def visible(self, user, queryset, action: str = "view_item"):
        """The rows of `queryset` (items, versions or materials) inside the
        user's data scope for `action`'s permission; none without it."""
        from egov.identity.queries import visible

        if not self.can(user, action):
            return queryset.none()
        return visible(user, queryset, perm=CATALOG_ACTIONS[action])

    def _in_scope(self, user, perm, obj) -> bool:
        from egov.identity.models import Organization
        from egov.identity.queries import visible
        from egov.servicehall.models import ServiceItem, ServiceItemVersion, Theme

        if isinstance(obj, ServiceItemVersion):
            obj = obj.item
        if isinstance(obj, Theme):
            return True
        if isinstance(obj, ServiceItem):
            rows = ServiceItem.objects.filter(pk=obj.pk)
        elif isinstance(obj, Organization):
            rows = Organization.objects.filter(pk=obj.pk)
        else:
            raise TypeError(f"service hall policy does not judge {type(obj).__name__}")
        return visible(user, rows, perm=perm).exists()


servicehall_policy = ServiceHallPolicy()


# --- cases (办件) ----------------------------------------------------------------
#
# Data scope of cases (docs/adr, and the matrix in
# tests/servicehall/test_case_permissions.py):
# - A role's own data scope over the case's implementing organization
#   (Case.data_scope_fields): 审批人员 and 分管领导 their organizations and
#   below, 监察员 their region, whoever accepted a case with a "self" scope.
# - 一窗受理: the government service centre's window takes applications for
#   every department of its government, so whoever holds ACCEPT_CASE reaches
#   the cases of every organization in the regions (and below) of the
#   organizations where they hold a post, whatever their role's scope.
# - 并联审批: a department asked for its opinion sees the case while its
#   people hold, held or may claim a task of the case's process.

VIEW_CASE = "servicehall.view_case"
ACCEPT_CASE = "servicehall.accept_case"
ENTER_CASE = "servicehall.enter_case"
DECIDE_CASE = "servicehall.decide_case"
EXTEND_CASE = "servicehall.extend_case"
SUSPEND_CASE = "servicehall.suspend_case"

CASE_ACTIONS = {
    "view_case": VIEW_CASE,
    # Seeing the applicant's full ID number and phone (audited).
    "reveal_applicant": VIEW_CASE,
    "accept_case": ACCEPT_CASE,
    "refuse_case": ACCEPT_CASE,
    "request_correction": ACCEPT_CASE,
    "enter_case": ENTER_CASE,
    "decide_case": DECIDE_CASE,
    # Asking for an extension: whoever handles the case in the process, or
    # may decide it; granting one: 负责人 with EXTEND_CASE.
    "request_extension": VIEW_CASE,
    "approve_extension": EXTEND_CASE,
    "suspend_case": SUSPEND_CASE,
    "resume_case": SUSPEND_CASE,
}

# The window's reach (region-wide) applies to these permissions only.
_WINDOW_PERMS = {VIEW_CASE, ACCEPT_CASE, ENTER_CASE}

BUILTIN_ROLE_GRANTS["window_clerk"] += [VIEW_CASE, ACCEPT_CASE, ENTER_CASE]
BUILTIN_ROLE_GRANTS["approver"] += [VIEW_CASE]
# 中止 suspends the case's process too, which the workflow allows to holders
# of its suspend permission within their data scope.
BUILTIN_ROLE_GRANTS["leader"] += [
    VIEW_CASE,
    DECIDE_CASE,
    EXTEND_CASE,
    SUSPEND_CASE,
    "workflow.suspend_instance",
]
BUILTIN_ROLE_GRANTS["supervisor"] += [VIEW_CASE]


def _participant_instances(user):
    """Ids of the process instances where `user` holds, held or may claim a
    task (as a subquery)."""
    from django.db.models import Q

    from egov.workflow.assignment import candidate_filter
    from egov.workflow.models import Task, TaskCandidate

    held = Task.objects.filter(Q(assignee=user) | Q(completed_by=user)).values(
        "instance_id"
    )
    pooled = TaskCandidate.objects.filter(candidate_filter(user)).values(
        "task__instance_id"
    )
    return held, pooled


def case_rows(user, perm: str, queryset=None):
    """The cases of `queryset` (default: every case) that `user` reaches
    with `perm`: the role's data scope, the window's region, and for viewing
    the cases whose process the user takes part in. None without `perm`."""
    from django.db.models import Q

    from egov.identity.queries import scope_region_ids, visible
    from egov.servicehall.models import Case

    rows = Case.objects.all() if queryset is None else queryset
    if not _active(user) or not user.has_perm(perm):
        return rows.none()
    if user.is_superuser:
        return rows
    scoped = visible(user, rows, perm=perm).values("pk")
    condition = Q(pk__in=scoped)
    if perm in _WINDOW_PERMS and user.has_perm(ACCEPT_CASE):
        condition |= Q(organization__region_id__in=scope_region_ids(user))
    if perm == VIEW_CASE:
        held, pooled = _participant_instances(user)
        condition |= Q(process_instance_id__in=held) | Q(process_instance_id__in=pooled)
    return rows.filter(condition)


class CasePolicy(Policy):
    """Role-by-action rules for cases (matrix:
    tests/servicehall/test_case_permissions.py). `can` decides on the
    permission and on the case lying within the user's reach for it (for
    enter_case: the implementing organization lying in the window's
    region). States are the actions' business, not the policy's."""

    app = "servicehall"

    def can(self, user, action: str, obj=None) -> bool:
        perm = CASE_ACTIONS.get(action)
        if perm is None:
            raise KeyError(f"case policy has no action {action!r}")
        if not _active(user) or not user.has_perm(perm):
            return False
        if obj is None or user.is_superuser:
            return True
        from egov.identity.models import Organization

        if isinstance(obj, Organization):
            return self._reaches_organization(user, obj)
        if action == "request_extension" and not self._handles(user, obj):
            return False
        return case_rows(user, perm).filter(pk=obj.pk).exists()

    def visible(self, user, queryset=None, action: str = "view_case"):
        return case_rows(user, CASE_ACTIONS[action], queryset)

    def _handles(self, user, case) -> bool:
        """Whether `user` works on `case`: a task of its process, or the
        power to decide it."""
        if user.has_perm(DECIDE_CASE):
            return True
        if case.process_instance_id is None:
            return False
        held, pooled = _participant_instances(user)
        from django.db.models import Q

        from egov.workflow.models import ProcessInstance

        return ProcessInstance.objects.filter(
            Q(pk__in=held) | Q(pk__in=pooled), pk=case.process_instance_id
        ).exists()

    def _reaches_organization(self, user, organization) -> bool:
        from egov.identity.queries import scope_region_ids

        return organization.region_id in set(scope_region_ids(user))


case_policy = CasePolicy()
