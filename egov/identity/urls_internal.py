"""系统管理 (internal face, under /staff/): regions, organizations and posts,
users, roles, and their Excel import/export."""

from django.urls import path

from egov.identity.views import admin as views

app_name = "sysadmin"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/new/", views.region_create, name="region_create"),
    path("regions/<int:pk>/edit/", views.region_edit, name="region_edit"),
    path(
        "regions/<int:pk>/deactivate/",
        views.region_set_active,
        {"active": False},
        name="region_deactivate",
    ),
    path(
        "regions/<int:pk>/activate/",
        views.region_set_active,
        {"active": True},
        name="region_activate",
    ),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/export/", views.org_export, name="org_export"),
    path("orgs/import/", views.org_import, name="org_import"),
    path(
        "orgs/import/template/",
        views.org_import_template,
        name="org_import_template",
    ),
    path("orgs/<int:pk>/panel/", views.org_panel, name="org_panel"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/move/", views.org_move, name="org_move"),
    path(
        "orgs/<int:pk>/deactivate/",
        views.org_set_active,
        {"active": False},
        name="org_deactivate",
    ),
    path(
        "orgs/<int:pk>/activate/",
        views.org_set_active,
        {"active": True},
        name="org_activate",
    ),
    path("orgs/<int:org_pk>/posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path(
        "posts/<int:pk>/deactivate/",
        views.post_set_active,
        {"active": False},
        name="post_deactivate",
    ),
    path(
        "posts/<int:pk>/activate/",
        views.post_set_active,
        {"active": True},
        name="post_activate",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/export/", views.user_export, name="user_export"),
    path("users/import/", views.user_import, name="user_import"),
    path(
        "users/import/template/",
        views.user_import_template,
        name="user_import_template",
    ),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/posts/", views.user_posts, name="user_posts"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/reveal/", views.user_reveal, name="user_reveal"),
    path("users/<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", views.user_enable, name="user_enable"),
    path(
        "users/<int:pk>/password/",
        views.user_reset_password,
        name="user_reset_password",
    ),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path(
        "roles/<int:pk>/deactivate/",
        views.role_set_active,
        {"active": False},
        name="role_deactivate",
    ),
    path(
        "roles/<int:pk>/activate/",
        views.role_set_active,
        {"active": True},
        name="role_activate",
    ),
]
