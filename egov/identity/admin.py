"""Operators may look up identity records in the Django admin, read-only.

Every change goes through the 系统管理 pages (egov.identity.views.admin), whose
actions check the data scope and write the audit log; the Django admin would
bypass both, so it offers no add, change or delete here. Lists show what the
operator's data scope covers, and personal data only masked.
"""

from django.contrib import admin

from egov.identity.models import Organization, Post, Region, Role, User
from egov.identity.queries import visible


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None
    # The permission whose data scope limits the list (None: platform-wide).
    scope_permission: str | None = None

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if self.scope_permission is None:
            return rows
        return visible(request.user, rows, perm=self.scope_permission)

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields] if self.fields else []

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["=code", "name"]
    fields = ["code", "name", "level", "parent", "path", "is_active"]


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    scope_permission = "identity.view_organization"
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["=code", "name", "short_name"]
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "region",
        "parent",
        "uscc",
        "sort_order",
        "path",
        "is_active",
    ]


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    scope_permission = "identity.view_post"
    list_display = ["organization", "code", "name", "is_head", "is_active"]
    search_fields = ["=code", "name", "organization__name"]
    fields = ["organization", "code", "name", "is_head", "sort_order", "is_active"]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "data_scope", "is_builtin", "is_active"]
    list_filter = ["data_scope", "is_builtin", "is_active"]
    search_fields = ["=code", "name"]
    fields = ["code", "name", "description", "data_scope", "is_builtin", "is_active"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    scope_permission = "identity.view_user"
    list_display = [
        "username",
        "real_name",
        "kind",
        "id_number_masked",
        "phone_masked",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["=username", "real_name"]
    fields = [
        "username",
        "real_name",
        "kind",
        "id_number_masked",
        "phone_masked",
        "uscc",
        "email",
        "is_active",
        "date_joined",
        "last_login",
    ]
