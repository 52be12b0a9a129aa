"""The whole journey of issue 3 in one go, through the real pages.

孙七 (process and form administrator) draws a leave form in the form-js
designer and publishes it, draws a three-step process in the bpmn-js designer
(填写申请 by the initiator with the form, 部门会签 by 王五 and 李四 who must
all agree, 局长审批 by the bureau head's post), sets it up in the Chinese
properties panel and deploys it. 罗丹 starts it and fills the form; 王五
returns it once; 罗丹 corrects it; both countersign; 赵六 approves. The
timeline, the highlighted diagram and the audit log tell the same story.
Every page is watched for console errors and CSP violations.
"""

import pytest
from playwright.sync_api import expect

from egov.audit.models import AuditEntry
from egov.eforms.models import FormDefinition
from egov.workflow.models import ProcessDefinition, ProcessInstance, Task
from tests.e2e.session import sign_in
from tests.e2e.test_designers import (
    DRAW_THREE_STEPS,
    Problems,
    _administrator,
    _open_group,
    _select_element,
)
from tests.identity.factories import demo_county

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "年假申请（罗丹）"


@pytest.fixture
def people(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False
    county = demo_county()
    admin, role = _administrator()
    admin.roles.add(role)
    county.people.sunqi = admin
    return county.people


def draw_the_form(page):
    page.goto("/staff/")
    page.get_by_role("link", name="表单管理").click()
    page.get_by_role("link", name="新建表单").click()
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.get_by_label("表单标识").fill("annual-leave")
    page.get_by_label("表单名称").fill("年假申请表")
    drop = page.locator(".fjs-drop-container-vertical").first
    page.locator(".fjs-palette-field[data-field-type=textfield]").drag_to(drop)
    properties = page.locator(".fjs-properties-container")
    _open_group(page, "常规")
    label = properties.locator("[data-entry-id=label] [contenteditable=true]")
    label.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("请假事由")
    properties.get_by_label("字段标识").fill("reason")
    page.locator(".fjs-form-field-label", has_text="请假事由").wait_for()
    page.get_by_role("button", name="保存并发布").click()
    page.wait_for_url("**/staff/forms/annual-leave/")
    expect(page.locator(".alert-success")).to_have_text("已发布“年假申请表”第1版")


def draw_and_deploy_the_process(page):
    page.goto("/staff/")
    page.get_by_role("link", name="流程设计").click()
    page.get_by_role("link", name="新建流程").click()
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.evaluate(DRAW_THREE_STEPS)
    panel = page.locator("[data-egov-process-properties]")

    _select_element(page, "apply")
    _open_group(page, "办理设置")
    panel.get_by_label("办理人类型").select_option("initiator")
    _open_group(page, "表单设置")
    panel.get_by_label("表单", exact=True).select_option("annual-leave")

    _select_element(page, "review")
    _open_group(page, "办理设置")
    panel.get_by_label("办理人类型").select_option("user")
    panel.get_by_label("人员账号").fill("wangwu,lisi")
    panel.get_by_label("审批方式").select_option("all")

    _select_element(page, "decide")
    _open_group(page, "办理设置")
    panel.get_by_label("办理人类型").select_option("post")
    panel.get_by_label("岗位").select_option(label="示范县市场监督管理局 · 局长")

    page.get_by_label("流程编码").fill("annual-leave")
    page.get_by_label("流程名称").fill("年假审批")
    page.get_by_role("button", name="部署").click()
    page.wait_for_url("**/staff/workflow/designer/processes/annual-leave/")
    expect(page.locator(".alert-success")).to_have_text("已部署“年假审批”第1版")


def open_my_task(page, node_name):
    page.goto("/staff/workflow/todo/")
    row = page.locator("tbody tr", has_text=SUBJECT).filter(has_text=node_name)
    row.get_by_role("link", name=SUBJECT).click()
    expect(page.locator("h1")).to_have_text(SUBJECT)


def fill_the_form_and_send(page, reason):
    page.wait_for_selector("[data-egov-form-ready=true]")
    field = page.get_by_label("请假事由")
    field.fill(reason)
    page.locator('[data-egov-submit="approve"]').click()
    page.wait_for_url("**/staff/workflow/todo/")
    expect(page.locator(".alert-success")).to_contain_text("已办理：填写申请")


def approve(page, opinion):
    page.get_by_label("审批意见").fill(opinion)
    page.locator('button[name="outcome"][value="approve"]').click()
    expect(page.locator(".alert-success")).to_contain_text("已办理：部门会签")


def expect_highlight(page, active, completed):
    page.wait_for_selector("[data-egov-viewer-ready=true]")
    for node in active:
        expect(
            page.locator(f'[data-element-id="{node}"].egov-node-active')
        ).to_have_count(1)
    for node in completed:
        expect(
            page.locator(f'[data-element-id="{node}"].egov-node-completed')
        ).to_have_count(1)
    expect(page.locator(".egov-node-active")).to_have_count(len(active))


def test_draw_deploy_start_countersign_return_finish_and_check_the_record(
    page, live_server, people
):
    problems = Problems(page).seen

    # 孙七 draws and publishes the form, then draws and deploys the process
    sign_in(page, live_server, people.sunqi)
    draw_the_form(page)
    draw_and_deploy_the_process(page)
    definition = ProcessDefinition.objects.get(key="annual-leave")
    config = definition.node_config[definition.main_process_id]
    assert config["review"]["multi"] == "parallel"
    assert config["review"]["vote"]["rule"] == "all"
    assert FormDefinition.objects.get(key="annual-leave").schema["components"][0][
        "key"
    ] == ("reason")

    # 罗丹 starts it from the menu and fills in the form
    sign_in(page, live_server, people.luodan)
    page.goto("/staff/")
    page.get_by_role("link", name="发起流程").click()
    page.get_by_label("流程").select_option("annual-leave")
    page.get_by_label("标题").fill(SUBJECT)
    page.get_by_label("业务编号").fill("NJ-2026-007")
    page.get_by_role("button", name="发起").click()
    expect(page.locator(".alert-success")).to_have_text(f"已发起：{SUBJECT}")
    instance = ProcessInstance.objects.get(business_key="NJ-2026-007")
    expect_highlight(page, active=["apply"], completed=[])
    open_my_task(page, "填写申请")
    fill_the_form_and_send(page, "回乡探亲")

    # 王五 sees the countersign highlighted and returns it to the applicant
    sign_in(page, live_server, people.wangwu)
    open_my_task(page, "部门会签")
    expect_highlight(page, active=["review"], completed=["apply"])
    expect(page.locator("[data-current]")).to_contain_text("王五")
    expect(page.locator("[data-current]")).to_contain_text("李四")
    page.locator("[data-operations]").get_by_role("button", name="退回").click()
    dialog = page.locator("#op-return")
    dialog.get_by_label("退回到").select_option("previous")
    dialog.get_by_label("退回意见").fill("请写明请假天数")
    dialog.get_by_role("button", name="退回").click()
    page.wait_for_url("**/staff/workflow/todo/")
    expect(page.locator(".alert-success")).to_contain_text("已退回")

    # 李四's share of the countersign went back with it
    assert not Task.objects.filter(
        instance=instance, node_id="review", state__in=Task.OPEN_STATES
    ).exists()

    # 罗丹 corrects the form and sends it again
    sign_in(page, live_server, people.luodan)
    open_my_task(page, "填写申请")
    expect_highlight(page, active=["apply"], completed=[])
    expect(page.locator("[data-timeline]")).to_contain_text("请写明请假天数")
    page.wait_for_selector("[data-egov-form-ready=true]")
    expect(page.get_by_label("请假事由")).to_have_value("回乡探亲")
    fill_the_form_and_send(page, "回乡探亲，共 3 天")

    # Both countersign
    sign_in(page, live_server, people.wangwu)
    open_my_task(page, "部门会签")
    approve(page, "同意，注意交接工作")
    sign_in(page, live_server, people.lisi)
    open_my_task(page, "部门会签")
    expect_highlight(page, active=["review"], completed=["apply"])
    approve(page, "同意")

    # 赵六, the bureau head, decides
    sign_in(page, live_server, people.zhaoliu)
    open_my_task(page, "局长审批")
    expect_highlight(page, active=["decide"], completed=["apply", "review"])
    page.get_by_label("审批意见").fill("准予休假")
    page.locator('button[name="outcome"][value="approve"]').click()
    expect(page.locator(".alert-success")).to_contain_text("已办理：局长审批")

    # The initiator sees it finished: timeline and diagram agree
    sign_in(page, live_server, people.luodan)
    page.goto(f"/staff/workflow/instances/{instance.pk}/")
    expect(page.locator("[data-instance-state]")).to_have_text("已办结")
    kinds = page.locator("[data-timeline] [data-kind]")
    expect(kinds).to_have_count(8)
    assert [kinds.nth(i).get_attribute("data-kind") for i in range(kinds.count())] == [
        "start",
        "approve",
        "return",
        "approve",
        "approve",
        "approve",
        "approve",
        "complete",
    ]
    timeline = page.locator("[data-timeline]")
    for text in ("罗丹", "王五", "李四", "赵六", "请写明请假天数", "准予休假"):
        expect(timeline).to_contain_text(text)
    expect(timeline.locator('[data-kind="return"]')).to_contain_text("部门会签")
    expect(timeline.locator('[data-kind="return"]')).to_contain_text("王五")
    expect_highlight(page, active=[], completed=["apply", "review", "decide"])
    instance.refresh_from_db()
    assert instance.data["reason"] == "回乡探亲，共 3 天"

    # The auditor finds every step in the unified log
    sign_in(page, live_server, people.qianshiyi)
    page.goto("/staff/")
    page.get_by_role("link", name="统一日志").click()
    page.get_by_label("操作代码").fill("workflow.return_task")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("wangwu")
    expect(rows.first).to_contain_text("成功")
    page.get_by_label("操作代码").fill("workflow.complete_task")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(5)
    for who in ("luodan", "wangwu", "lisi", "zhaoliu"):
        expect(page.locator("table tbody")).to_contain_text(who)
    for code in ("workflow.deploy_process", "workflow.start_process"):
        page.get_by_label("操作代码").fill(code)
        page.get_by_role("button", name="查询").click()
        expect(rows).to_have_count(1)
    completed = AuditEntry.objects.filter(
        action="workflow.complete_task", outcome="success"
    )
    assert sorted(completed.values_list("username", flat=True)) == [
        "lisi",
        "luodan",
        "luodan",
        "wangwu",
        "zhaoliu",
    ]
    assert problems == []
