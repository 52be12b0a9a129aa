"""系统管理 → 接入应用: registering the systems that sign in through the platform."""

from django.urls import path

from egov.identity.views import sso as views

app_name = "sso"
urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/edit/", views.application_update, name="application_update"),
    path(
        "<int:pk>/secret/",
        views.application_rotate_secret,
        name="application_rotate_secret",
    ),
    path("<int:pk>/disable/", views.application_disable, name="application_disable"),
    path("<int:pk>/enable/", views.application_enable, name="application_enable"),
    path("<int:pk>/delete/", views.application_delete, name="application_delete"),
]
