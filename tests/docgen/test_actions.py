"""Uploading, checking and activating template versions; the shipped defaults."""

import io
import zipfile

import pytest

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.core.models import StoredFile
from egov.docgen.actions import (
    activate_template_version,
    ensure_default_templates,
    upload_template_version,
)
from egov.docgen.models import DocumentTemplate, DocumentTemplateVersion
from egov.docgen.registry import SERVICEHALL_TEMPLATES
from tests.docgen.factories import docx_bytes, docx_upload

pytestmark = pytest.mark.django_db

CODE = "servicehall.acceptance_notice"


def _stored_files(settings) -> list:
    root = settings.EGOV_UPLOAD_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _refused(admin, content, name="新模板.docx") -> ActionError:
    with pytest.raises(ActionError) as caught:
        upload_template_version(
            actor=admin, code=CODE, upload=docx_upload(content, name)
        )
    return caught.value


def test_defaults_install_one_active_version_per_template():
    installed = ensure_default_templates()

    assert installed == len(SERVICEHALL_TEMPLATES) == 6
    for spec in SERVICEHALL_TEMPLATES:
        template = DocumentTemplate.objects.get(code=spec.code)
        assert template.name == str(spec.name)
        assert template.active_version.number == 1
        assert template.active_version.note == "平台默认模板"
        assert template.active_version.file.kind == "docx"
    entry = AuditEntry.objects.get(action="docgen.install_defaults")
    assert entry.detail == {"codes": sorted(s.code for s in SERVICEHALL_TEMPLATES)}


def test_installing_defaults_again_changes_nothing(defaults):
    assert ensure_default_templates() == 0

    assert DocumentTemplateVersion.objects.count() == 6
    assert AuditEntry.objects.filter(action="docgen.install_defaults").count() == 1


def test_an_upload_becomes_the_next_version_and_waits_for_activation(defaults, admin):
    content = docx_bytes("{{ applicant_name }}：您的申请已受理。")

    version = upload_template_version(
        actor=admin,
        code=CODE,
        upload=docx_upload(content),
        note=" 调整措辞 ",
    )

    assert version.number == 2
    assert version.note == "调整措辞"
    assert version.uploaded_by == admin
    assert version.file.original_name == "受理通知书.docx"
    template = DocumentTemplate.objects.get(code=CODE)
    assert template.active_version.number == 1
    entry = AuditEntry.objects.get(action="docgen.upload_version")
    assert entry.user == admin
    assert entry.target_id == f"{CODE}/v2"
    assert entry.detail["activated"] is False
    assert entry.detail["number"] == 2


def test_an_upload_can_be_activated_at_once(defaults, admin):
    content = docx_bytes("{{ applicant_name }}")

    version = upload_template_version(
        actor=admin, code=CODE, upload=docx_upload(content), activate=True
    )

    assert DocumentTemplate.objects.get(code=CODE).active_version == version


def test_the_first_upload_of_a_template_is_active(admin):
    version = upload_template_version(
        actor=admin, code=CODE, upload=docx_upload(docx_bytes("{{ date }}"))
    )

    template = DocumentTemplate.objects.get(code=CODE)
    assert version.number == 1
    assert template.active_version == version
    assert template.name == "受理通知书"
    assert template.kind == DocumentTemplate.Kind.NOTICE


def test_activating_an_older_version_switches_back_and_is_audited(defaults, admin):
    upload_template_version(
        actor=admin,
        code=CODE,
        upload=docx_upload(docx_bytes("{{ date }}")),
        activate=True,
    )

    activate_template_version(actor=admin, code=CODE, number=1)

    assert DocumentTemplate.objects.get(code=CODE).active_version.number == 1
    entry = AuditEntry.objects.get(action="docgen.activate_version")
    assert entry.detail == {"code": CODE, "number": 1, "previous": 2}


def test_activating_a_version_that_does_not_exist_is_refused(defaults, admin):
    with pytest.raises(ActionError) as caught:
        activate_template_version(actor=admin, code=CODE, number=9)

    assert caught.value.code == "docgen_unknown_version"
    assert str(caught.value.message) == (
        "文书模板“servicehall.acceptance_notice”没有第9版"
    )


def test_a_template_with_a_syntax_error_is_refused_and_nothing_is_stored(
    defaults, admin, settings
):
    files_before = _stored_files(settings)
    rows_before = StoredFile.objects.count()

    error = _refused(admin, docx_bytes("{% for m in materials %}{{ m.name }}"))

    assert error.code == "docgen_bad_template"
    assert str(error.message) == (
        "模板文件“新模板.docx”不能使用：模板语法错误：模板在结束前缺少结束标签"
        "（例如 endfor 或 endif）（Unexpected end of template. Jinja was looking"
        " for the following tags: 'endfor' or 'else'. The innermost block that"
        " needs to be closed is 'for'.）"
    )
    assert DocumentTemplateVersion.objects.count() == 6
    assert StoredFile.objects.count() == rows_before
    assert _stored_files(settings) == files_before
    entry = AuditEntry.objects.get(action="docgen.upload_version")
    assert entry.outcome == AuditEntry.Outcome.FAILED
    assert entry.detail["code"] == "docgen_bad_template"


def test_an_unbalanced_brace_is_named_in_the_message(defaults, admin):
    error = _refused(admin, docx_bytes("{{ applicant_name }"))

    assert "模板语法错误：出现了多余或不成对的“}”" in str(error.message)


def test_an_end_tag_that_closes_nothing_open_is_named(defaults, admin):
    error = _refused(admin, docx_bytes("{% if applicant_name %}x{% endfor %}"))

    assert "模板语法错误：结束标签“endfor”与前面尚未结束的标签不匹配" in str(
        error.message
    )


def test_a_misspelt_key_of_a_list_item_is_refused(defaults, admin):
    template = docx_bytes("{% for m in materials %}{{ m.nmae }}{% endfor %}")

    error = _refused(admin, template)

    assert str(error.message) == (
        "模板文件“新模板.docx”不能使用：模板引用了不存在的内容："
        "'dict object' has no attribute 'nmae'"
    )


def test_an_unknown_filter_is_named(defaults, admin):
    error = _refused(admin, docx_bytes("{{ applicant_name | shout }}"))

    assert "使用了不存在的过滤器“shout”" in str(error.message)


def test_an_unknown_tag_is_named_in_the_message(defaults, admin):
    error = _refused(admin, docx_bytes("{% fi applicant_name %}"))

    assert "模板语法错误：使用了无法识别的标签“fi”" in str(error.message)


def test_a_variable_the_template_does_not_declare_is_refused(defaults, admin):
    error = _refused(admin, docx_bytes("{{ applicant_name }}{{ id_number }}{{ pwd }}"))

    assert str(error.message) == (
        "模板文件“新模板.docx”不能使用：使用了本模板未登记的变量 id_number、pwd，"
        "可用的变量见页面上的变量说明"
    )


def test_a_template_reaching_for_python_internals_is_refused(defaults, admin):
    error = _refused(admin, docx_bytes("{{ applicant_name.__class__ }}"))

    assert "模板中含有不允许的表达式" in str(error.message)
    assert DocumentTemplateVersion.objects.count() == 6


def test_a_file_that_is_not_a_docx_is_refused(defaults, admin):
    error = _refused(admin, b"%PDF-1.7\n", name="通知书.docx")

    assert error.code == "file_disguised"
    assert StoredFile.objects.filter(original_name="通知书.docx").count() == 0


def test_a_docx_with_macros_is_refused(defaults, admin):
    source = io.BytesIO(docx_bytes("{{ date }}"))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            new.writestr(item, old.read(item))
        new.writestr("word/vbaProject.bin", b"macro")

    error = _refused(admin, out.getvalue())

    assert str(error.message) == "不能上传“新模板.docx”：文档中含有宏代码"


def test_an_unknown_code_is_refused(admin):
    with pytest.raises(ActionError) as caught:
        upload_template_version(
            actor=admin, code="nope", upload=docx_upload(docx_bytes("x"))
        )

    assert caught.value.code == "docgen_unknown_template"


def test_someone_without_the_permission_cannot_upload_and_is_audited(county):
    lisi = county.people.lisi

    with pytest.raises(PermissionDenied):
        upload_template_version(
            actor=lisi, code=CODE, upload=docx_upload(docx_bytes("{{ date }}"))
        )

    assert DocumentTemplateVersion.objects.count() == 0
    entry = AuditEntry.objects.get(action="docgen.upload_version")
    assert entry.outcome == AuditEntry.Outcome.DENIED
    assert entry.user == lisi


def test_someone_without_the_permission_cannot_activate(defaults, county):
    with pytest.raises(PermissionDenied):
        activate_template_version(actor=county.people.lisi, code=CODE, number=1)
