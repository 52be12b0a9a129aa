"""三员分立 for the audit log: only the audit administrator reads and exports it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url
from django.urls import reverse

from egov.audit.actions import record
from egov.audit.models import AuditEntry
from egov.audit.permissions import audit_policy

pytestmark = pytest.mark.django_db

ACTIONS = ["view", "export", "add", "change", "delete"]
MATRIX = {
    "auditor": {"view", "export"},
    "reader": {"view"},
    "system_admin": set(),
    "security_admin": set(),
    "clerk": set(),
}


@pytest.mark.parametrize("person", list(MATRIX))
@pytest.mark.parametrize("action", ACTIONS)
def test_the_policy_matrix(request, person, action):
    user = request.getfixturevalue(person)

    assert audit_policy.can(user, action) is (action in MATRIX[person])


def test_an_anonymous_visitor_may_do_nothing():
    assert [audit_policy.can(AnonymousUser(), a) for a in ACTIONS] == [False] * 5


def test_a_disabled_auditor_may_do_nothing(auditor):
    auditor.is_active = False

    assert [audit_policy.can(auditor, a) for a in ACTIONS] == [False] * 5


@pytest.fixture
def entry(clerk):
    return record(actor=clerk, action="office.sign_document")


@pytest.mark.parametrize("person", ["system_admin", "security_admin", "clerk"])
def test_other_people_are_refused_every_audit_page(client, request, person, entry):
    user = request.getfixturevalue(person)
    client.force_login(user)

    answers = [
        client.get(reverse("audit:entry_list")).status_code,
        client.get(reverse("audit:entry_detail", args=[entry.seq])).status_code,
        client.post(reverse("audit:entry_export"), {}).status_code,
        client.get("/api/audit/entries/").status_code,
        client.get(f"/api/audit/entries/{entry.seq}/").status_code,
    ]

    assert answers == [403, 403, 403, 403, 403]


def test_refused_reads_and_exports_are_logged_as_denied(client, system_admin):
    client.force_login(system_admin)

    client.get(reverse("audit:entry_list"))
    client.post(reverse("audit:entry_export"), {"action": "identity."})

    denied = AuditEntry.objects.filter(outcome="denied").order_by("seq")
    assert [(e.action, e.username, e.detail["code"]) for e in denied] == [
        ("audit.view_entries", "xitong", "permission_denied"),
        ("audit.export_entries", "xitong", "permission_denied"),
    ]


def test_a_reader_without_export_permission_sees_no_export_button(client, reader):
    client.force_login(reader)

    response = client.get(reverse("audit:entry_list"))

    assert response.status_code == 200
    assert "导出Excel" not in response.content.decode()
    assert client.post(reverse("audit:entry_export"), {}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, entry, settings):
    response = client.get(reverse("audit:entry_list"))

    assert response.status_code == 302
    login = resolve_url(settings.LOGIN_URL)
    assert response["Location"] == f"{login}?next=/staff/audit/"


def test_the_menu_shows_the_log_to_the_auditor_only(client, auditor, clerk):
    client.force_login(auditor)
    shown = "/staff/audit/" in client.get(reverse("staff:workbench")).content.decode()
    client.force_login(clerk)
    hidden = "/staff/audit/" in client.get(reverse("staff:workbench")).content.decode()

    assert (shown, hidden) == (True, False)
