"""我的消息 on the public face: the unread count in the header, the list,
opening a message (read, and on to the case), marking all read, and nobody
else's messages."""

import pytest
from django.urls import reverse

from egov.workflow.models import Notification
from tests.identity import factories as idf

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(db):
    return idf.user("chenmei", "陈梅", kind="citizen", phone_value="13999211002")


def message(person, title, kind="case", url="/hall/my/1399212026112600001/"):
    return Notification.objects.create(
        user=person, kind=kind, title=title, body="详情", url=url
    )


def test_the_public_header_shows_the_unread_count(client, citizen):
    message(citizen, "已受理：食品经营许可")
    message(citizen, "申请已提交：食品经营许可")
    message(citizen, "新待办：不在公众端显示", kind="task")
    client.force_login(citizen)
    page = client.get(reverse("hall:index")).content.decode()
    assert (
        '<span class="badge rounded-pill bg-danger" id="hall-unread-count">2</span>'
        in page
    )


def test_no_count_when_everything_is_read_or_signed_out(client, citizen):
    page = client.get(reverse("hall:index")).content.decode()
    assert "hall-messages" not in page
    client.force_login(citizen)
    page = client.get(reverse("hall:index")).content.decode()
    assert 'id="hall-messages"' in page and "hall-unread-count" not in page


def test_the_list_shows_case_messages_newest_first(client, citizen):
    message(citizen, "申请已提交：食品经营许可")
    message(citizen, "已受理：食品经营许可")
    message(citizen, "新待办：不在公众端显示", kind="task")
    client.force_login(citizen)
    page = client.get(reverse("hall:messages")).content.decode()
    assert page.index("已受理：食品经营许可") < page.index("申请已提交：食品经营许可")
    assert "新待办" not in page
    assert "data-unread>2<" in page


def test_opening_a_message_reads_it_and_goes_to_the_case(client, citizen):
    note = message(citizen, "已受理：食品经营许可")
    client.force_login(citizen)
    response = client.post(reverse("hall:message_open", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == "/hall/my/1399212026112600001/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_message_with_a_foreign_link_returns_to_the_list(client, citizen):
    note = message(citizen, "已受理", url="https://evil.example.com/")
    client.force_login(citizen)
    response = client.post(reverse("hall:message_open", args=[note.pk]))
    assert response.url == reverse("hall:messages")


def test_someone_elses_message_is_not_found(client, citizen):
    other = idf.user("linan", "林楠", kind="citizen")
    note = message(other, "已受理：食品经营许可")
    client.force_login(citizen)
    response = client.post(reverse("hall:message_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(client, citizen):
    message(citizen, "申请已提交：食品经营许可")
    message(citizen, "已受理：食品经营许可")
    client.force_login(citizen)
    response = client.post(reverse("hall:message_read_all"), follow=True)
    page = response.content.decode()
    assert "已将 2 条消息标记为已读" in page
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_mark_all_read_leaves_messages_the_page_does_not_show(client, citizen):
    message(citizen, "已受理：食品经营许可")
    task = message(citizen, "新待办：不在公众端显示", kind="task")
    client.force_login(citizen)

    response = client.post(reverse("hall:message_read_all"), follow=True)

    assert "已将 1 条消息标记为已读" in response.content.decode()
    task.refresh_from_db()
    assert task.read_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("hall:messages"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account:login"))
