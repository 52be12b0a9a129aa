"""The form designer and the process designer in a real browser.

A form administrator draws a leave form and publishes it; a process
administrator draws a three-step approval, sets who handles each step in the
Chinese properties panel, attaches the form with a read-only field, and
deploys it. Every page is watched for console errors and CSP violations.
"""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from egov.eforms.models import FormDefinition
from egov.identity.models import Role
from egov.workflow.models import ProcessDefinition
from tests.e2e.session import sign_in
from tests.eforms.factories import leave_schema, published_form
from tests.identity.factories import demo_county, user

pytestmark = pytest.mark.django_db(transaction=True)

# Reported by a script on every page: CSP refusals carry the offending file.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} from ${event.sourceFile}`);
});
"""


# Endpoints whose refusals (answered 400) the browser tests provoke on purpose.
REFUSING_ENDPOINTS = ("/preview/check/", "/designer/deploy/", "/cases/window/enter/")


class Problems:
    """Console errors, page errors and CSP violations seen by a page.

    Chromium's own CSP messages do not say which file broke the policy, so
    they are skipped and the listener above reports each violation with its
    source instead.
    """

    def __init__(self, page):
        self.seen = []
        page.add_init_script(WATCH_CSP)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))

    def _console(self, message):
        if message.type != "error":
            return
        text = message.text
        url = (message.location or {}).get("url", "")
        if text.startswith(("Applying inline style violates", "Refused to")):
            return
        # Chromium asks every site for /favicon.ico; the platform has none.
        if "Failed to load resource" in text and url.endswith("/favicon.ico"):
            return
        # A refusal is answered 400 by design, and Chromium logs every 400.
        if "status of 400" in text and url.split("?")[0].endswith(REFUSING_ENDPOINTS):
            return
        # htmx, loaded by the shared base template (web/base.html), injects its
        # indicator <style> unless that template configures it not to; the
        # browser blocks it harmlessly. Anything else is a finding.
        if text.startswith("CSP violation") and "/static/vendor/htmx/" in text:
            return
        self.seen.append(text)


@pytest.fixture
def problems(page):
    watched = Problems(page)
    yield watched.seen


def _administrator():
    role = Role.objects.create(
        code="process_admin", name="流程与表单管理员", data_scope="all"
    )
    role.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["eforms", "workflow"])
    )
    return user("sunqi", "孙七", roles=[]), role


@pytest.fixture
def administrator(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False
    person, role = _administrator()
    person.roles.add(role)
    return person


def _open_group(page, label):
    header = page.locator(".bio-properties-panel-group-header", has_text=label)
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def _select_element(page, element_id):
    # Selecting through the modeler's API, as a click on the canvas would
    # (which also leaves any field being typed in): shapes drawn by a script
    # may sit under another shape's context pad.
    label = page.evaluate(
        """(id) => {
          document.activeElement.blur();
          const modeler = window.egovProcessDesigner.modeler;
          const element = modeler.get("elementRegistry").get(id);
          modeler.get("selection").select(element);
          return element.businessObject.name || id;
        }""",
        element_id,
    )
    page.locator(".bio-properties-panel-header-label", has_text=label).wait_for()


def test_a_form_is_drawn_published_and_listed(
    page, live_server, administrator, problems
):
    sign_in(page, live_server, administrator)

    page.goto("/staff/")
    page.get_by_role("link", name="表单管理").click()
    page.get_by_role("link", name="新建表单").click()
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.get_by_label("表单标识").fill("leave")
    page.get_by_label("表单名称").fill("请假申请表")
    drop = page.locator(".fjs-drop-container-vertical").first
    page.locator(".fjs-palette-field[data-field-type=textfield]").drag_to(drop)
    properties = page.locator(".fjs-properties-container")
    _open_group(page, "常规")
    label = properties.locator("[data-entry-id=label] [contenteditable=true]")
    label.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("申请人")
    properties.get_by_label("字段标识").fill("applicant")
    page.locator(".fjs-form-field-label", has_text="申请人").wait_for()
    _open_group(page, "中文校验")
    properties.get_by_label("中文证件/号码校验").select_option("id_number")
    page.get_by_role("button", name="保存并发布").click()

    page.wait_for_url("**/staff/forms/leave/")
    assert page.locator(".alert-success").inner_text().strip() == (
        "已发布“请假申请表”第1版"
    )
    row = page.locator("#form-versions tbody tr")
    assert row.count() == 1
    assert "第1版" in row.inner_text() and "已发布" in row.inner_text()
    form = FormDefinition.objects.get(key="leave")
    [field] = form.schema["components"]
    assert (field["type"], field["key"], field["label"]) == (
        "textfield",
        "applicant",
        "申请人",
    )
    assert field["properties"] == {"egov:validator": "id_number"}
    assert problems == []


def test_the_preview_checks_a_form_on_the_server_and_shows_its_messages(
    page, live_server, administrator, problems
):
    schema = leave_schema()
    schema["components"][2]["increment"] = 0.5
    published_form(administrator, schema=schema)
    sign_in(page, live_server, administrator)

    page.goto("/staff/forms/leave/")
    page.get_by_role("link", name="预览").click()
    page.wait_for_selector("[data-egov-form-ready=true]")
    page.get_by_role("button", name="服务器校验").click()
    messages = page.locator("[data-egov-form-messages]")
    assert messages.inner_text().strip() == "表单填写有误，请按提示修改后重新提交"
    assert "此项为必填项" in page.locator(".fjs-form").inner_text()

    page.get_by_label("申请人").fill("王五")
    page.get_by_label("请假天数").fill("1.2")
    kind = page.locator(".fjs-form-field-select", has_text="请假类型")
    kind.locator(".fjs-input-group").click()
    kind.locator(".fjs-dropdownlist-item", has_text="病假").click()
    page.get_by_role("button", name="服务器校验").click()
    days_error = page.locator(".fjs-form-field-error", has_text="最接近的有效值")
    days_error.wait_for()

    assert days_error.inner_text().strip() == "请输入有效值，最接近的有效值为1和1.5"
    page.get_by_label("请假天数").fill("1.5")
    page.get_by_role("button", name="服务器校验").click()
    success = messages.locator(".alert-success")
    success.wait_for()
    assert success.inner_text().strip() == "服务器校验通过（预览不会保存数据）"
    assert problems == []


DRAW_THREE_STEPS = """() => {
  const modeler = window.egovProcessDesigner.modeler;
  const factory = modeler.get("elementFactory");
  const modeling = modeler.get("modeling");
  const registry = modeler.get("elementRegistry");
  let previous = registry.get("StartEvent_1");
  const steps = [["apply", "填写申请"], ["review", "部门会签"], ["decide", "局长审批"]];
  steps.forEach(([id, name], index) => {
    const shape = modeling.appendShape(
      previous,
      factory.createShape({ type: "bpmn:UserTask" }),
      { x: 330 + index * 160, y: 178 },
    );
    modeling.updateProperties(shape, { id, name });
    previous = shape;
  });
  const end = modeling.appendShape(
    previous, factory.createShape({ type: "bpmn:EndEvent" }), { x: 820, y: 178 },
  );
  modeling.updateProperties(end, { id: "done", name: "结束" });
  modeler.get("canvas").zoom("fit-viewport");
}"""


def test_a_three_step_process_is_drawn_configured_and_deployed(
    page, live_server, administrator, problems
):
    county = demo_county()
    published_form(administrator, schema=leave_schema())
    sign_in(page, live_server, administrator)

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
    panel.get_by_label("表单", exact=True).select_option("leave")

    _select_element(page, "review")
    _open_group(page, "办理设置")
    panel.get_by_label("办理人类型").select_option("user")
    panel.get_by_label("人员账号").fill("wangwu,zhaoliu")
    panel.get_by_label("办理时限").fill("3")
    panel.get_by_label("时限单位").select_option("workdays")
    panel.get_by_label("审批方式").select_option("all")
    _open_group(page, "表单设置")
    panel.get_by_label("表单", exact=True).select_option("leave")
    panel.get_by_label("字段：申请人（applicant）").select_option("readonly")
    panel.get_by_label("字段：身份证号（id_number）").select_option("hidden")

    _select_element(page, "decide")
    _open_group(page, "办理设置")
    panel.get_by_label("办理人类型").select_option("post")
    panel.get_by_label("岗位").select_option(label="示范县市场监督管理局 · 局长")

    page.get_by_label("流程编码").fill("leave")
    page.get_by_label("流程名称").fill("请假审批")
    page.get_by_role("button", name="部署").click()

    page.wait_for_url("**/staff/workflow/designer/processes/leave/")
    assert page.locator(".alert-success").inner_text().strip() == (
        "已部署“请假审批”第1版"
    )
    assert "第1版" in page.locator("#process-versions tbody").inner_text()
    page.wait_for_selector("[data-egov-viewer-ready=true]")
    definition = ProcessDefinition.objects.get(key="leave")
    config = definition.node_config[definition.main_process_id]
    assert config["apply"]["assignment"] == {"rule": "initiator"}
    assert config["apply"]["form"]["key"] == "leave"
    assert config["review"]["assignment"] == {"rule": "user", "users": "wangwu,zhaoliu"}
    assert config["review"]["multi"] == "parallel"
    assert config["review"]["vote"]["rule"] == "all"
    assert config["review"]["time_limit"] == {"amount": 3, "unit": "workdays"}
    assert config["review"]["form"]["fields"] == {
        "applicant": "readonly",
        "id_number": "hidden",
    }
    head = county.posts.market_head
    assert config["decide"]["assignment"] == {
        "rule": "post",
        "post": f"{head.organization.code}/{head.code}",
    }
    assert problems == []


def test_a_refused_deployment_lists_the_engines_reasons(
    page, live_server, administrator, problems
):
    sign_in(page, live_server, administrator)

    page.goto("/staff/workflow/designer/new/")
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.evaluate(DRAW_THREE_STEPS)
    page.get_by_label("流程编码").fill("leave")
    page.get_by_label("流程名称").fill("请假审批")
    page.get_by_role("button", name="部署").click()

    alert = page.locator("[data-egov-designer-messages] .alert-danger")
    alert.wait_for()
    assert alert.inner_text().startswith("流程定义未通过检查，请修改以下问题后重新部署")
    assert "未设置办理人（egov:assignment）" in alert.inner_text()
    assert ProcessDefinition.objects.count() == 0
    assert problems == []


DRAW_BRANCH = """() => {
  const modeler = window.egovProcessDesigner.modeler;
  const factory = modeler.get("elementFactory");
  const modeling = modeler.get("modeling");
  const registry = modeler.get("elementRegistry");
  const apply = modeling.appendShape(
    registry.get("StartEvent_1"),
    factory.createShape({ type: "bpmn:UserTask" }),
    { x: 330, y: 178 },
  );
  modeling.updateProperties(apply, { id: "apply", name: "填写申请" });
  const gateway = modeling.appendShape(
    apply, factory.createShape({ type: "bpmn:ExclusiveGateway" }), { x: 470, y: 178 },
  );
  modeling.updateProperties(gateway, { id: "days_check" });
  const leader = modeling.appendShape(
    gateway, factory.createShape({ type: "bpmn:UserTask" }), { x: 600, y: 40 },
  );
  modeling.updateProperties(leader, { id: "leader", name: "领导审批" });
  const end = modeling.appendShape(
    leader, factory.createShape({ type: "bpmn:EndEvent" }), { x: 760, y: 178 },
  );
  const shortcut = modeling.connect(gateway, end);
  const [longFlow] = gateway.outgoing.filter((flow) => flow.target === leader);
  modeling.updateProperties(longFlow, { id: "long" });
  modeling.updateProperties(shortcut, { id: "short" });
  modeling.updateProperties(gateway, { default: shortcut.businessObject });
  modeler.get("canvas").zoom("fit-viewport");
  modeler.get("selection").select(longFlow);
}"""


def test_a_branch_condition_and_the_allowed_operations_are_set_in_the_panel(
    page, live_server, administrator, problems
):
    sign_in(page, live_server, administrator)

    page.goto("/staff/workflow/designer/new/")
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.evaluate(DRAW_BRANCH)
    panel = page.locator("[data-egov-process-properties]")
    _open_group(page, "流转条件")
    panel.get_by_label("流转条件").fill("days > 3")
    page.wait_for_timeout(400)
    for node in ("apply", "leader"):
        _select_element(page, node)
        _open_group(page, "办理设置")
        panel.get_by_label("办理人类型").select_option("initiator")
    _open_group(page, "可用操作")
    assert panel.get_by_label("同意", exact=True).is_disabled()
    panel.get_by_label("转办", exact=True).click()
    expect(panel.get_by_label("转办", exact=True)).not_to_be_checked()
    panel.get_by_label("加签", exact=True).click()
    expect(panel.get_by_label("加签", exact=True)).to_be_checked()
    page.get_by_label("流程编码").fill("leave-branch")
    page.get_by_label("流程名称").fill("请假分支")
    page.get_by_role("button", name="部署").click()

    page.wait_for_url("**/processes/leave-branch/")
    definition = ProcessDefinition.objects.get(key="leave-branch")
    assert (
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">days &gt; 3'
        "</bpmn:conditionExpression>"
    ) in definition.bpmn_xml
    leader = definition.node_config[definition.main_process_id]["leader"]
    assert leader["operations"] == [
        "approve",
        "reject",
        "return",
        "delegate",
        "add_signer",
        "withdraw",
        "urge",
        "cc",
    ]
    assert problems == []


def test_the_diagram_widget_highlights_active_and_completed_nodes(
    page, live_server, administrator, problems
):
    sign_in(page, live_server, administrator)
    page.goto("/staff/workflow/designer/new/")
    page.wait_for_selector("[data-egov-designer-ready=true]")
    page.evaluate(DRAW_THREE_STEPS)
    drawn = page.evaluate(
        "async () => (await window.egovProcessDesigner.modeler.saveXML()).xml"
    )
    ProcessDefinition.objects.create(
        key="shown",
        name="展示",
        version=1,
        bpmn_xml=drawn,
        main_process_id="Process_1",
        checksum="0" * 64,
        deployed_by=administrator,
    )
    page.route(
        "**/processes/shown/v1/diagram/",
        lambda route: route.fulfill(
            json={"xml": drawn, "active": ["review"], "completed": ["apply"]}
        ),
    )

    page.goto("/staff/workflow/designer/processes/shown/")
    page.wait_for_selector("[data-egov-viewer-ready=true]")

    review = page.locator(".djs-element[data-element-id=review]")
    apply = page.locator(".djs-element[data-element-id=apply]")
    assert "egov-node-active" in review.get_attribute("class")
    assert "egov-node-completed" in apply.get_attribute("class")
    decide = page.locator(".djs-element[data-element-id=decide]")
    assert "egov-node" not in decide.get_attribute("class")
    assert problems == []
