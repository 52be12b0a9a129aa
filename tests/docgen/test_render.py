"""The rendering API: render_docx / docx_to_pdf / render_pdf / simple_pdf."""

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from jinja2.exceptions import SecurityError
from pypdf import PdfReader

from egov.core.errors import ActionError
from egov.docgen.actions import upload_template_version
from egov.docgen.pdf import docx_to_pdf
from egov.docgen.registry import SERVICEHALL_TEMPLATES, get_spec
from egov.docgen.render import (
    UnknownTemplate,
    render_docx,
    render_pdf,
    render_template_bytes,
    simple_pdf,
)
from tests.docgen.factories import docx_bytes, docx_text, docx_upload, pdf_text

pytestmark = pytest.mark.django_db

ACCEPTANCE = "servicehall.acceptance_notice"


def _context(**extra):
    return {**get_spec(ACCEPTANCE).sample, **extra}


def test_render_docx_fills_in_the_active_template_with_the_context(defaults):
    context = _context(applicant_name="李小龙", case_number="139921-20261201-000042")

    docx = render_docx(ACCEPTANCE, context)

    text = docx_text(docx)
    assert "李小龙：" in text
    assert "（办件编号：139921-20261201-000042）" in text
    assert "示范县市场监督管理局" in text
    assert "{{" not in text and "{%" not in text
    assert "1 | 食品经营许可申请书 | 原件1份" in text
    assert "3 | 法定代表人身份证明 | 复印件1份" in text


def test_render_pdf_carries_the_chinese_text_of_the_document(defaults):
    context = _context(applicant_name="李小龙", item_name="个体工商户设立登记")

    pdf = render_pdf(ACCEPTANCE, context)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf).replace("\n", "")
    assert "受理通知书" in text
    assert "李小龙：" in text
    assert "“个体工商户设立登记”申" in text
    assert "食品经营许可申请" in text
    assert b"/STSong-Light" in pdf
    assert b"/FontFile" not in pdf


def test_user_text_with_markup_is_written_as_text_not_xml(defaults):
    context = _context(applicant_name='<w:t>张&三</w:t>"', item_name="A & B <b>")

    docx = render_docx(ACCEPTANCE, context)

    assert docx_text(docx).startswith("示范县市场监督管理局\n受理通知书")
    assert '<w:t>张&三</w:t>"：' in docx_text(docx)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "&lt;w:t&gt;张&amp;三&lt;/w:t&gt;" in xml
    assert "“A &amp; B &lt;b&gt;”" in xml
    assert '<w:t>张&三</w:t>"：' in pdf_text(docx_to_pdf(docx)).replace("\n", "")


def test_control_characters_in_user_text_never_break_the_document(defaults):
    context = _context(applicant_name="张\x00三\x07\x0c\x1b")

    docx = render_docx(ACCEPTANCE, context)

    assert "张三：" in docx_text(docx)


def test_multi_line_text_keeps_its_line_breaks(defaults):
    context = {
        **get_spec("servicehall.refusal_notice").sample,
        "reasons": "一、不属于本机关职权范围；\n二、材料不全。",
    }

    docx = render_docx("servicehall.refusal_notice", context)

    assert "一、不属于本机关职权范围；\n二、材料不全。" in docx_text(docx)


def test_dates_and_datetimes_are_written_in_chinese_in_local_time(defaults):
    context = _context(
        received_at=dt.date(2026, 3, 5),
        accepted_at=dt.datetime(2026, 3, 6, 1, 30, tzinfo=ZoneInfo("UTC")),
    )

    text = docx_text(render_docx(ACCEPTANCE, context))

    assert "你（单位）于2026年3月5日提出" in text
    assert "受理日期为2026年3月6日 09:30。" in text


def test_a_missing_variable_comes_out_empty(defaults):
    context = _context()
    del context["deadline"]

    text = docx_text(render_docx(ACCEPTANCE, context))

    assert "本机关将于前作出决定。" in text


def test_without_any_version_the_shipped_template_is_used():
    text = docx_text(render_docx(ACCEPTANCE, _context(applicant_name="王二")))

    assert "王二：" in text


def test_the_activated_version_is_the_one_rendered(defaults, admin):
    content = docx_bytes("新版受理通知书", "{{ applicant_name }}，您好。")
    upload_template_version(
        actor=admin, code=ACCEPTANCE, upload=docx_upload(content), activate=True
    )

    text = docx_text(render_docx(ACCEPTANCE, _context(applicant_name="王二")))

    assert text == "新版受理通知书\n王二，您好。"


def test_an_unknown_code_raises_unknown_template():
    with pytest.raises(UnknownTemplate):
        render_docx("servicehall.no_such_notice", {})


def test_the_sandbox_refuses_a_template_reaching_for_python_internals():
    template = docx_bytes("[{{ applicant_name.__class__.__mro__ }}]")

    with pytest.raises(SecurityError):
        render_template_bytes(template, {"applicant_name": "张三"})


def test_a_template_that_fails_at_render_time_raises_an_action_error(
    defaults, monkeypatch
):
    monkeypatch.setattr(
        "egov.docgen.render.template_bytes", lambda code: docx_bytes("{{ 1 / 0 }}")
    )

    with pytest.raises(ActionError) as caught:
        render_docx(ACCEPTANCE, {})

    assert caught.value.code == "docgen_render_failed"
    assert str(caught.value.message).startswith(
        "文书“servicehall.acceptance_notice”生成失败："
    )


@pytest.mark.parametrize("spec", SERVICEHALL_TEMPLATES, ids=lambda s: s.code)
def test_every_shipped_template_renders_its_whole_sample(spec):
    pdf = render_pdf(spec.code, spec.sample)

    text = pdf_text(pdf).replace("\n", "")
    assert str(spec.name) in text
    assert set(spec.sample) == spec.variable_names
    for name, value in spec.sample.items():
        values = (
            [item[key] for item in value for key in item]
            if isinstance(value, list)
            else [value]
        )
        for one in values:
            # Long values wrap; their first characters stay on one line.
            assert one[:8] in text, (name, one)


def test_docx_to_pdf_keeps_merged_table_cells_as_one():
    document = docx_bytes("标题", table=[["甲", "乙", "丙"], ["一", "二", "三"]])
    from docx import Document

    parsed = Document(io.BytesIO(document))
    parsed.tables[0].cell(0, 0).merge(parsed.tables[0].cell(0, 1))
    out = io.BytesIO()
    parsed.save(out)

    text = pdf_text(docx_to_pdf(out.getvalue()))

    assert text.count("甲") == 1
    assert "三" in text


def test_docx_to_pdf_is_deterministic():
    document = docx_bytes("同一份文书", "第二段")

    assert docx_to_pdf(document) == docx_to_pdf(document)


def test_simple_pdf_has_the_title_the_rows_and_a_qr_code():
    pdf = simple_pdf(
        "办件回执",
        [
            ("办件编号", "139921-20261126-000001"),
            ("申请人", "张<三>&"),
            ("提交时间", dt.date(2026, 11, 26)),
            ("备注", ""),
        ],
        qr_url="https://zwfw.example.gov.cn/hall/lookup/?no=1",
        qr_caption="扫码查询办理进度",
    )

    text = pdf_text(pdf)
    assert "办件回执" in text
    assert "办件编号" in text and "139921-20261126-000001" in text
    assert "张<三>&" in text
    assert "2026年11月26日" in text
    assert "—" in text
    assert "扫码查询办理进度" in text
    assert "https://zwfw.example.gov.cn/hall/lookup/?no=1" in text
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1


def test_simple_pdf_without_a_qr_url_has_no_image():
    pdf = simple_pdf("电子证照", [("证照名称", "食品经营许可证")])

    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    assert "食品经营许可证" in pdf_text(pdf)
