"""Approval operations in a real browser: 孙二 adds 李四 before himself from
the 加签 dialog (the people picker suggests him), 李四 approves, and 孙二
returns the task to the review with 原路返回; 王五 acts and it comes back."""

import pytest

from egov.workflow.models import Task
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa
from tests.workflow.conftest import _fresh_spec_cache, county
from tests.workflow.operations_support import at_countersign, rows, task_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["_fresh_spec_cache", "county", "no_staff_2fa"]


def test_add_a_signer_and_return_straight_back_from_the_dialogs(
    page, live_server, county
):
    p = county.people
    instance = at_countersign(county)
    sun = task_of(instance, "suner")

    # 孙二 opens his countersign task and adds 李四 before himself
    sign_in(page, live_server, p.suner)
    page.goto(f"/staff/workflow/tasks/{sun.pk}/")
    page.get_by_role("button", name="加签").first.click()
    dialog = page.locator("#op-add-signer")
    dialog.get_by_label("加签人", exact=True).fill("李")
    suggestion = page.locator("#egov-people-list option[value='lisi']")
    suggestion.wait_for(state="attached")
    assert suggestion.get_attribute("label") == "李四（示范县政务服务中心）"
    dialog.get_by_label("加签人", exact=True).fill("lisi")
    dialog.get_by_label("前加签：加签人办理后，我再办理").check()
    dialog.get_by_role("button", name="加签").click()
    page.get_by_text("已加签").wait_for()
    assert (
        page.locator("[data-waiting-for]")
        .inner_text()
        .strip()
        .startswith("该任务正在等待李四办理")
    )

    # 李四 approves from his task page
    lisi_task = Task.objects.get(instance=instance, assignee=p.lisi)
    sign_in(page, live_server, p.lisi)
    page.goto(f"/staff/workflow/tasks/{lisi_task.pk}/")
    page.get_by_label("审批意见").fill("可以")
    page.locator("button[name=outcome][value=approve]").click()
    page.get_by_text("已办理").first.wait_for()

    # 孙二 returns to 科长审核 with 原路返回
    sign_in(page, live_server, p.suner)
    page.goto(f"/staff/workflow/tasks/{sun.pk}/")
    page.get_by_role("button", name="退回").first.click()
    dialog = page.locator("#op-return")
    dialog.get_by_label("退回到").select_option("review")
    dialog.get_by_label("原路返回：退回的环节办理后直接交回给我").check()
    dialog.get_by_label("退回意见").fill("请科长确认天数")
    dialog.get_by_role("button", name="退回").click()
    page.get_by_text("已退回").wait_for()
    assert ("review", "wangwu", "open", "resubmit") in rows(instance)

    # 王五 acts; the task is 孙二's again
    resubmit = task_of(instance, "wangwu")
    sign_in(page, live_server, p.wangwu)
    page.goto(f"/staff/workflow/tasks/{resubmit.pk}/")
    page.locator("button[name=outcome][value=approve]").click()
    page.get_by_text("已办理").first.wait_for()
    assert ("sign", "suner", "open", "node") in rows(instance)
