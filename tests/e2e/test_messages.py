"""我的消息 in a real browser: a clerk's action leaves a message for the
citizen, who sees the unread count in the public header on a phone, opens
the message and lands on the case; the count is gone."""

import pytest
from django.db import transaction
from django.utils import timezone

from egov.servicehall.models import Audience, Case
from egov.servicehall.notify import notify_applicant
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa
from tests.servicehall.factories import catalog_county, published

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]

NUMBER = "1399212026112600042"


def test_a_citizen_sees_an_unread_message_in_the_header_and_reads_it(
    phone_page, live_server
):
    # Given 张三's case, refused with a reason
    county = catalog_county()
    version = published(county)
    citizen = county.people.zhangsan
    case = Case(
        number=NUMBER,
        lookup_code="K7M2QX",
        item=version.item,
        item_version=version,
        organization=county.orgs.market,
        state=Case.State.REFUSED,
        applicant=citizen,
        applicant_kind=Audience.INDIVIDUAL,
        applicant_name="张三",
        submitted_at=timezone.now(),
        concluded_at=timezone.now(),
    )
    case.save()
    with transaction.atomic():
        notify_applicant(case, "case_refused", reason="不属于本机关职权范围")
    page = phone_page
    sign_in(page, live_server, citizen)

    # When he opens the hall on his phone, the header shows one unread message
    page.goto("/hall/")
    badge = page.locator("#hall-unread-count")
    assert badge.inner_text() == "1"

    # And his messages list it, with the reason
    page.locator("#hall-messages").click()
    page.wait_for_url("**/hall/messages/")
    item = page.locator("[data-message]").first
    assert "不予受理：食品经营许可" in item.inner_text()
    assert "理由：不属于本机关职权范围" in item.inner_text()
    assert page.locator("[data-unread]").inner_text() == "1"

    # When he opens it, he lands on the case and the count is gone
    item.get_by_role("button").click()
    page.wait_for_url(f"**/hall/my/{NUMBER}/")
    assert page.locator("#hall-unread-count").count() == 0
    page.goto("/hall/messages/")
    assert "已读" in page.locator("[data-message]").first.inner_text()
    # And the page fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
