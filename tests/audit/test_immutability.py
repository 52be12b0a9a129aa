"""Nobody edits or deletes log entries through the platform: not code, admin or API."""

import pytest
from django.db.models import ProtectedError

from egov.audit.actions import record
from egov.audit.models import AuditEntry, AuditLogImmutable
from egov.identity.models import User

pytestmark = pytest.mark.django_db

CHANGELIST = "/django-admin/audit/auditentry/"


@pytest.fixture
def entry(clerk):
    return record(actor=clerk, action="office.sign_document", detail={"n": 1})


def test_a_queryset_update_is_refused(entry):
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=entry.seq).update(ip="1.1.1.1")

    assert AuditEntry.objects.get(seq=entry.seq).ip == ""


def test_a_bulk_update_is_refused(entry):
    entry.ip = "1.1.1.1"

    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.bulk_update([entry], ["ip"])


def test_saving_a_stored_entry_again_is_refused(entry):
    stored = AuditEntry.objects.get(seq=entry.seq)
    stored.outcome = "failed"

    with pytest.raises(AuditLogImmutable):
        stored.save()

    assert AuditEntry.objects.get(seq=entry.seq).outcome == "success"


def test_deleting_an_entry_or_a_queryset_is_refused(entry):
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.get(seq=entry.seq).delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_deleting_a_user_with_entries_is_refused(entry, clerk):
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=clerk.pk).delete()

    assert AuditEntry.objects.filter(user=clerk).count() == 1


def test_nobody_can_be_granted_add_change_or_delete_on_entries():
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    ) - {"add_auditentry", "change_auditentry", "delete_auditentry"}

    assert codenames == {"view_auditentry", "export_auditentry"}


# The admin under its own URLconf: these tests are about the audit log's
# ModelAdmin, whatever path a face mounts the admin site at.
on_admin_site = pytest.mark.urls("tests.audit.urls_admin")


@pytest.fixture
def admin_auditor(auditor):
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    return auditor


@on_admin_site
def test_the_admin_shows_entries_read_only_to_the_auditor(client, admin_auditor, entry):
    client.force_login(admin_auditor)
    pk = AuditEntry.objects.get(seq=entry.seq).pk

    listing = client.get(CHANGELIST)
    page = client.get(f"{CHANGELIST}{pk}/change/")

    assert listing.status_code == 200
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert "delete_selected" not in listing.content.decode()


@on_admin_site
def test_the_admin_refuses_to_add_change_or_delete(client, admin_auditor, entry):
    client.force_login(admin_auditor)
    pk = AuditEntry.objects.get(seq=entry.seq).pk

    add = client.post(f"{CHANGELIST}add/", {"seq": 99})
    change = client.post(f"{CHANGELIST}{pk}/change/", {"ip": "9.9.9.9"})
    delete = client.post(f"{CHANGELIST}{pk}/delete/", {"post": "yes"})
    bulk = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code == 200  # the list again: it has no actions to run
    stored = AuditEntry.objects.get(pk=pk)
    assert (stored.ip, stored.hash) == ("", entry.hash)
    assert AuditEntry.objects.filter(action="office.sign_document").count() == 1


@on_admin_site
def test_the_admin_hides_the_log_from_the_system_administrator(
    client, system_admin, entry
):
    system_admin.is_staff = True
    system_admin.save(update_fields=["is_staff"])
    client.force_login(system_admin)

    listing = client.get(CHANGELIST)

    assert listing.status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_refuses_every_write_even_to_the_auditor(
    client, auditor, entry, method
):
    client.force_login(auditor)

    listing = getattr(client, method)(
        "/api/audit/entries/", {}, content_type="application/json"
    )
    single = getattr(client, method)(
        f"/api/audit/entries/{entry.seq}/",
        {"ip": "9.9.9.9"},
        content_type="application/json",
    )

    assert (listing.status_code, single.status_code) == (405, 405)
    assert AuditEntry.objects.get(seq=entry.seq).ip == ""
    assert not AuditEntry.objects.filter(
        action="office.sign_document", seq__gt=entry.seq
    )
