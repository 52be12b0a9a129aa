"""Writes on instrument templates: uploading a version, activating one, and
installing the templates shipped with the platform. Each runs in one
transaction with a permission check and an audit entry."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.files import open_stored_file, store_upload, upload_storage
from egov.docgen.models import DocumentTemplate, DocumentTemplateVersion
from egov.docgen.permissions import docgen_policy
from egov.docgen.registry import TemplateSpec, all_specs, get_spec

ACTION_LABELS = {
    "docgen.upload_version": gettext_lazy("上传文书模板"),
    "docgen.activate_version": gettext_lazy("启用文书模板版本"),
    "docgen.install_defaults": gettext_lazy("安装默认文书模板"),
}

TEMPLATE_MAX_BYTES = 10 * 1024 * 1024


def check_template(spec: TemplateSpec, docx: bytes, *, name: str = "") -> None:
    """Refuse a DOCX that could not serve as `spec`'s template: one that does
    not parse as a docxtpl template, uses variables the registry does not
    declare, or fails to render the sample context as DOCX and PDF. Raises
    ActionError (code docgen_bad_template) naming the problem in Chinese."""
    from docxtpl import DocxTemplate

    from egov.docgen.render import (
        describe_render_error,
        docx_to_pdf,
        jinja_env,
        render_template_bytes,
    )

    def refuse(problem):
        return ActionError(
            _("模板文件“%(name)s”不能使用：%(problem)s")
            % {"name": name or spec.code, "problem": problem},
            code="docgen_bad_template",
            fields={"file": problem},
        )

    try:
        used = DocxTemplate(io.BytesIO(docx)).get_undeclared_template_variables(
            jinja_env()
        )
    except Exception as exc:
        raise refuse(describe_render_error(exc)) from exc
    unknown = sorted(used - spec.variable_names)
    if unknown:
        raise refuse(
            _("使用了本模板未登记的变量 %(names)s，可用的变量见页面上的变量说明")
            % {"names": "、".join(unknown)}
        )
    try:
        docx_to_pdf(render_template_bytes(docx, spec.sample, strict=True))
    except Exception as exc:
        raise refuse(describe_render_error(exc)) from exc


def _unknown_template(code: str) -> ActionError:
    return ActionError(
        _("没有编码为“%(code)s”的文书模板") % {"code": code},
        code="docgen_unknown_template",
    )


def _template_for_update(spec: TemplateSpec) -> DocumentTemplate:
    template, _created = DocumentTemplate.objects.get_or_create(
        code=spec.code,
        defaults={
            "name": str(spec.name),
            "kind": spec.kind,
            "description": str(spec.description),
        },
    )
    return DocumentTemplate.objects.select_for_update().get(pk=template.pk)


def _add_version(template, stored, *, actor, note: str) -> DocumentTemplateVersion:
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return DocumentTemplateVersion.objects.create(
        template=template,
        number=number,
        file=stored,
        note=note,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@audited("docgen.upload_version")
def upload_template_version(
    *, actor, code: str, upload, note: str = "", activate: bool = False
) -> DocumentTemplateVersion:
    """Store `upload` (a DOCX) as the next version of template `code`.

    The file passes egov.core.files' checks (DOCX only, no macros, no zip
    bombs, at most 10 MB) and check_template; when anything is refused nothing
    is stored. The new version becomes active when `activate` is set or the
    template has no active version yet.
    """
    docgen_policy.require(actor, "upload_version")
    spec = get_spec(code)
    if spec is None:
        raise _unknown_template(code)
    stored = store_upload(
        actor=actor, upload=upload, allowed={"docx"}, max_bytes=TEMPLATE_MAX_BYTES
    )
    try:
        with open_stored_file(stored) as handle:
            check_template(spec, handle.read(), name=stored.original_name)
        template = _template_for_update(spec)
        version = _add_version(template, stored, actor=actor, note=note.strip())
        activated = activate or template.active_version_id is None
        if activated:
            template.active_version = version
            template.save(update_fields=["active_version", "updated_at"])
        record(
            actor=actor,
            action="docgen.upload_version",
            target=version,
            detail={
                "code": code,
                "number": version.number,
                "file": stored.original_name,
                "sm3": stored.sm3,
                "activated": activated,
                "note": version.note,
            },
        )
    except BaseException:
        # The StoredFile row rolls back with the transaction; its bytes must go too.
        upload_storage().delete(stored.storage_name)
        raise
    return version


@audited("docgen.activate_version")
def activate_template_version(
    *, actor, code: str, number: int
) -> DocumentTemplateVersion:
    """Make version `number` of template `code` the one programs render."""
    docgen_policy.require(actor, "activate_version")
    template = DocumentTemplate.objects.select_for_update().filter(code=code).first()
    version = template and template.versions.filter(number=number).first()
    if version is None:
        raise ActionError(
            _("文书模板“%(code)s”没有第%(number)s版")
            % {"code": code, "number": number},
            code="docgen_unknown_version",
        )
    previous = template.active_version.number if template.active_version else None
    template.active_version = version
    template.save(update_fields=["active_version", "updated_at"])
    record(
        actor=actor,
        action="docgen.activate_version",
        target=version,
        detail={"code": code, "number": number, "previous": previous},
    )
    return version


@audited("docgen.install_defaults")
def ensure_default_templates(*, actor=None) -> int:
    """Give every registered template that has no version yet its shipped
    DOCX as version 1, active. Idempotent; returns how many it installed.
    Run by `egov demo`; tests call it too."""
    installed = []
    for spec in all_specs():
        path = spec.default_path
        if path is None or not path.exists():
            continue
        if DocumentTemplateVersion.objects.filter(template__code=spec.code).exists():
            continue
        stored = store_upload(
            actor=actor,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
            allowed={"docx"},
            max_bytes=TEMPLATE_MAX_BYTES,
        )
        template = _template_for_update(spec)
        version = _add_version(template, stored, actor=actor, note=_("平台默认模板"))
        template.active_version = version
        template.save(update_fields=["active_version", "updated_at"])
        installed.append(spec.code)
    if installed:
        record(
            actor=actor,
            action="docgen.install_defaults",
            username="" if actor else "egov",
            detail={"codes": installed},
        )
    return len(installed)
