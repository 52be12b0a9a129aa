from django.urls import path

from egov.web import views

app_name = "staff"
urlpatterns = [
    path("", views.workbench, name="workbench"),
]
