from django.urls import path

from egov.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("<int:seq>/", views.entry_detail, name="entry_detail"),
    path("export/", views.entry_export, name="entry_export"),
]
