"""The applicant's pages of the online service hall: start an application,
fill and save the draft, upload materials (from a phone camera too), submit,
我的办件 with each case's progress, answering a correction request (补正),
withdrawing, the receipt (回执) PDF, and the public progress lookup.

Thin: each view parses input, calls one apply action or query, and renders.
Anything of someone else's answers 404.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core import jsonin
from egov.core.errors import ActionError
from egov.core.files import KINDS, MATERIALS, file_response, format_size
from egov.core.middleware import client_ip
from egov.servicehall import apply_actions as actions
from egov.servicehall import apply_queries as queries
from egov.servicehall import catalog_queries
from egov.servicehall.apply_actions import MAX_FORM_BYTES
from egov.servicehall.apply_forms import ApplicantForm, LookupForm, WithdrawForm
from egov.servicehall.apply_permissions import applicant_audience, applicant_policy
from egov.servicehall.models import Case
from egov.web.pagecache import render_kept

T = "servicehall/apply/"
PAGE_SIZE = 20


def _case_by_ref(request, ref: str) -> Case:
    """The viewer's case by its draft token or its number; 404 otherwise."""
    try:
        token = uuid.UUID(ref)
    except ValueError:
        return queries.get_my_case(request.user, ref)
    return queries.get_my_draft(request.user, token)


def _ref(case: Case) -> str:
    return str(case.client_token) if case.state == Case.State.DRAFT else case.number


def _page_of(case: Case) -> str:
    """Where the applicant works on the case now."""
    if case.state == Case.State.DRAFT:
        return reverse("hall:draft", args=[case.client_token])
    if case.state == Case.State.CORRECTION:
        return reverse("hall:correction", args=[case.number])
    return reverse("hall:my_case", args=[case.number])


# --- starting ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request, code):
    """在线申请 from the guide page: continue a draft or start a new one."""
    version = catalog_queries.get_published_version(code)
    if request.method == "POST":
        try:
            case = actions.create_draft(
                actor=request.user,
                item_code=version.item.code,
                client_token=request.POST.get("client_token", ""),
            )
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("hall:apply", code=version.item.code)
        return redirect("hall:draft", token=case.client_token)
    return render(
        request,
        T + "start.html",
        {
            "version": version,
            "item": version.item,
            "may_apply": applicant_policy.can(request.user, "apply", version),
            "is_applicant": applicant_audience(request.user) is not None,
            "draft": queries.open_draft_for(request.user, version),
            "client_token": uuid.uuid4(),
            "materials": queries.applicable_materials_of(version, request.user),
        },
    )


# --- the draft and the correction pages ---------------------------------------------


def _edit_context(case: Case, form: ApplicantForm, errors=None) -> dict:
    try:
        item_form = queries.application_form(case)
        form_missing = False
    except LookupError:
        item_form, form_missing = None, True
    lines = queries.material_lines(case)
    return {
        "case": case,
        "version": case.item_version,
        "ref": _ref(case),
        "form": form,
        "item_form": item_form,
        "form_missing": form_missing,
        "lines": lines,
        "missing": [line for line in lines if line.missing],
        "correction": queries.open_correction(case),
        "errors": errors or {},
        "data_errors": _data_errors(item_form, errors or {}),
        "extensions": "、".join(dict.fromkeys(KINDS[k].label for k in MATERIALS)),
        "max_size": format_size(settings.EGOV_UPLOAD_MAX_BYTES),
    }


def _data_errors(item_form, errors: dict) -> list[str]:
    """The item form's field errors as "label：message" lines."""
    labels = {}
    if item_form is not None:
        from egov.eforms import validation

        labels = {
            f["path"]: f["label"] for f in validation.schema_fields(item_form.schema)
        }
    lines = []
    for name, msgs in errors.items():
        if name.startswith("data."):
            path = name[5:]
            lines.append(f"{labels.get(path) or path}：{'；'.join(msgs)}")
    return lines


def _edit(request, case: Case, *, final_action: str):
    """The page where the applicant fills the form and hands in materials:
    the draft (final action: submit) or the correction (final: resubmit)."""
    try:
        basic = queries.application_form(case) is None
    except LookupError:
        basic = False
    if request.method == "GET":
        form = ApplicantForm(
            initial=ApplicantForm.initial_from(case),
            kind=case.applicant_kind,
            basic=basic,
        )
        return render(request, T + "edit.html", _edit_context(case, form))
    form = ApplicantForm(request.POST, kind=case.applicant_kind, basic=basic)
    wants = request.POST.get("action", "save")
    if not form.is_valid():
        if request.headers.get("x-requested-with") == "fetch":
            return JsonResponse({"message": _("请按提示修改申请人信息")}, status=400)
        return render(request, T + "edit.html", _edit_context(case, form), status=400)
    try:
        case = actions.save_draft(
            actor=request.user,
            case=case,
            form_data=form.item_form_data(),
            applicant=form.applicant(),
        )
    except ActionError as exc:
        if exc.code == "case_wrong_state" and wants == final_action:
            # A second click that waited for the first one: the case is
            # submitted already, show it.
            case.refresh_from_db()
            return redirect(_page_of(case))
        for name, msgs in exc.fields.items():
            if name in form.fields:
                for message in msgs:
                    form.add_error(name, message)
        if request.headers.get("x-requested-with") == "fetch":
            return JsonResponse({"message": str(exc.message)}, status=400)
        messages.error(request, exc.message)
        return render(request, T + "edit.html", _edit_context(case, form), status=400)
    if request.headers.get("x-requested-with") == "fetch":
        return JsonResponse({"message": _("已保存")})
    if wants != final_action:
        messages.success(request, _("已保存草稿，可随时回到“我的办件”继续填写"))
        return redirect(_page_of(case))
    do = actions.submit_case if final_action == "submit" else actions.resubmit_case
    try:
        case = do(actor=request.user, case=case)
    except ActionError as exc:
        for name, msgs in exc.fields.items():
            if name in form.fields:
                for message in msgs:
                    form.add_error(name, message)
        messages.error(request, exc.message)
        return render(
            request,
            T + "edit.html",
            _edit_context(case, form, errors=exc.fields),
            status=400,
        )
    if final_action == "submit":
        messages.success(
            request,
            _("申请已提交。办件编号：%(number)s，查询码：%(code)s，请妥善保存回执")
            % {"number": case.number, "code": case.lookup_code},
        )
    else:
        messages.success(request, _("补正材料已提交，请等待审查"))
    return redirect("hall:my_case", number=case.number)


@login_required
@require_http_methods(["GET", "POST"])
def draft(request, token):
    case = queries.get_my_draft(request.user, token)
    if case.state != Case.State.DRAFT:
        return redirect(_page_of(case))
    return _edit(request, case, final_action="submit")


@login_required
@require_http_methods(["GET", "POST"])
def correction(request, number):
    case = queries.get_my_case(request.user, number)
    if case.state != Case.State.CORRECTION:
        return redirect(_page_of(case))
    return _edit(request, case, final_action="resubmit")


@login_required
@require_http_methods(["GET", "POST"])
def form_json(request, ref):
    """The item form for the form-js viewer: {"schema", "data"}; a POST from
    a submit button inside the form saves its data to the draft."""
    case = _case_by_ref(request, ref)
    try:
        item_form = queries.application_form(case)
    except LookupError:
        item_form = None
    if item_form is None:
        raise Http404
    if request.method == "POST":
        wrong = _("请求格式不正确")
        try:
            # The envelope {"data": {...}} around at most the form's own limit.
            body = jsonin.parse_json_body(
                request,
                max_bytes=2 * MAX_FORM_BYTES,
                messages={
                    # The envelope is wrong, or what the form holds.
                    **dict.fromkeys(jsonin.CODES, _("申请表数据格式不正确")),
                    jsonin.INVALID: wrong,
                    jsonin.NOT_OBJECT: wrong,
                    jsonin.TOO_LARGE: _("提交的内容过大"),
                },
            )
            # No "data" keeps what is saved; anything but an object is wrong.
            data = body.get("data")
            if data is not None and not isinstance(data, dict):
                raise ActionError(wrong, code="invalid_form_data")
            actions.save_draft(actor=request.user, case=case, form_data=data)
        except ActionError as exc:
            return JsonResponse(
                {"message": str(exc.message), "errors": {}}, status=exc.status
            )
        return JsonResponse({"message": _("已保存")})
    return JsonResponse({"schema": item_form.schema, "data": case.form_data or {}})


@login_required
@require_POST
def discard(request, token):
    case = queries.get_my_draft(request.user, token)
    try:
        actions.discard_draft(actor=request.user, case=case)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(_page_of(case))
    messages.success(request, _("草稿已删除"))
    return redirect("hall:my_cases")


# --- materials ----------------------------------------------------------------------


def _requirement_pk(request) -> int:
    try:
        return int(request.POST.get("requirement", ""))
    except ValueError:
        return 0


@login_required
@require_POST
def upload(request, ref):
    case = _case_by_ref(request, ref)
    upload_file = request.FILES.get("file") or request.FILES.get("photo")
    try:
        material = actions.upload_material(
            actor=request.user,
            case=case,
            requirement=_requirement_pk(request),
            upload=upload_file,
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已上传“%(name)s”：%(file)s")
            % {"name": material.name, "file": material.file.original_name},
        )
    return redirect(_page_of(case) + "#materials")


@login_required
@require_POST
def reuse(request, ref):
    case = _case_by_ref(request, ref)
    try:
        source = int(request.POST.get("source", ""))
        material = actions.reuse_material(
            actor=request.user,
            case=case,
            requirement=_requirement_pk(request),
            source_pk=source,
        )
    except ValueError:
        messages.error(request, _("该文件不能复用，请重新上传"))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已使用以前提交的“%(name)s”") % {"name": material.name}
        )
    return redirect(_page_of(case) + "#materials")


@login_required
@require_POST
def remove(request, ref, pk):
    case = _case_by_ref(request, ref)
    try:
        actions.remove_material(actor=request.user, case=case, material_pk=pk)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除该文件"))
    return redirect(_page_of(case) + "#materials")


@login_required
@require_GET
def material(request, ref, pk):
    case = _case_by_ref(request, ref)
    return file_response(request, queries.get_my_material(request.user, case, pk))


# --- 我的办件 ---------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request):
    rows = queries.my_cases(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        T + "my_cases.html",
        {
            "page": page,
            "rows": queries.case_rows(page.object_list),
            "is_applicant": applicant_audience(request.user) is not None,
        },
    )


@login_required
@require_GET
def my_case(request, number):
    case = queries.get_my_case(request.user, number)
    row = queries.case_rows([case])[0]
    return render(
        request,
        T + "my_case.html",
        {
            "case": case,
            "row": row,
            "version": case.item_version,
            "materials": queries.current_materials(case),
            "timeline": queries.timeline(case),
            "correction": queries.open_correction(case),
            "may_withdraw": applicant_policy.can(request.user, "withdraw", case),
            "withdraw_form": WithdrawForm(),
            "results": queries.results_of(case),
        },
    )


@login_required
@require_POST
def withdraw(request, number):
    case = queries.get_my_case(request.user, number)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回理由"))
        return redirect("hall:my_case", number=case.number)
    try:
        actions.withdraw_case(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已撤回"))
    return redirect("hall:my_case", number=case.number)


@login_required
@require_GET
def receipt(request, number):
    case = queries.get_my_case(request.user, number)
    lookup_url = request.build_absolute_uri(reverse("hall:lookup"))
    pdf = queries.receipt_pdf(case, lookup_url=f"{lookup_url}?number={case.number}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{case.number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the public lookup ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request):
    """办件进度查询: case number plus lookup code, no sign-in needed."""
    progress = None
    not_found = False
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                progress = actions.look_up_progress(
                    number=form.cleaned_data["number"],
                    lookup_code=form.cleaned_data["code"],
                    ip=client_ip(request),
                    actor=request.user,
                )
            except ActionError as exc:
                form.add_error(None, exc.message)
            else:
                not_found = progress is None
    else:
        form = LookupForm(initial={"number": request.GET.get("number", "")[:32]})
    status = 429 if form.non_field_errors() else 200
    context = {"form": form, "progress": progress, "not_found": not_found}
    if progress is None:
        return render(request, T + "lookup.html", context, status=status)
    # People refresh this page while they wait: kept rendered per reading of
    # the case's progress, time left as shown, and the two inputs echoed.
    key = (
        progress["number"],
        progress["version"],
        progress["time_left"],
        form.data.get("number", ""),
        form.data.get("code", ""),
    )
    return render_kept(request, T + "lookup.html", context, key=key, status=status)
