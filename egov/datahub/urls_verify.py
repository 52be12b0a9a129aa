"""The public verification of electronic licences, mounted at verify/."""

from django.urls import path

from egov.datahub.views import licence_public as views

app_name = "licence_verify"
urlpatterns = [
    path("<str:code>/", views.verify, name="verify"),
]
