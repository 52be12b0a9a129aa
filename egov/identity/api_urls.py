"""REST API of the identity app (internal face, under /api/)."""

from django.urls import path

from egov.identity import api

app_name = "identity-api"
urlpatterns = [
    path(
        "identity/organizations/",
        api.OrganizationList.as_view(),
        name="organization_list",
    ),
    path(
        "identity/organizations/<int:pk>/",
        api.OrganizationDetail.as_view(),
        name="organization_detail",
    ),
    path("identity/users/", api.UserList.as_view(), name="user_list"),
    path("identity/users/<int:pk>/", api.UserDetail.as_view(), name="user_detail"),
]
