"""A holder's own electronic licences on the public face, mounted at
hall/licences/."""

from django.urls import path

from egov.datahub.views import licence_public as views

app_name = "my_licences"
urlpatterns = [
    path("", views.my_licences, name="list"),
    path("<str:code>/", views.my_licence, name="detail"),
    path("<str:code>/pdf/", views.my_licence_pdf, name="pdf"),
]
