"""系统管理 → 流程管理: the process list with versions, the bpmn-js designer,
uploading a .bpmn file, and deploying through the engine's `deploy_process`.

The designer page loads three JSON documents from here: the directory its
properties panel offers (posts, roles, organizations, published forms,
service handlers), the XML of the version being edited, and the deploy
answer (the engine's refusal, each problem on its own line).
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core import jsonin
from egov.core.errors import ActionError, PermissionDenied
from egov.eforms.queries import published_forms
from egov.identity.models import Organization, Post, Role
from egov.workflow import queries
from egov.workflow.actions import deploy_process
from egov.workflow.handlers import registered_handlers
from egov.workflow.models import ProcessDefinition
from egov.workflow.permissions import workflow_policy

T = "workflow/designer/"
# The engine caps a diagram at 2 MB; the JSON around it adds little.
MAX_JSON_BYTES = 3 * 1024 * 1024
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# bpmn-js's properties panel edits expressions in CodeMirror, which needs one
# <style> element; only the designer page admits it, by nonce (docs/adr/0006).
designer_csp = csp_update({"style-src": [NONCE]})


def _require(user, action: str) -> None:
    # Someone who may not even see definitions learns nothing; a viewer who
    # may not deploy is told so.
    if not workflow_policy.can(user, "view_definitions"):
        raise Http404
    if action == "deploy" and not workflow_policy.can(user, "deploy"):
        raise DjangoPermissionDenied(_("您没有部署流程的权限"))


def _definition(key: str, version: int | None = None) -> ProcessDefinition:
    rows = ProcessDefinition.objects.filter(key=key)
    row = rows.filter(version=version).first() if version else rows.first()
    if row is None:
        raise Http404
    return row


def directory() -> dict:
    """What the properties panel offers: references as the engine expects
    them (post "organization code/post code", role and organization codes)."""
    posts = (
        Post.objects.filter(is_active=True, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__path", "code")
    )
    return {
        "posts": [
            {
                "value": f"{p.organization.code}/{p.code}",
                "label": f"{p.organization.name} · {p.name}",
            }
            for p in posts
        ],
        "roles": [
            {"value": r.code, "label": r.name}
            for r in Role.objects.filter(is_active=True).order_by("name")
        ],
        "organizations": [
            {"value": o.code, "label": o.name}
            for o in Organization.objects.filter(is_active=True).order_by("path")
        ],
        "forms": published_forms(),
        "handlers": [
            {"name": h.name, "label": str(h.label)} for h in registered_handlers()
        ],
    }


class UploadForm(forms.Form):
    key = forms.CharField(
        label=gettext_lazy("流程编码"),
        max_length=64,
        error_messages={"required": gettext_lazy("请填写流程编码")},
    )
    name = forms.CharField(
        label=gettext_lazy("流程名称"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写流程名称")},
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), max_length=2000, required=False
    )
    file = forms.FileField(
        label=gettext_lazy("BPMN 文件"),
        error_messages={
            "required": gettext_lazy("请选择要上传的 BPMN 文件"),
            "empty": gettext_lazy("上传的文件是空的"),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("流程文件不能超过 2 MB"))
        return upload


def _problems(exc: ActionError) -> list[str]:
    text = exc.fields.get("bpmn_xml")
    if isinstance(text, list):
        return [str(t) for t in text]
    return [p for p in str(text).split("；") if p] if text else []


# --- pages ---------------------------------------------------------------------


@require_GET
@login_required
def definition_list(request):
    _require(request.user, "view")
    return render(
        request,
        T + "definition_list.html",
        {
            "entries": queries.definitions_for(request.user),
            "can_deploy": workflow_policy.can(request.user, "deploy"),
        },
    )


@require_GET
@login_required
def definition_versions(request, key: str):
    _require(request.user, "view")
    entry = next(
        (e for e in queries.definitions_for(request.user) if e["latest"].key == key),
        None,
    )
    if entry is None:
        raise Http404
    return render(
        request,
        T + "definition_versions.html",
        {
            "entry": entry,
            "key": key,
            "can_deploy": workflow_policy.can(request.user, "deploy"),
        },
    )


@require_GET
@login_required
@designer_csp
def designer_new(request):
    _require(request.user, "deploy")
    return render(request, T + "designer.html", {"definition": None})


@require_GET
@login_required
@designer_csp
def designer_edit(request, key: str):
    _require(request.user, "deploy")
    return render(request, T + "designer.html", {"definition": _definition(key)})


@require_GET
@login_required
def definition_xml(request, key: str, version: int):
    _require(request.user, "view")
    definition = _definition(key, version)
    return JsonResponse(
        {
            "key": definition.key,
            "name": definition.name,
            "version": definition.version,
            "xml": definition.bpmn_xml,
        }
    )


@require_GET
@login_required
def definition_file(request, key: str, version: int):
    _require(request.user, "view")
    definition = _definition(key, version)
    response = HttpResponse(definition.bpmn_xml, content_type="application/xml")
    filename = f"{definition.key}-v{definition.version}.bpmn"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def definition_diagram(request, key: str, version: int):
    """The process viewer widget's document for one deployed version."""
    _require(request.user, "view")
    definition = _definition(key, version)
    return JsonResponse({"xml": definition.bpmn_xml, "active": [], "completed": []})


@require_GET
@login_required
def designer_directory(request):
    _require(request.user, "deploy")
    return JsonResponse(directory())


@require_POST
@login_required
def deploy(request):
    """The designer's deploy button: JSON in, the engine's answer out."""
    not_json = _("提交的内容不是有效的 JSON 对象")
    try:
        body = jsonin.parse_json_body(
            request,
            max_bytes=MAX_JSON_BYTES,
            messages={
                jsonin.TOO_LARGE: _("流程文件过大"),
                jsonin.INVALID: not_json,
                jsonin.NOT_OBJECT: not_json,
            },
        )
    except jsonin.BadJSON as exc:
        return JsonResponse(
            {"message": str(exc.message), "code": exc.code, "problems": []},
            status=400,
        )
    try:
        definition = deploy_process(
            actor=request.user,
            key=str(body.get("key") or ""),
            name=str(body.get("name") or ""),
            description=str(body.get("description") or ""),
            bpmn_xml=str(body.get("xml") or ""),
        )
    except ActionError as exc:
        status = exc.status if isinstance(exc, PermissionDenied) else 400
        problems = _problems(exc)
        return JsonResponse(
            {
                "message": _("流程定义未通过检查，请修改以下问题后重新部署")
                if problems
                else str(exc.message),
                "code": exc.code,
                "problems": problems,
                "errors": {k: [str(v)] for k, v in exc.fields.items()},
            },
            status=status,
        )
    done = _("已部署“%(name)s”第%(v)s版") % {
        "name": definition.name,
        "v": definition.version,
    }
    messages.success(request, done)
    return JsonResponse(
        {
            "message": done,
            "redirect": reverse(
                "workflow_designer:definition_versions", args=[definition.key]
            ),
        }
    )


@require_http_methods(["GET", "POST"])
@login_required
def upload(request):
    """Deploy a .bpmn file made elsewhere, without opening the designer."""
    _require(request.user, "deploy")
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            definition = deploy_process(
                actor=request.user,
                key=form.cleaned_data["key"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                bpmn_xml=raw,
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except ActionError as exc:
            problems = _problems(exc)
            for field, message in exc.fields.items():
                if field in form.fields:
                    form.add_error(field, str(message))
            if not problems and not form.errors:
                form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("已部署“%(name)s”第%(v)s版")
                % {"name": definition.name, "v": definition.version},
            )
            return redirect("workflow_designer:definition_versions", key=definition.key)
    return render(request, T + "upload.html", {"form": form, "problems": problems})
