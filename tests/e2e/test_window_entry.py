"""窗口收件 through the real pages: someone applies in person; 李四 picks the
item, types the applicant's particulars and the item's application form
(form-js, with its own checks), scans a material and gets the case number.
A form left incomplete is refused with the fields named, and nothing is
entered until it is right. The page is watched for console errors and CSP
violations."""

import pytest
from playwright.sync_api import expect

from egov.servicehall.models import Case
from tests.e2e.session import sign_in
from tests.e2e.test_designers import Problems
from tests.identity import factories as idf
from tests.servicehall import case_factories as cf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def county(settings, tmp_path):
    settings.EGOV_STAFF_2FA_REQUIRED = False
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"
    return cf.case_county()


def test_a_clerk_enters_an_in_person_application_with_its_form(
    page, live_server, county, tmp_path
):
    problems = Problems(page).seen
    version = cf.item(county, name="食品经营许可")
    cf.with_application_form(county, version)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(cf.pdf_upload().read())
    requirement = version.materials.order_by("sort_order", "id").first()

    # 李四 opens 窗口收件 from 一窗受理 and picks the item
    sign_in(page, live_server, county.people.lisi)
    page.goto("/staff/cases/window/")
    page.get_by_role("link", name="窗口收件").click()
    page.locator("#id_item").select_option(version.item.code)
    page.locator("#case-pick-item").click()
    page.locator("[data-egov-form-ready=true]").wait_for()

    # The applicant's particulars, a scanned material, part of the form
    page.get_by_label("申请人名称").fill("钱多多")
    page.get_by_label("证件号码").fill(idf.id_number("19700101", seq=55))
    page.get_by_label("联系电话").fill("13999219999")
    page.get_by_label(requirement.name).set_input_files(str(scan))
    page.get_by_label("经营者名称").fill("钱多多小吃店")
    page.locator("#case-enter-submit").click()

    # Incomplete: refused, the missing fields named, nothing entered
    expect(page.get_by_text("申请表填写有误，请按提示修改后重新提交")).to_be_visible()
    assert not Case.objects.filter(applicant_name="钱多多").exists()

    # The rest of the form, the scan again, and the case is entered
    page.locator("[data-egov-form-ready=true]").wait_for()
    page.get_by_label("经营者名称").fill("钱多多小吃店")
    page.get_by_label("经营场所").fill("示范县人民路12号")
    page.get_by_label("主体业态").focus()
    page.locator(".fjs-dropdownlist-item", has_text="餐饮服务经营者").click()
    page.get_by_label(requirement.name).set_input_files(str(scan))
    page.locator("#case-enter-submit").click()

    expect(page.locator(".alert-success")).to_contain_text("已收件，办件编号")
    case = Case.objects.get(applicant_name="钱多多")
    assert case.channel == Case.Channel.WINDOW
    assert case.form_data == {
        "operator_name": "钱多多小吃店",
        "premises": "示范县人民路12号",
        "business_form": "catering",
    }
    assert case.materials.count() == 1
    assert problems == []
