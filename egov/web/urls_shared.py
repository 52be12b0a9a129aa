from django.urls import include, path

from egov.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("egov.identity.urls_auth")),
]
