from django.urls import path

from egov.audit import api

app_name = "audit-api"
urlpatterns = [
    path("entries/", api.EntryList.as_view(), name="entry_list"),
    path("entries/<int:seq>/", api.EntryDetail.as_view(), name="entry_detail"),
]
