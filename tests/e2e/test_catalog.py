"""The item catalog in a real browser: a citizen on a phone finds a service by
life event, reads its 办事指南 and downloads the blank form; a department
drafts an item, a reviewer publishes it, and the public hall shows it."""

import pytest

from egov.servicehall.models import ServiceItemVersion
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa
from tests.servicehall.factories import (
    catalog_county,
    docx_upload,
    material,
    published,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


def test_a_citizen_on_a_phone_finds_a_guide_by_life_event_and_downloads_the_form(
    phone_page, live_server, tmp_path
):
    county = catalog_county()
    published(
        county,
        code="000131007000-139921104",
        name="出生医学证明办理",
        kind="public_service",
        for_entities=False,
        themes=[county.themes.birth],
        issues_licence=False,
        licence_type="",
        materials=[
            material(
                "出生医学证明首次签发登记表",
                for_entities=False,
                template_upload=docx_upload("出生医学证明首次签发登记表.docx"),
            ),
            material("父母双方有效身份证件", form="both", for_entities=False),
        ],
    )
    published(county, name="食品经营许可", themes=[county.themes.business])
    page = phone_page

    page.goto("/")
    page.get_by_role("link", name="网上办事大厅").click()
    page.get_by_role("heading", name="网上办事大厅").wait_for()
    assert (
        page.get_by_role("link", name="个人办事").get_attribute("aria-current")
        == "page"
    )
    page.get_by_role("link", name="出生 1项").click()

    results = page.locator("#sh-results")
    results.get_by_text("出生医学证明办理").wait_for()
    assert results.locator(".sh-item").count() == 1
    results.get_by_text("出生医学证明办理").click()

    page.get_by_role("heading", name="出生医学证明办理").wait_for()
    guide = page.locator("article.sh-guide")
    assert "承诺时限" in guide.inner_text()
    assert "父母双方有效身份证件" in guide.inner_text()
    assert page.get_by_role("button", name="打印办事指南").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    with page.expect_download() as info:
        page.get_by_role("link", name="下载空白表格").click()
    download = info.value
    assert download.suggested_filename == "出生医学证明首次签发登记表.docx"
    saved = tmp_path / "form.docx"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")


def test_a_department_drafts_an_item_a_reviewer_publishes_it_and_the_hall_shows_it(
    page, live_server
):
    county = catalog_county()
    sign_in(page, live_server, county.people.wangwu)

    page.goto("/staff/")
    page.get_by_role("link", name="事项管理").click()
    page.get_by_role("link", name="新建事项").click()
    page.get_by_label("事项名称").fill("公共场所卫生许可")
    page.get_by_label("事项编码").fill("000131001000-139921104")
    page.get_by_label("实施机构").select_option(
        label="　示范县市场监督管理局（139921-104）"
    )
    page.get_by_label("事项类型").select_option(label="行政许可")
    page.locator("#id_audience_1").check()
    page.get_by_label("医疗卫生（主题）").check()
    page.get_by_label("设定依据").fill("《公共场所卫生管理条例》第八条")
    page.get_by_label("受理条件").fill("场所布局和卫生设施符合卫生标准。")
    page.locator("#id_statutory_limit").fill("20")
    page.locator("#id_promised_limit").fill("7")
    page.get_by_label("办理地点").fill("示范县政务服务中心6号窗口")
    page.get_by_label("办理时间").fill("工作日 9:00—17:00")
    page.get_by_label("咨询电话").fill("0399-8123110")
    page.get_by_label("监督投诉电话").fill("12345")
    page.get_by_label("出具电子证照").check()
    page.get_by_label("证照类型").fill("公共场所卫生许可证")
    page.locator("#id_materials-0-name").fill("公共场所卫生许可申请表")
    page.locator("#id_materials-0-audience_1").check()
    page.locator("#id_materials-0-template_upload").set_input_files(
        files=[
            {
                "name": "申请表.docx",
                "mimeType": "application/octet-stream",
                "buffer": docx_upload().read(),
            }
        ]
    )
    page.get_by_role("button", name="添加材料").click()
    page.locator("#id_materials-1-name").fill("营业执照")
    page.locator("#id_materials-1-form").select_option(label="复印件")
    page.get_by_role("button", name="保存草稿").click()

    page.get_by_text("已保存事项“公共场所卫生许可”的草稿").wait_for()
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交审核，审核通过后将在网上办事大厅发布。").wait_for()
    assert page.locator("#sh-review").count() == 0

    sign_in(page, live_server, county.people.sunqi)
    page.goto("/staff/catalog/")
    page.get_by_role("link", name="待审核事项").click()
    queue = page.locator("#sh-review-queue")
    queue.get_by_text("公共场所卫生许可").wait_for()
    queue.get_by_role("link", name="审核").click()
    page.get_by_label("审核意见").fill("同意发布")
    page.get_by_role("button", name="审核通过并发布").click()
    page.get_by_text("已审核通过并发布“公共场所卫生许可”第1版。").wait_for()

    version = ServiceItemVersion.objects.get()
    assert version.status == ServiceItemVersion.Status.PUBLISHED
    assert [m.name for m in version.materials.all()] == [
        "公共场所卫生许可申请表",
        "营业执照",
    ]
    page.context.clear_cookies()
    page.goto("/hall/")
    page.get_by_label("搜索事项").fill("卫生许可")
    page.get_by_role("button", name="搜索").click()
    page.locator("#sh-results").get_by_text("公共场所卫生许可").click()
    page.get_by_role("heading", name="公共场所卫生许可").wait_for()
    assert "公共场所卫生许可证（电子证照）" in page.locator("article").inner_text()
    assert page.get_by_role("link", name="下载空白表格").count() == 1
