"""The two faces of the platform and the URL trees each one mounts.

The public face (portal, service hall) runs on the Internet side, the internal
face (workbench, administration) on the government network. A process mounts
only the faces it is told to, so neither exposes the other's URLs.
"""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

FACES = ("public", "internal")


def _shared():
    return [
        path("", include("egov.web.urls_shared")),
        path("o/", include("egov.identity.urls_oidc")),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path(
            "api/docs/",
            SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
            name="api-docs",
        ),
        path(
            "api/redoc/",
            SpectacularRedocView.as_view(url_name="api-schema"),
            name="api-redoc",
        ),
    ]


def _public():
    return [
        path("", include("egov.web.urls_public")),
        path("", include("egov.identity.urls_public")),
        path("api/public/", include("egov.identity.api_urls_public")),
        path("hall/", include("egov.servicehall.urls_public")),
        path("hall/ratings/", include("egov.supervision.urls_public")),
        path("hall/licences/", include("egov.datahub.urls_holder")),
        path("verify/", include("egov.datahub.urls_verify")),
    ]


def _internal():
    from egov.workflow.urls_operations import api_patterns as workflow_ops_api

    return [
        # Operators' Django admin signs in through the platform's own sign-in
        # (lockout, second factor), never through the admin's login form.
        path(
            "staff/django-admin/login/",
            RedirectView.as_view(url="/login/?next=/staff/django-admin/"),
        ),
        path("staff/django-admin/", admin.site.urls),
        path("staff/", include("egov.web.urls_internal")),
        path("staff/", include("egov.identity.urls_internal")),
        path("staff/sso/", include("egov.identity.urls_sso")),
        path("staff/audit/", include("egov.audit.urls")),
        path("staff/workflow/ops/", include("egov.workflow.urls_operations")),
        path("staff/workflow/", include("egov.workflow.urls")),
        path("staff/forms/", include("egov.eforms.urls")),
        path("staff/workflow/designer/", include("egov.workflow.urls_designer")),
        path("staff/calendar/", include("egov.core.urls_internal")),
        path("staff/catalog/", include("egov.servicehall.urls_catalog_admin")),
        path("staff/ratings/", include("egov.supervision.urls_internal")),
        path("staff/cases/", include("egov.servicehall.urls_cases")),
        path("staff/licences/", include("egov.datahub.urls_internal")),
        path("staff/docgen/", include("egov.docgen.urls")),
        path("api/", include("egov.identity.api_urls")),
        path("api/audit/", include("egov.audit.api_urls")),
        path(
            "api/workflow/ops/",
            include((workflow_ops_api, "workflow_ops_api")),
        ),
        path("api/workflow/", include("egov.workflow.api_urls")),
    ]


def build_urlpatterns(faces):
    unknown = set(faces) - set(FACES)
    if unknown:
        raise ValueError(f"EGOV_FACES names unknown faces: {sorted(unknown)}")
    patterns = _shared()
    if "public" in faces:
        patterns += _public()
    if "internal" in faces:
        patterns += _internal()
        if "public" not in faces:
            patterns.append(path("", RedirectView.as_view(url="/staff/")))
    return patterns
