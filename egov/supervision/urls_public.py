"""好差评 on the public face, mounted at hall/ratings/ (namespace "ratings")."""

from django.urls import path

from egov.supervision.views import public as views

app_name = "ratings"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("cases/<str:number>/", views.rate_case, name="rate_case"),
    path("windows/<slug:code>/", views.rate_window, name="rate_window"),
]
