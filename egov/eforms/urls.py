from django.urls import path

from egov.eforms import views

app_name = "eforms"
urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("new/", views.form_new, name="form_new"),
    path("save/", views.form_save, name="form_save"),
    path("<slug:key>/", views.form_versions, name="form_versions"),
    path("<slug:key>/edit/", views.form_edit, name="form_edit"),
    path("<slug:key>/publish/", views.form_publish, name="form_publish"),
    path("<slug:key>/v<int:version>/schema/", views.form_schema, name="form_schema"),
    path("<slug:key>/v<int:version>/preview/", views.form_preview, name="form_preview"),
    path(
        "<slug:key>/v<int:version>/preview/data/",
        views.form_preview_data,
        name="form_preview_data",
    ),
    path(
        "<slug:key>/v<int:version>/preview/check/",
        views.form_preview_check,
        name="form_preview_check",
    ),
]
