"""An approval in a real browser: 罗丹 starts a leave request, 王五 approves it
with a common phrase, two section chiefs countersign, and everyone sees the
timeline and the diagram with the current step highlighted. Every page is
watched for console errors and CSP violations."""

import pytest
from playwright.sync_api import expect

from egov.audit.models import AuditEntry
from egov.workflow.actions import deploy_process
from egov.workflow.demo import leave_diagram
from egov.workflow.models import CommonPhrase, ProcessInstance
from tests.e2e.session import sign_in
from tests.identity.factories import demo_county, post, user
from tests.workflow.conftest import make_admin_role

pytestmark = pytest.mark.django_db(transaction=True)

WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} from ${event.sourceFile}`);
});
"""


@pytest.fixture
def problems(page):
    seen = []
    page.add_init_script(WATCH_CSP)

    def console(message):
        text = message.text
        if message.type != "error" or text.startswith(
            ("Applying inline style violates", "Refused to")
        ):
            return
        url = (message.location or {}).get("url", "")
        if "Failed to load resource" in text and url.endswith("/favicon.ico"):
            return
        # htmx injects its indicator <style>; the browser blocks it harmlessly.
        if text.startswith("CSP violation") and "/static/vendor/htmx/" in text:
            return
        seen.append(text)

    page.on("console", console)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


@pytest.fixture
def county(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False
    county = demo_county()
    chiefs = [post(county.orgs.market, f"chief{n}", "科长") for n in (1, 2)]
    county.people.guoting = user("guoting", "郭婷", posts=[chiefs[0]], roles=["staff"])
    county.people.machao = user("machao", "马超", posts=[chiefs[1]], roles=["staff"])
    admin = user("chenjing", "陈静", posts=[county.posts.office_clerk], roles=["staff"])
    admin.roles.add(make_admin_role())
    deploy_process(actor=admin, key="leave", name="请假审批", bpmn_xml=leave_diagram())
    CommonPhrase.objects.create(text="情况属实，拟同意。")
    return county


def approve_first_task(page, phrase=None):
    page.goto("/staff/workflow/todo/")
    page.get_by_role("link", name="年假申请").first.click()
    if phrase:
        page.get_by_label("常用意见").select_option(label=phrase)
        expect(page.get_by_label("审批意见")).to_have_value(phrase)
    page.locator('button[name="outcome"][value="approve"]').click()
    expect(page.get_by_text("已办理：")).to_be_visible()


def test_a_leave_request_is_started_countersigned_and_shown_with_its_diagram(
    page, live_server, county, problems
):
    people = county.people

    # 罗丹 starts the request from the menu
    sign_in(page, live_server, people.luodan)
    page.goto("/staff/")
    page.get_by_role("link", name="发起流程").click()
    page.get_by_label("流程").select_option("leave")
    page.get_by_label("标题").fill("年假申请")
    page.get_by_label("业务编号").fill("QJ-2026-001")
    page.get_by_role("button", name="发起").click()
    expect(page.get_by_text("已发起：年假申请")).to_be_visible()

    # 王五 sees it on his workbench and approves it with a common phrase
    sign_in(page, live_server, people.wangwu)
    page.goto("/staff/")
    expect(page.locator('[data-count="todo"]')).to_have_text("1")
    approve_first_task(page, phrase="情况属实，拟同意。")

    # The initiator sees the countersign highlighted as the current step
    sign_in(page, live_server, people.luodan)
    instance = ProcessInstance.objects.get(business_key="QJ-2026-001")
    page.goto(f"/staff/workflow/instances/{instance.pk}/")
    page.wait_for_selector("[data-egov-viewer-ready=true]")
    expect(
        page.locator('[data-element-id="countersign"].egov-node-active')
    ).to_have_count(1)
    expect(
        page.locator('[data-element-id="review"].egov-node-completed')
    ).to_have_count(1)
    expect(page.locator("[data-current]")).to_contain_text("郭婷")
    expect(page.locator("[data-current]")).to_contain_text("马超")

    # Both section chiefs countersign
    for chief in (people.guoting, people.machao):
        sign_in(page, live_server, chief)
        approve_first_task(page)

    # The request is done: timeline, diagram and audit log agree
    sign_in(page, live_server, people.luodan)
    page.goto(f"/staff/workflow/instances/{instance.pk}/")
    expect(page.locator("[data-instance-state]")).to_have_text("已办结")
    timeline = page.locator("[data-timeline] [data-kind]")
    expect(timeline).to_have_count(5)
    expect(page.locator("[data-timeline]")).to_contain_text("情况属实，拟同意。")
    page.wait_for_selector("[data-egov-viewer-ready=true]")
    expect(
        page.locator('[data-element-id="countersign"].egov-node-completed')
    ).to_have_count(1)
    expect(page.locator(".egov-node-active")).to_have_count(0)
    entries = AuditEntry.objects.filter(
        action="workflow.complete_task", outcome="success"
    )
    assert sorted(entries.values_list("username", flat=True)) == [
        "guoting",
        "machao",
        "wangwu",
    ]
    assert problems == []
