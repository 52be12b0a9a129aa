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
