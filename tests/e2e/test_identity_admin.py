"""系统管理 in a real browser: the organization tree with its detail panel, the
audited reveal of personal data, creating a user, and 三员分立 when assigning
roles."""

import pytest

from egov.audit.models import AuditEntry
from egov.identity.models import User
from tests.e2e.session import sign_in
from tests.identity.factories import demo_county, no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_system_admin_browses_the_tree_and_reveals_a_phone_number(page, live_server):
    county = demo_county()
    sign_in(page, live_server, county.people.wujiu)

    page.goto("/staff/")
    page.get_by_role("link", name="机构与岗位").click()
    page.locator("#org-tree").get_by_role("link", name="示范县政务服务中心").click()
    panel = page.locator("#org-panel")
    panel.get_by_role("heading", name="示范县政务服务中心").wait_for()

    assert page.url.endswith(f"?org={county.orgs.center.pk}")
    assert "窗口受理岗" in panel.inner_text()
    panel.get_by_role("link", name="李四").click()
    page.get_by_role("heading", name="李四").wait_for()
    assert "139****0009" in page.locator("#personal-data").inner_text()
    page.get_by_role("button", name="查看完整信息").click()
    page.get_by_text("本次查看已记入统一日志。").wait_for()
    assert "13999210009" in page.locator("#personal-data").inner_text()
    assert AuditEntry.objects.filter(
        action="identity.view_personal_data",
        username="wujiu",
        target_id=str(county.people.lisi.pk),
    ).exists()


def test_org_admin_creates_a_clerk_in_their_section(page, live_server):
    county = demo_county()
    sign_in(page, live_server, county.people.zhaoliu)

    page.goto("/staff/users/")
    page.get_by_role("link", name="新增用户").click()
    page.get_by_label("账号").fill("xiaoming")
    page.get_by_label("姓名/名称").fill("小明")
    page.get_by_label("手机号").fill("13999219999")
    page.get_by_label("主岗").select_option(label="登记注册科 · 科员")
    page.get_by_label("初始密码").fill("Xm@2026strong")
    page.get_by_role("button", name="保存").click()

    page.get_by_text("已新增用户“小明”").wait_for()
    assert "登记注册科 · 科员" in page.inner_text("main")
    assert User.objects.get(username="xiaoming").primary_organization == (
        county.orgs.registry
    )


def test_security_admin_is_told_about_separation_of_duties(page, live_server):
    county = demo_county()
    sign_in(page, live_server, county.people.zhengshi)

    page.goto(f"/staff/users/{county.people.wangwu.pk}/")
    page.get_by_role("link", name="分配角色").click()
    page.get_by_label("系统管理员").check()
    page.get_by_label("审计管理员").check()
    page.get_by_role("button", name="保存").click()

    page.get_by_text("三员分立：系统管理员、安全管理员、审计管理员的职责").wait_for()
    assert set(county.people.wangwu.roles.values_list("code", flat=True)) == {
        "staff",
        "approver",
    }
