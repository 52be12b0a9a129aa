"""系统管理 → 文书模板: the template list, a template's versions and variables,
uploading, downloading, previewing with the sample context, and activating."""

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError
from egov.core.files import file_response, open_stored_file
from egov.docgen import actions, queries
from egov.docgen.forms import UploadForm
from egov.docgen.pdf import docx_to_pdf
from egov.docgen.permissions import docgen_policy
from egov.docgen.render import describe_render_error, render_template_bytes

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docgen_permission(action: str):
    """Signed in and allowed `action`; else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not docgen_policy.can(request.user, action):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


@docgen_permission("view_templates")
def template_list(request):
    return render(
        request,
        "docgen/template_list.html",
        {"rows": queries.template_rows(request.user)},
    )


def _detail(request, code, form=None, status=200):
    spec = queries.get_spec_for(request.user, code)
    versions = list(queries.versions_of(request.user, code))
    active = next(
        (
            v
            for v in versions
            if v.template.active_version_id is not None
            and v.pk == v.template.active_version_id
        ),
        None,
    )
    return render(
        request,
        "docgen/template_detail.html",
        {
            "spec": spec,
            "versions": versions,
            "active": active,
            "variables": [
                {
                    "name": var.name,
                    "label": var.label,
                    "keys": var.keys,
                    "sample": spec.sample.get(var.name, ""),
                }
                for var in spec.variables
            ],
            "syntax_help": _(
                "请以启用中的版本为底稿修改。变量写作 {{ 变量名 }}，例如"
                " {{ applicant_name }}；列表变量在表格中逐行循环，写法见平台默认"
                "模板。上传时会用示例数据试生成一次，模板有错误时不会保存。"
            ),
            "form": form or UploadForm(),
            "can_upload": docgen_policy.can(request.user, "upload_version"),
            "can_activate": docgen_policy.can(request.user, "activate_version"),
        },
        status=status,
    )


@docgen_permission("view_templates")
def template_detail(request, code):
    return _detail(request, code)


@require_POST
@docgen_permission("upload_version")
def upload_version(request, code):
    queries.get_spec_for(request.user, code)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = actions.upload_template_version(
                actor=request.user,
                code=code,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                activate=form.cleaned_data["activate"],
            )
        except ActionError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("已上传第%(number)d版。") % {"number": version.number}
                + (
                    _("该版本已启用。")
                    if version.template.active_version_id == version.pk
                    else _("请预览无误后再启用。")
                ),
            )
            return redirect("docgen:template_detail", code=code)
    return _detail(request, code, form=form, status=400)


@docgen_permission("view_templates")
def version_download(request, code, number):
    version = queries.get_version_for(request.user, code, number)
    return file_response(request, version.file)


def _document_response(content: bytes, content_type: str, name: str, inline: bool):
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="preview.{name.rsplit(".", 1)[-1]}"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@docgen_permission("preview_template")
def version_preview(request, code, number):
    """Version `number` rendered with the template's sample context: a PDF
    shown in the browser, or downloaded (?download=1), or the filled-in DOCX
    (?format=docx)."""
    spec = queries.get_spec_for(request.user, code)
    version = queries.get_version_for(request.user, code, number)
    try:
        with open_stored_file(version.file) as handle:
            docx = render_template_bytes(handle.read(), spec.sample)
    except Exception as exc:  # a template stored before today's checks
        messages.error(request, describe_render_error(exc))
        return redirect("docgen:template_detail", code=code)
    stem = _("%(name)s（第%(number)d版预览）") % {
        "name": spec.name,
        "number": version.number,
    }
    if request.GET.get("format") == "docx":
        return _document_response(docx, DOCX_TYPE, f"{stem}.docx", inline=False)
    inline = request.GET.get("download") != "1"
    return _document_response(
        docx_to_pdf(docx), "application/pdf", f"{stem}.pdf", inline=inline
    )


@require_POST
@docgen_permission("activate_version")
def version_activate(request, code, number):
    version = queries.get_version_for(request.user, code, number)
    try:
        actions.activate_template_version(
            actor=request.user, code=code, number=version.number
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已启用第%(number)d版。") % {"number": version.number}
        )
    return redirect("docgen:template_detail", code=code)
