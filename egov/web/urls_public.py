from django.urls import path

from egov.web import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
]
