"""文书模板 in a real browser: the template administrator opens the page from
the menu, uploads a new version of 受理通知书, previews it as PDF and activates it."""

import pytest

from egov.docgen.actions import ensure_default_templates
from egov.docgen.models import DocumentTemplate
from tests.docgen.factories import docx_bytes, pdf_text, template_admin
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]

CODE = "servicehall.acceptance_notice"


def test_an_administrator_uploads_previews_and_activates_a_template(
    page, live_server, tmp_path
):
    ensure_default_templates()
    sign_in(page, live_server, template_admin())
    new_version = tmp_path / "受理通知书（修订）.docx"
    new_version.write_bytes(
        docx_bytes("受理通知书（修订版）", "{{ applicant_name }}：你的申请已受理。")
    )

    page.goto("/staff/")
    page.get_by_role("link", name="文书模板").first.click()
    page.get_by_role("link", name="受理通知书", exact=True).click()
    page.get_by_label("模板文件（DOCX）").set_input_files(str(new_version))
    page.get_by_label("版本说明").fill("修订措辞")
    page.get_by_role("button", name="上传").click()

    page.get_by_text("已上传第2版。请预览无误后再启用。").wait_for()
    row = page.locator("#docgen-version-table tbody tr").first
    assert "第2版" in row.inner_text()
    assert "修订措辞" in row.inner_text()
    preview_url = row.get_by_role("link", name="预览PDF").get_attribute("href")
    preview = page.request.get(preview_url)
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    assert "张三：你的申请已受理。" in pdf_text(preview.body()).replace("\n", "")

    row.get_by_role("button", name="启用").click()

    page.get_by_text("已启用第2版。").wait_for()
    assert DocumentTemplate.objects.get(code=CODE).active_version.number == 2


def test_a_broken_template_is_refused_in_the_page(page, live_server, tmp_path):
    ensure_default_templates()
    sign_in(page, live_server, template_admin())
    broken = tmp_path / "坏模板.docx"
    broken.write_bytes(docx_bytes("{% for m in materials %}{{ m.name }}"))

    page.goto(f"/staff/docgen/{CODE}/")
    page.get_by_label("模板文件（DOCX）").set_input_files(str(broken))
    page.get_by_role("button", name="上传").click()

    page.get_by_text("模板文件“坏模板.docx”不能使用：模板语法错误：").wait_for()
    assert DocumentTemplate.objects.get(code=CODE).versions.count() == 1
