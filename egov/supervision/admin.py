from django.contrib import admin

from egov.supervision.models import ServiceWindow


@admin.register(ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organization", "staff", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    raw_id_fields = ("organization", "staff")
