"""好差评 in a real browser: a citizen on a 375-px phone rates a concluded case
不满意 with a tag; the department records a call-back and replies; the
citizen reads the reply on the rating page."""

import pytest

from egov.supervision.models import Rectification
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa
from tests.supervision.factories import case, rating_county

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_a_citizen_rates_unsatisfied_on_a_phone_and_reads_the_departments_reply(
    browser, phone_page, live_server
):
    county = rating_county()
    concluded = case(county)
    page = phone_page

    # The citizen rates 不满意 with a tag, on a phone.
    sign_in(page, live_server, county.people.zhangsan)
    page.goto(f"/hall/ratings/cases/{concluded.number}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    good_tags = page.locator('[data-sv-tags-for="5 4"]')
    bad_tags = page.locator('[data-sv-tags-for="2 1"]')
    assert good_tags.is_hidden()
    page.get_by_text("不满意", exact=True).click()
    assert bad_tags.is_visible()
    assert good_tags.is_hidden()
    page.get_by_text("多次跑腿", exact=True).click()
    page.get_by_label("评价内容（选填，500字以内）").fill("补充材料跑了三次")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价！").wait_for()
    assert page.locator("#sv-my-rating").inner_text().count("不满意") == 1
    assert "多次跑腿" in page.locator("#sv-my-rating").inner_text()
    rect = Rectification.objects.get()

    # The department's handler records a call-back and replies.
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    sign_in(desk, live_server, county.people.wangwu)
    desk.goto("/staff/ratings/rectifications/")
    desk.get_by_role("link", name=concluded.number).click()
    desk.locator("#sv-callback-form").get_by_label("回访对象").fill("张三本人")
    desk.locator("#sv-callback-form").get_by_label("回访内容").fill(
        "电话致歉，说明材料清单已统一"
    )
    desk.get_by_role("button", name="保存回访记录").click()
    desk.get_by_text("回访记录已保存").wait_for()
    assert "电话致歉，说明材料清单已统一" in desk.locator("#sv-callbacks").inner_text()
    desk.locator("#sv-reply-form").get_by_label("整改答复").fill(
        "已统一窗口和网上的材料清单，今后一次告知。"
    )
    desk.get_by_role("button", name="发送答复").click()
    desk.get_by_text("已答复评价人").wait_for()
    desk.get_by_role("button", name="办结工单").click()
    desk.get_by_text("整改工单已办结").wait_for()
    staff.close()

    # The citizen sees the reply.
    page.reload()
    reply = page.locator("#sv-reply")
    reply.wait_for()
    assert "示范县市场监督管理局的整改答复" in reply.inner_text()
    assert "已统一窗口和网上的材料清单，今后一次告知。" in reply.inner_text()
    rect.refresh_from_db()
    assert rect.state == Rectification.State.CLOSED
