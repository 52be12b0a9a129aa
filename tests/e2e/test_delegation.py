"""我的委托 in a real browser: 王五 delegates his work to 孙二 from the menu,
孙二 receives the next task and a pooled one he could not claim before, and
王五 ends the delegation early. Every page is watched for console errors and
CSP violations."""

import pytest
from playwright.sync_api import expect

from egov.workflow.models import Delegation, Task
from tests.e2e.session import sign_in
from tests.e2e.test_designers import Problems
from tests.workflow import builders as b
from tests.workflow.conftest import _fresh_spec_cache, county, deploy, start

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["_fresh_spec_cache", "county"]


@pytest.fixture
def no_staff_2fa(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False


class WatchedPage(Problems):
    """Problems, except the refusal of an overlapping delegation (a 400)."""

    def _console(self, message):
        url = (message.location or {}).get("url", "")
        if "status of 400" in message.text and url.endswith(
            "/staff/workflow/delegations/"
        ):
            return
        super()._console(message)


def test_a_delegation_is_given_from_the_menu_used_and_ended_early(
    page, live_server, county
):
    problems = WatchedPage(page).seen
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user("x", "科长审核", assignment={"rule": "user", "users": "wangwu"}),
        ),
    )
    deploy(
        county,
        b.chain(
            "trip",
            b.user(
                "x",
                "科员审核",
                assignment={"rule": "user", "users": "wangwu,zhaoliu"},
            ),
        ),
        key="trip",
        name="出差审批",
    )

    # 王五 opens 我的委托 from the menu and delegates everything to 孙二
    sign_in(page, live_server, p.wangwu)
    page.goto("/staff/")
    page.get_by_role("link", name="我的委托").click()
    expect(page.locator("h1")).to_have_text("我的委托")
    # The suggestions listen for typing once the page's scripts have run: the
    # heading can be there before they have.
    page.wait_for_load_state()
    page.get_by_label("受托人").fill("孙")
    suggestion = page.locator("#egov-people-list option[value='suner']")
    suggestion.wait_for(state="attached")
    page.get_by_label("受托人").fill("suner")
    page.get_by_label("委托事由").fill("参加培训")
    page.locator("[data-delegation-form]").get_by_role("button", name="委托").click()
    expect(page.locator(".alert-success")).to_have_text("已委托给孙二")
    given = page.locator('[data-delegations="given"] tbody tr')
    expect(given).to_have_count(1)
    expect(given.first).to_contain_text("孙二")
    expect(given.first).to_contain_text("全部流程")
    expect(given.first).to_contain_text("生效中")

    # A second, overlapping one is refused with its reason
    page.get_by_label("受托人").fill("chensan")
    page.locator("[data-delegation-form]").get_by_role("button", name="委托").click()
    expect(page.locator(".alert-danger")).to_contain_text("适用流程有重叠")
    expect(given).to_have_count(1)

    # A leave request for 王五, and a trip pooled to 王五 and 赵六, arrive
    start(county, subject="请假申请")
    start(county, key="trip", subject="出差申请")
    leave = Task.objects.get(node_name="科长审核")
    trip = Task.objects.get(node_name="科员审核")
    assert (leave.assignee, leave.delegated_from) == (p.suner, p.wangwu)
    assert trip.is_pooled and trip.assignee is None

    # 孙二 sees the delegation he received and both tasks, and claims the trip
    sign_in(page, live_server, p.suner)
    page.goto("/staff/workflow/delegations/")
    received = page.locator('[data-delegations="received"] tbody tr')
    expect(received).to_have_count(1)
    expect(received.first).to_contain_text("王五")
    expect(page.locator("[data-end-delegation]")).to_have_count(0)
    page.goto("/staff/workflow/todo/")
    expect(page.get_by_role("link", name="请假申请")).to_be_visible()
    page.get_by_role("link", name="出差申请").click()
    page.get_by_role("button", name="签收").click()
    expect(page.locator(".alert-success")).to_have_text("已签收，请办理")
    trip.refresh_from_db()
    assert trip.assignee == p.suner

    # 王五 comes back and ends it early
    sign_in(page, live_server, p.wangwu)
    page.goto("/staff/workflow/delegations/")
    page.get_by_role("button", name="提前结束").click()
    expect(page.locator(".alert-success")).to_have_text("已结束委托")
    expect(given.first).to_contain_text("已结束")
    expect(page.locator("[data-end-delegation]")).to_have_count(0)
    assert not Delegation.objects.get().is_active
    assert problems == []
