"""一窗受理 to decision through the real pages.

张三's application for a 市场监管局 item with joint approval waits at the
window; 李四 opens it from 一窗受理 and accepts it; the item's process sends
it at once to 市场监管局 (王五 claims the pooled review), 县政府办公室 (孙丽)
and 城关镇 (宋佳); the leader's step waits until all three have decided; 孙七
approves in the workbench, finds the case 待决定 in 办件管理 and decides 准予.
Every page is watched for console errors and CSP violations.
"""

import pytest
from playwright.sync_api import expect

from egov.servicehall.models import Case
from egov.workflow.models import Task
from tests.e2e.session import sign_in
from tests.e2e.test_designers import Problems
from tests.servicehall import case_factories as cf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def county(settings, tmp_path):
    from egov.workflow import runtime

    settings.EGOV_STAFF_2FA_REQUIRED = False
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"
    # Compiled processes are cached by definition id; ids repeat between tests.
    runtime.forget_compiled()
    yield cf.case_county()
    runtime.forget_compiled()


def approve_in_workbench(page, subject, node_name, opinion, *, claim=False):
    page.goto("/staff/workflow/todo/")
    row = page.locator("tbody tr", has_text=subject).filter(has_text=node_name)
    row.get_by_role("link", name=subject).click()
    if claim:
        page.get_by_role("button", name="签收").click()
        expect(page.locator(".alert-success")).to_contain_text("已签收")
    page.get_by_label("审批意见").fill(opinion)
    page.locator('button[name="outcome"][value="approve"]').click()
    expect(page.locator(".alert-success")).to_contain_text(f"已办理：{node_name}")


def test_a_clerk_accepts_two_departments_approve_in_parallel_the_leader_decides(
    page, live_server, county
):
    problems = Problems(page).seen
    people = county.people
    version = cf.item(
        county, process_key=cf.JOINT_KEY, issues_licence=False, name="食品经营许可"
    )
    case = cf.submitted_case(county, version)
    subject = f"食品经营许可 · 张三 · {case.number}"

    # 李四 finds the application in 一窗受理 and accepts it
    sign_in(page, live_server, people.lisi)
    page.goto("/staff/")
    page.get_by_role("link", name="一窗受理").click()
    page.locator("#case-window-table").get_by_role("link", name=case.number).click()
    expect(page.locator("#case-applicant-id")).to_have_text(case.applicant_id_masked)
    page.locator("#case-accept-open").click()
    page.locator("#case-accept").click()
    expect(page.locator(".alert-success")).to_have_text("已受理，受理通知书已出具")
    expect(page.locator("#case-instruments")).to_contain_text("受理通知书")
    expect(page.locator("#case-tasks tbody tr")).to_have_count(3)

    # 县政府办公室 and 城关镇 approve in their own workbenches
    sign_in(page, live_server, people.sunli)
    approve_in_workbench(page, subject, "县政府办公室审查", "同意，符合规划")
    sign_in(page, live_server, people.songjia)
    approve_in_workbench(page, subject, "城关镇审查", "同意")
    # the join still waits for the lead department
    assert not Task.objects.filter(node_id="leader").exists()

    # 王五 claims the lead department's pooled review and approves
    sign_in(page, live_server, people.wangwu)
    approve_in_workbench(page, subject, "市场监管局审查", "材料齐全", claim=True)

    # 孙七 approves the leader's step, then decides the case
    sign_in(page, live_server, people.sunqi)
    approve_in_workbench(page, subject, "分管领导审核", "同意")
    page.goto("/staff/")
    page.get_by_role("link", name="办件管理").click()
    page.get_by_label("状态").select_option("awaiting_decision")
    page.get_by_role("button", name="筛选").click()
    page.locator("#case-table").get_by_role("link", name=case.number).click()
    expect(page.locator("#case-state")).to_have_text("待决定")
    expect(page.locator("#case-opinions")).to_contain_text("同意，符合规划")
    page.get_by_label("准予许可").check()
    page.get_by_label("决定理由").fill("经审查符合条件")
    page.locator("#case-decide").click()
    expect(page.locator(".alert-success")).to_have_text("决定已作出，决定书已出具")
    expect(page.locator("#case-state")).to_have_text("准予")
    expect(page.locator("#case-instruments")).to_contain_text("准予行政许可决定书")

    assert Case.objects.get(pk=case.pk).state == Case.State.APPROVED
    assert problems == []
