"""The Django admin at the root of its own URLconf, for testing the audit admin."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("django-admin/", admin.site.urls)]
