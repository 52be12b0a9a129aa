"""抢办 through a delegation in a real browser: 孙二 (科员) delegated his work to
赵六, who is not in the 科员 pool; 赵六 claims a pooled task from his todo list
and the task page shows him as handling it on 孙二's behalf, in the current
handlers and in the timeline. Every page is watched for console errors and
CSP violations."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from egov.workflow.models import Task
from egov.workflow.operations import delegation
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


def test_a_delegate_claims_a_pooled_task_and_the_page_says_for_whom(
    page, live_server, county
):
    problems = Problems(page).seen
    p = county.people
    deploy(
        county,
        b.chain(
            "leave",
            b.user(
                "x",
                "科员审核",
                assignment={"rule": "post", "post": "139921-104/staff"},
            ),
        ),
    )
    now = timezone.now()
    delegation.create_delegation(
        actor=p.suner, to="zhaoliu", start_at=now, end_at=now + timedelta(days=3)
    )
    start(county, subject="请假申请")
    task = Task.objects.get(node_name="科员审核")
    assert task.is_pooled and task.assignee is None

    # 赵六 finds the pooled task in his todo list and claims it
    sign_in(page, live_server, p.zhaoliu)
    page.goto(live_server.url + "/staff/workflow/todo/")
    page.get_by_role("link", name="请假申请").click()
    page.get_by_role("button", name="签收").click()
    expect(page.locator(".alert-success")).to_have_text("已签收，请办理")

    # The page names him as handling it on 孙二's behalf, twice: the current
    # handler and the 签收 line of the timeline
    expect(page.get_by_text("赵六").first).to_be_visible()
    expect(page.get_by_text("受孙二委托")).to_have_count(2)
    claim = page.locator('[data-timeline] [data-kind="claim"]')
    expect(claim).to_contain_text("赵六")
    expect(claim.locator("[data-on-behalf-of]")).to_have_text("（受孙二委托）")
    task.refresh_from_db()
    assert (task.assignee, task.delegated_from) == (p.zhaoliu, p.suner)
    assert problems == []
