"""服务窗口 and 电话回访 in a real browser.

何敏, the administrator of the 政务服务中心, adds its 2号窗口 and puts 李四 on
duty; 陈二 scans the window's code on a 375-px phone and rates the visit, and
the rating names 李四. 李四 takes and leaves a window for his shift from his
workbench. 周八 the supervisor calls 张三 about his concluded case, records
his 不满意 by phone, and 王五 of 市场监管局 finds the rectification among his
department's 整改工单. 周八 also calls 刘桂兰, whose case 李四 entered at the
window (she has no account), records her 不满意, and 王五 replies to her: she
gets the reply by SMS.
"""

import pytest

from egov.core import sms
from egov.supervision import window_actions
from egov.supervision.models import Rectification, ServiceRating, ServiceWindow
from tests.e2e.session import sign_in
from tests.e2e.test_designers import Problems
from tests.identity.factories import no_staff_2fa
from tests.supervision.factories import case, rating_county, walk_in_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_the_administrator_adds_a_window_and_a_visitor_rates_the_clerk_on_duty(
    page, phone_page, live_server
):
    county = rating_county()
    problems = Problems(page).seen

    # 何敏 adds the centre's 2号窗口 from the menu.
    sign_in(page, live_server, county.people.hemin)
    page.goto("/staff/")
    page.get_by_role("link", name="服务窗口").click()
    page.get_by_role("link", name="新增窗口").click()
    page.get_by_label("窗口编码").fill("Hall-02")
    page.get_by_label("窗口名称").fill("2号窗口（综合受理）")
    page.get_by_label("所属机构").select_option(label="示范县政务服务中心")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("服务窗口“2号窗口（综合受理）”已新增，请安排当班人员").wait_for()

    # …and puts 李四 on duty there.
    page.get_by_label("当班工作人员").select_option(label="李四（示范县政务服务中心）")
    page.get_by_role("button", name="安排当班").click()
    page.get_by_text("当班人员已更新").wait_for()
    assert page.locator("#sv-window-staff").inner_text().strip() == "李四"
    rating_url = page.locator("#sv-rating-url").inner_text()
    assert rating_url == f"{live_server.url}/hall/ratings/windows/hall-02/"
    page.get_by_role("link", name="服务窗口").first.click()
    card = page.locator('[data-window="hall-02"]')
    assert "当班：李四" in card.inner_text()
    assert problems == []

    # 陈二 opens the code on the counter with a phone and rates the visit.
    phone = phone_page
    sign_in(phone, live_server, county.people.chener)
    phone.goto(rating_url)
    assert "服务人员：李四" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_text("满意", exact=True).click()
    phone.get_by_text("服务态度好", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("感谢您对窗口服务的评价！").wait_for()
    mine = phone.locator(".sv-mine").first.inner_text()
    assert "2号窗口（综合受理）" in mine
    assert "服务人员：李四" in mine

    rating = ServiceRating.objects.get()
    assert rating.window.code == "hall-02"
    assert rating.staff == county.people.lisi
    assert (rating.level, rating.tags) == (4, ["服务态度好"])


def test_a_clerk_takes_a_window_for_the_shift_and_leaves_it_from_the_workbench(
    page, live_server
):
    county = rating_county()
    window_actions.create_window(
        actor=county.people.hemin,
        code="hall-02",
        name="2号窗口（综合受理）",
        organization=county.orgs.center,
    )
    problems = Problems(page).seen

    sign_in(page, live_server, county.people.lisi)
    page.goto("/staff/")
    card = page.locator("#sv-duty-card")
    card.wait_for()
    assert "您目前不在窗口当班。" in card.inner_text()
    card.get_by_role("button", name="在2号窗口（综合受理）上岗").click()
    page.get_by_text("您已在“2号窗口（综合受理）”上岗").wait_for()
    assert page.url == f"{live_server.url}/staff/"
    page.locator("#sv-duty-card").get_by_text(
        "您正在“2号窗口（综合受理）”当班"
    ).wait_for()
    assert ServiceWindow.objects.get(code="hall-02").staff == county.people.lisi

    page.locator("#sv-duty-card").get_by_role("button", name="离岗").click()
    page.get_by_text("您已从“2号窗口（综合受理）”离岗").wait_for()
    assert ServiceWindow.objects.get(code="hall-02").staff is None
    assert problems == []


def test_the_supervisor_records_a_phone_rating_and_the_department_gets_the_order(
    page, browser, live_server
):
    county = rating_county()
    concluded = case(county)
    problems = Problems(page).seen

    # 周八 finds the case among those waiting for a call.
    sign_in(page, live_server, county.people.zhouba)
    page.goto("/staff/")
    page.get_by_role("link", name="电话回访").click()
    page.get_by_role("link", name=f"登记办件{concluded.number}的评价").click()
    assert "139****1001" in page.locator("#sv-phone-number").inner_text()
    page.get_by_role("button", name="查看完整电话").click()
    page.locator("#sv-phone-number").get_by_text("13999211001").wait_for()

    # He records what 张三 said.
    form = page.locator("#sv-phone-form")
    bad_tags = form.locator('[data-sv-tags-for="2 1"]')
    assert bad_tags.is_hidden()
    form.get_by_text("不满意", exact=True).click()
    assert bad_tags.is_visible()
    form.get_by_text("多次跑腿", exact=True).click()
    form.get_by_label("申请人的意见（选填，500字以内）").fill("补材料跑了两趟")
    form.get_by_role("button", name="登记评价").click()
    page.get_by_text("请确认申请人同意由回访人员代为登记本次评价").wait_for()
    assert not ServiceRating.objects.exists()
    form = page.locator("#sv-phone-form")
    form.get_by_label("申请人同意由回访人员代为登记本次评价").check()
    form.get_by_role("button", name="登记评价").click()
    page.get_by_text("电话评价已登记").wait_for()
    assert "不满意" in page.locator("#sv-phone-recorded").inner_text()
    assert problems == [message for message in problems if "status of 400" in message]

    rating = ServiceRating.objects.get()
    assert (rating.channel, rating.level, rating.rater) == (
        "phone",
        2,
        county.people.zhangsan,
    )
    rect = Rectification.objects.get()

    # 王五 of 市场监管局 finds the order in his department's 整改工单.
    desk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(10_000)
    sign_in(desk, live_server, county.people.wangwu)
    desk.goto("/staff/")
    desk.get_by_role("link", name="整改工单").click()
    desk.get_by_role("link", name=concluded.number).click()
    assert desk.locator("#sv-phone-recorded-by").inner_text() == "周八"
    assert "申请人同意代为登记" in desk.locator("#sv-phone-called-at").inner_text()
    assert desk.url.endswith(f"/staff/ratings/rectifications/{rect.pk}/")
    desk_context.close()


def test_a_walk_in_applicant_rated_by_phone_gets_the_departments_reply_by_sms(
    page, browser, live_server
):
    county = rating_county()
    concluded = walk_in_case(county)
    problems = Problems(page).seen
    sms.outbox.clear()

    # 周八 finds 刘桂兰's case among those waiting for a call: she has no
    # account, so only a phone rating can reach her.
    sign_in(page, live_server, county.people.zhouba)
    page.goto("/staff/")
    page.get_by_role("link", name="电话回访").click()
    row = page.locator("#sv-awaiting tr", has_text=concluded.number)
    assert "刘桂兰" in row.inner_text()
    assert "无平台账号" in row.inner_text()
    assert "139****7788" in row.inner_text()
    row.get_by_role("link", name=f"登记办件{concluded.number}的评价").click()
    assert "无平台账号" in page.locator("#sv-phone-applicant").inner_text()
    page.get_by_role("button", name="查看完整电话").click()
    page.locator("#sv-phone-number").get_by_text("13999217788").wait_for()

    # He records her 不满意 with her consent.
    form = page.locator("#sv-phone-form")
    form.get_by_text("不满意", exact=True).click()
    form.get_by_text("办理超时", exact=True).click()
    form.get_by_label("申请人的意见（选填，500字以内）").fill("等了很久才办结")
    form.get_by_label("申请人同意由回访人员代为登记本次评价").check()
    form.get_by_role("button", name="登记评价").click()
    page.get_by_text("电话评价已登记").wait_for()
    recorded = page.locator("#sv-phone-recorded").inner_text()
    assert "登记人：周八" in recorded
    assert "回访时间：" in recorded

    rating = ServiceRating.objects.get()
    assert (rating.channel, rating.level, rating.rater) == ("phone", 2, None)
    assert rating.recorded_by == county.people.zhouba
    assert rating.consented is True
    assert sms.outbox[-1][0] == "13999217788"

    # The recorded tab lists the call with its time and who recorded it.
    page.get_by_role("link", name="电话回访").first.click()
    page.get_by_role("link", name="已登记的电话评价").click()
    listed = page.locator("#sv-recorded tr", has_text=concluded.number).inner_text()
    assert "刘桂兰" in listed
    assert "周八" in listed

    # 王五 of 市场监管局 handles the order and replies to her.
    rect = Rectification.objects.get()
    desk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(10_000)
    sign_in(desk, live_server, county.people.wangwu)
    desk.goto("/staff/")
    desk.get_by_role("link", name="整改工单").click()
    desk.get_by_role("link", name=concluded.number).click()
    assert desk.locator("#sv-no-account").inner_text() == "无平台账号"
    assert desk.locator("#sv-phone-recorded-by").inner_text() == "周八"
    desk.locator("#sv-reply-form textarea").fill("已优化办理流程，感谢您的监督。")
    desk.locator("#sv-reply-form").get_by_role("button").click()
    desk.locator("#sv-reply-text").wait_for()
    assert desk.url.endswith(f"/staff/ratings/rectifications/{rect.pk}/")
    desk_context.close()

    assert sms.outbox[-1] == (
        "13999217788",
        "【示范县人民政府】示范县市场监督管理局已答复您对办件"
        f"{concluded.number}的评价：已优化办理流程，感谢您的监督。",
    )
    assert problems == []
    sms.outbox.clear()
