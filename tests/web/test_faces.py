import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="config.urls_public")
def test_public_only_process_answers_404_for_internal_urls(client):
    assert client.get("/").status_code == 200
    assert client.get("/staff/").status_code == 404
    assert client.get("/staff/audit/").status_code == 404
    assert client.get("/staff/django-admin/").status_code == 404


@override_settings(ROOT_URLCONF="config.urls_internal")
def test_internal_only_process_answers_404_for_public_urls(client):
    assert client.get("/register/").status_code == 404
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_both_faces_serve_home_and_workbench_sign_in(client):
    assert client.get("/").status_code == 200
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_security_headers_forbid_inline_scripts_and_framing(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
