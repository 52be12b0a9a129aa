"""系统管理 → 表单管理: the list of forms, versions, the form-js designer and
the preview, plus the JSON endpoints the designer and the form widget call."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import ActionError, PermissionDenied
from egov.core.jsonin import BadJSON, parse_json_body
from egov.eforms import actions, queries, validation
from egov.eforms.permissions import form_policy

# The form-js editor's expression fields (CodeMirror) need one <style>
# element; only the designer pages admit it, by nonce (docs/adr/0006).
designer_csp = csp_update({"style-src": [NONCE]})

# Larger bodies than a form schema or a form's data ever need are refused
# before they are parsed.
MAX_JSON_BYTES = 1024 * 1024


def _json_body(request) -> dict:
    return parse_json_body(request, max_bytes=MAX_JSON_BYTES)


def _refusal(exc: ActionError) -> JsonResponse:
    return JsonResponse(
        {"message": str(exc.message), "code": exc.code, "errors": exc.fields},
        status=exc.status,
    )


def _require_view(user) -> None:
    # Someone without the form permissions learns nothing about forms.
    if not form_policy.can(user, "view"):
        raise Http404


@require_GET
@login_required
def form_list(request):
    _require_view(request.user)
    search = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "eforms/form_list.html",
        {
            "forms": queries.forms_for(request.user, search=search),
            "search": search,
            "can_edit": form_policy.can(request.user, "save_draft"),
        },
    )


@require_GET
@login_required
def form_versions(request, key: str):
    versions = queries.versions_for(request.user, key)
    return render(
        request,
        "eforms/form_versions.html",
        {
            "key": key,
            "current": versions[0],
            "versions": versions,
            "draft": next((v for v in versions if not v.published), None),
            "can_edit": form_policy.can(request.user, "save_draft"),
            "can_publish": form_policy.can(request.user, "publish"),
        },
    )


@require_GET
@login_required
@designer_csp
def form_new(request):
    _require_view(request.user)
    if not form_policy.can(request.user, "save_draft"):
        raise DjangoPermissionDenied(_("您没有设计表单的权限"))
    return render(request, "eforms/form_designer.html", {"form": None})


@require_GET
@login_required
@designer_csp
def form_edit(request, key: str):
    form = queries.editable_form_for(request.user, key)
    if not form_policy.can(request.user, "save_draft"):
        raise DjangoPermissionDenied(_("您没有设计表单的权限"))
    return render(request, "eforms/form_designer.html", {"form": form})


@require_GET
@login_required
def form_schema(request, key: str, version: int):
    form = queries.get_form_for(request.user, key, version)
    return JsonResponse(
        {
            "key": form.key,
            "name": form.name,
            "version": form.version,
            "published": form.published,
            "schema": form.schema,
        }
    )


@require_POST
@login_required
def form_save(request):
    try:
        body = _json_body(request)
    except BadJSON as exc:
        return JsonResponse(
            {"message": str(exc.message), "code": exc.code, "errors": {}}, status=400
        )
    try:
        form = actions.save_form_draft(
            actor=request.user,
            key=str(body.get("key") or ""),
            name=str(body.get("name") or ""),
            schema=body.get("schema"),
        )
    except ActionError as exc:
        return _refusal(exc)
    return JsonResponse(
        {
            "key": form.key,
            "version": form.version,
            "message": _("已保存第%(v)s版草稿") % {"v": form.version},
            "edit_url": reverse("eforms:form_edit", args=[form.key]),
            "publish_url": reverse("eforms:form_publish", args=[form.key]),
        }
    )


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


@require_POST
@login_required
def form_publish(request, key: str):
    try:
        form = actions.publish_form(actor=request.user, key=key)
    except PermissionDenied as exc:
        if _wants_json(request):
            return _refusal(exc)
        raise DjangoPermissionDenied(str(exc.message)) from exc
    except ActionError as exc:
        if _wants_json(request):
            return _refusal(exc)
        messages.error(request, exc.message)
        return redirect("eforms:form_versions", key=key)
    done = _("已发布“%(name)s”第%(v)s版") % {"name": form.name, "v": form.version}
    messages.success(request, done)
    target = reverse("eforms:form_versions", args=[key])
    if _wants_json(request):
        return JsonResponse({"message": done, "redirect": target})
    return redirect(target)


@require_GET
@login_required
def form_preview(request, key: str, version: int):
    form = queries.get_form_for(request.user, key, version)
    return render(request, "eforms/form_preview.html", {"form": form})


@require_GET
@login_required
def form_preview_data(request, key: str, version: int):
    queries.get_form_for(request.user, key, version)
    return JsonResponse({"data": {}})


@require_POST
@login_required
def form_preview_check(request, key: str, version: int):
    """Runs the server's validation on preview data; nothing is stored."""
    form = queries.get_form_for(request.user, key, version)
    try:
        body = _json_body(request)
    except BadJSON as exc:
        return JsonResponse(
            {"message": str(exc.message), "code": exc.code, "errors": {}}, status=400
        )
    try:
        cleaned = validation.clean_data(form.schema, body.get("data"))
    except validation.FormDataInvalid as exc:
        return JsonResponse(
            {
                "message": _("表单填写有误，请按提示修改后重新提交"),
                "code": "invalid_form_data",
                "errors": exc.errors,
            },
            status=400,
        )
    except validation.SchemaInvalid as exc:
        return JsonResponse(
            {"message": "；".join(exc.problems), "code": "invalid_form_schema"},
            status=400,
        )
    return JsonResponse(
        {"message": _("服务器校验通过（预览不会保存数据）"), "data": cleaned}
    )
