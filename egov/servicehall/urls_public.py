"""网上办事大厅 on the public face, mounted at hall/."""

from django.urls import path

from egov.servicehall.views import cases as case_views
from egov.servicehall.views import catalog_public as views

app_name = "hall"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.item_list, name="item_list"),
    path("items/<slug:code>/", views.guide, name="guide"),
    path(
        "items/<slug:code>/materials/<int:pk>/<slug:which>/",
        views.material_file,
        name="material_file",
    ),
    path(
        "my/<str:number>/instruments/<int:pk>/",
        case_views.applicant_instrument,
        name="instrument",
    ),
]
