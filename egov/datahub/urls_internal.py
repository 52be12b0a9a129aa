"""数据中心 → 证照管理, mounted at staff/licences/ on the internal face."""

from django.urls import path

from egov.datahub.views import licence_admin as views

app_name = "licences"
urlpatterns = [
    path("", views.licence_list, name="list"),
    path("<str:number>/", views.licence_detail, name="detail"),
    path("<str:number>/revoke/", views.licence_revoke, name="revoke"),
]
