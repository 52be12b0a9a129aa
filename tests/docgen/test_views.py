"""系统管理 → 文书模板 pages: list, detail, upload, download, preview, activate,
and who reaches them."""

import re

import pytest
from django.test import Client

from egov.core.models import StoredFile
from egov.docgen.models import DocumentTemplate, DocumentTemplateVersion
from tests.docgen.factories import (
    DOCX_TYPE,
    docx_bytes,
    docx_text,
    docx_upload,
    pdf_text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

CODE = "servicehall.acceptance_notice"
BASE = f"/staff/docgen/{CODE}/"


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _upload(client, content, **extra):
    return client.post(
        BASE + "upload/", {"file": docx_upload(content), "note": "新版", **extra}
    )


def test_the_menu_leads_an_administrator_to_the_template_list(admin, defaults):
    client = _client(admin)

    home = client.get("/staff/")
    listing = client.get("/staff/docgen/")

    assert re.search(
        r'href="/staff/docgen/"[^>]*>.*?文书模板', home.content.decode(), re.S
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    for name in [
        "受理通知书",
        "不予受理通知书",
        "补正材料通知书",
        "准予行政许可决定书",
        "不予行政许可决定书",
        "延期通知书",
    ]:
        assert f">{name}</a>" in html
    assert html.count("第1版") == 6


def test_people_without_the_permission_see_no_menu_entry_and_get_403(county):
    for person in [county.people.zhengshi, county.people.lisi, county.people.zhaoliu]:
        client = _client(person)

        assert "/staff/docgen/" not in client.get("/staff/").content.decode()
        assert client.get("/staff/docgen/").status_code == 403
        assert client.get(BASE).status_code == 403
        assert client.get(BASE + "v1/preview/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get("/staff/docgen/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_detail_page_lists_versions_and_the_variables(admin, defaults):
    response = _client(admin).get(BASE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>applicant_name</code>" in html
    assert "申请人" in html
    assert "<code>materials</code>" in html
    assert "启用中" in html
    assert 'id="docgen-upload"' in html


def test_unknown_codes_and_versions_are_404(admin, defaults):
    client = _client(admin)

    assert client.get("/staff/docgen/servicehall.nothing/").status_code == 404
    assert client.get(BASE + "v7/preview/").status_code == 404
    assert client.get(BASE + "v7/download/").status_code == 404
    assert client.post(BASE + "v7/activate/").status_code == 404
    assert (
        client.post(
            "/staff/docgen/servicehall.nothing/upload/",
            {"file": docx_upload(docx_bytes("x"))},
        ).status_code
        == 404
    )


def test_uploading_a_version_adds_it_inactive_and_says_so(admin, defaults):
    client = _client(admin)

    response = _upload(client, docx_bytes("{{ applicant_name }}：新版"))

    assert response.status_code == 302
    page = client.get(BASE).content.decode()
    assert "已上传第2版。请预览无误后再启用。" in page
    assert DocumentTemplate.objects.get(code=CODE).active_version.number == 1


def test_a_broken_upload_shows_the_problem_and_stores_nothing(admin, defaults):
    files = StoredFile.objects.count()

    response = _upload(_client(admin), docx_bytes("{{ applicant_name "))

    assert response.status_code == 400
    html = response.content.decode()
    assert "模板文件“受理通知书.docx”不能使用：模板语法错误：" in html
    assert DocumentTemplateVersion.objects.count() == 6
    assert StoredFile.objects.count() == files


def test_an_upload_without_a_file_is_a_form_error(admin, defaults):
    response = _client(admin).post(BASE + "upload/", {"note": "空"})

    assert response.status_code == 400
    assert "请选择要上传的 DOCX 模板文件" in response.content.decode()


def test_upload_only_accepts_post(admin, defaults):
    assert _client(admin).get(BASE + "upload/").status_code == 405


def test_activating_from_the_page_switches_the_version(admin, defaults):
    client = _client(admin)
    _upload(client, docx_bytes("{{ applicant_name }}：新版"))

    response = client.post(BASE + "v2/activate/")

    assert response.status_code == 302
    assert DocumentTemplate.objects.get(code=CODE).active_version.number == 2
    assert "已启用第2版。" in client.get(BASE).content.decode()


def test_the_preview_is_a_pdf_of_the_sample_shown_in_the_browser(admin, defaults):
    response = _client(admin).get(BASE + "v1/preview/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    assert "受理通知书" in text
    assert "张三：" in text


def test_the_preview_can_be_downloaded_as_pdf_or_docx(admin, defaults):
    client = _client(admin)

    pdf = client.get(BASE + "v1/preview/?download=1")
    docx = client.get(BASE + "v1/preview/?format=docx")

    assert pdf["Content-Disposition"].startswith("attachment;")
    assert docx["Content-Type"] == DOCX_TYPE
    assert docx["Content-Disposition"].startswith("attachment;")
    assert "张三：" in docx_text(docx.content)


def test_downloading_a_version_returns_the_uploaded_template(admin, defaults):
    content = docx_bytes("{{ applicant_name }}：第二版")
    client = _client(admin)
    _upload(client, content)

    response = client.get(BASE + "v2/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert b"".join(response.streaming_content) == content
