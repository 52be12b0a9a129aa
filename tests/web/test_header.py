import pytest

from egov.workflow.models import Notification
from egov.workflow.operations import notify
from tests.identity.factories import demo_county, no_staff_2fa

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]


def test_header_bell_counts_unread_site_messages(client):
    county = demo_county()
    clerk = county.people.lisi
    notify.send(
        users=[clerk], kind=Notification.Kind.URGE, title="请尽快办理", sender=None
    )
    client.force_login(clerk)

    page = client.get("/staff/").content.decode()

    assert (
        '<span class="badge rounded-pill bg-danger" id="unread-count">1</span>' in page
    )


def test_header_bell_shows_no_count_without_unread_messages(client):
    county = demo_county()
    client.force_login(county.people.lisi)

    page = client.get("/staff/").content.decode()

    assert 'id="unread-count"' not in page
    assert "/staff/workflow/ops/notifications/" in page
