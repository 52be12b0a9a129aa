"""系统管理 → 文书模板, mounted at staff/docgen/ on the internal face."""

from django.urls import path

from egov.docgen import views

app_name = "docgen"
urlpatterns = [
    path("", views.template_list, name="template_list"),
    path("<str:code>/", views.template_detail, name="template_detail"),
    path("<str:code>/upload/", views.upload_version, name="upload_version"),
    path(
        "<str:code>/v<int:number>/download/",
        views.version_download,
        name="version_download",
    ),
    path(
        "<str:code>/v<int:number>/preview/",
        views.version_preview,
        name="version_preview",
    ),
    path(
        "<str:code>/v<int:number>/activate/",
        views.version_activate,
        name="version_activate",
    ),
]
