"""系统管理 → 接入应用: registering the systems that sign in through the platform."""

from django.urls import path  # noqa: F401

app_name = "sso"
urlpatterns = []
