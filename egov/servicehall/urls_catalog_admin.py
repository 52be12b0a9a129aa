"""政务服务 → 事项管理, mounted at staff/catalog/ on the internal face."""

from django.urls import path

from egov.servicehall.views import catalog_admin as views

app_name = "catalog_admin"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("export/", views.catalog_export, name="export"),
    path("import/", views.catalog_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/new/", views.theme_create, name="theme_create"),
    path("themes/<slug:code>/", views.theme_edit, name="theme_edit"),
    path("items/<slug:code>/", views.item_detail, name="item_detail"),
    path("items/<slug:code>/edit/", views.item_edit, name="item_edit"),
    path("items/<slug:code>/submit/", views.item_submit, name="item_submit"),
    path(
        "items/<slug:code>/new-version/",
        views.item_new_version,
        name="item_new_version",
    ),
    path("items/<slug:code>/retire/", views.item_retire, name="item_retire"),
    path(
        "items/<slug:code>/v<int:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path(
        "items/<slug:code>/v<int:number>/approve/",
        views.version_approve,
        name="version_approve",
    ),
    path(
        "items/<slug:code>/v<int:number>/reject/",
        views.version_reject,
        name="version_reject",
    ),
    path(
        "items/<slug:code>/v<int:number>/materials/<int:pk>/<slug:which>/",
        views.material_file,
        name="material_file",
    ),
]
