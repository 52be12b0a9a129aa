"""Operators may read the log in the Django admin; nobody may change it there."""

from django.contrib import admin

from egov.audit.models import AuditEntry
from egov.audit.permissions import audit_policy


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "seq",
        "created_at",
        "username",
        "organization_name",
        "action",
        "outcome",
        "ip",
        "target_repr",
    ]
    list_filter = ["outcome"]
    search_fields = ["=username", "action", "=target_id"]
    ordering = ["-seq"]
    show_full_result_count = False
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(seq__isnull=False)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_view_permission(self, request, obj=None):
        return audit_policy.can(request.user, "view", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
