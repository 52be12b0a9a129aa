"""政务服务 → 事项管理: the catalog list, drafting with materials, review,
version history, retirement, and the Excel import and export."""

from functools import wraps
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError
from egov.core.files import file_response
from egov.identity.forms_admin import BootstrapMixin
from egov.servicehall import catalog_actions as actions
from egov.servicehall import catalog_queries as queries
from egov.servicehall import catalog_spreadsheets as sheets
from egov.servicehall.catalog_forms import (
    ITEM_ERROR_FIELDS,
    MATERIAL_ERROR_FIELDS,
    CommentForm,
    FirstMaterialFormSet,
    ImportForm,
    ItemForm,
    MaterialForm,
    MaterialFormSet,
    ReasonForm,
    ThemeForm,
)
from egov.servicehall.models import ServiceItemVersion
from egov.servicehall.permissions import servicehall_policy

T = "servicehall/catalog_admin/"
Status = ServiceItemVersion.Status


def _posted(request):
    """The POST data, even when empty, so an empty post is refused like any
    other bad input rather than shown as a fresh form."""
    return request.POST if request.method == "POST" else None


def catalog_permission(action: str):
    """Signed in and allowed `action` by the service hall policy; else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not servicehall_policy.can(request.user, action):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- the list ------------------------------------------------------------------


class FilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("名称或编码"), max_length=100, required=False)
    org = forms.ModelChoiceField(
        label=_("实施机构"), queryset=None, required=False, empty_label=_("全部机构")
    )
    kind = forms.ChoiceField(label=_("事项类型"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organizations
        self.fields["kind"].choices = [("", _("全部类型"))] + list(
            ServiceItemVersion.Kind.choices
        )
        self.fields["status"].choices = [("", _("全部状态"))] + list(Status.choices)


@catalog_permission("view_item")
def item_list(request):
    viewer = request.user
    filters = FilterForm(
        request.GET or None,
        organizations=queries.filter_organizations_for(viewer),
    )
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.items_for(
        viewer,
        organization=data.get("org"),
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        search=data.get("q", ""),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        T + "item_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_create": servicehall_policy.can(viewer, "create_item"),
            "can_import": servicehall_policy.can(viewer, "import_catalog"),
            "can_export": servicehall_policy.can(viewer, "export_catalog"),
            "can_review": servicehall_policy.can(viewer, "review_item"),
            "can_manage_themes": servicehall_policy.can(viewer, "manage_themes"),
        },
    )


# --- drafting ------------------------------------------------------------------


def _item_form(request, *, initial=None, lock_identity=False):
    from egov.eforms.queries import published_forms
    from egov.workflow.queries import process_choices

    return ItemForm(
        _posted(request),
        initial=initial,
        organizations=queries.organizations_for_items(request.user),
        themes=queries.active_themes(),
        processes=process_choices(),
        forms_available=[(f["key"], f["name"]) for f in published_forms()],
        lock_identity=lock_identity,
    )


def _material_formset(request, version=None):
    materials = list(version.materials.all()) if version else []
    initial = [MaterialForm.initial_from(m) for m in materials]
    formset_class = MaterialFormSet if initial else FirstMaterialFormSet
    formset = formset_class(
        _posted(request),
        request.FILES or None,
        initial=initial or None,
        prefix="materials",
    )
    by_id = {m.pk: m for m in materials}
    for form in formset.forms:
        pk = form.initial.get("id")
        if pk is None and formset.is_bound:
            pk = _int(form.data.get(form.add_prefix("id")))
        form.material = by_id.get(pk)
    return formset


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _materials_from(formset) -> tuple[list[dict], list[MaterialForm]]:
    """The rows to keep, in order, and the form each came from."""
    rows, forms_used = [], []
    for form in formset.forms:
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.material is None and not form.has_changed():
            continue
        rows.append(form.material_data())
        forms_used.append(form)
    return rows, forms_used


def _apply_errors(exc: ActionError, form, material_forms) -> None:
    placed = False
    for key, message in (exc.fields or {}).items():
        if key.startswith("materials-"):
            _prefix, index, name = key.split("-", 2)
            index = int(index)
            if index < len(material_forms):
                target = material_forms[index]
                name = MATERIAL_ERROR_FIELDS.get(name, name)
                target.add_error(name if name in target.fields else None, message)
                placed = True
            continue
        name = ITEM_ERROR_FIELDS.get(key, key)
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _defaults() -> dict:
    return {
        "max_visits": 1,
        "online": True,
        "audience": ["individual"],
        "statutory_limit_unit": "workdays",
        "promised_limit_unit": "workdays",
    }


def _render_form(request, form, formset, *, version=None, status=200):
    return render(
        request,
        T + "item_form.html",
        {"form": form, "formset": formset, "version": version},
        status=status,
    )


@catalog_permission("create_item")
def item_create(request):
    form = _item_form(request, initial=_defaults())
    formset = _material_formset(request)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            materials, material_forms = _materials_from(formset)
            try:
                version = actions.create_item(
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    organization=form.cleaned_data["organization"],
                    fields=form.item_fields(),
                    materials=materials,
                )
            except ActionError as exc:
                _apply_errors(exc, form, material_forms)
            else:
                messages.success(
                    request,
                    _("已保存事项“%(name)s”的草稿，可继续修改或提交审核。")
                    % {"name": version.name},
                )
                return redirect("catalog_admin:item_detail", code=version.item.code)
        return _render_form(request, form, formset, status=400)
    return _render_form(request, form, formset)


@catalog_permission("edit_item")
def item_edit(request, code):
    item = queries.get_item_for(request.user, code)
    version = queries.latest_version(item)
    if version.status != Status.DRAFT or not servicehall_policy.can(
        request.user, "edit_item", item
    ):
        messages.error(request, _("只有草稿状态的事项可以修改"))
        return redirect("catalog_admin:item_detail", code=item.code)
    ever_published = (
        version.number > 1
        or item.versions.filter(
            status__in=ServiceItemVersion.EFFECTIVE_STATUSES
        ).exists()
    )
    form = _item_form(
        request,
        initial=ItemForm.initial_from(version),
        lock_identity=ever_published,
    )
    formset = _material_formset(request, version)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            materials, material_forms = _materials_from(formset)
            try:
                actions.edit_item_draft(
                    actor=request.user,
                    version=version,
                    fields=form.item_fields(),
                    materials=materials,
                    code=None if ever_published else form.cleaned_data["code"],
                    organization=None
                    if ever_published
                    else form.cleaned_data["organization"],
                )
            except ActionError as exc:
                _apply_errors(exc, form, material_forms)
            else:
                messages.success(request, _("已保存草稿。"))
                item.refresh_from_db()
                return redirect("catalog_admin:item_detail", code=item.code)
        return _render_form(request, form, formset, version=version, status=400)
    return _render_form(request, form, formset, version=version)


# --- one item ------------------------------------------------------------------


def _detail(request, item, version):
    viewer = request.user
    versions = queries.versions_of(item)
    published = next((v for v in versions if v.status == Status.PUBLISHED), None)
    latest = versions[0]
    is_latest = version.pk == latest.pk
    return render(
        request,
        T + "item_detail.html",
        {
            "item": item,
            "version": version,
            "versions": versions,
            "published": published,
            "is_latest": is_latest,
            "can_edit": is_latest
            and version.status == Status.DRAFT
            and servicehall_policy.can(viewer, "edit_item", item),
            "can_submit": is_latest
            and version.status == Status.DRAFT
            and servicehall_policy.can(viewer, "submit_item", item),
            "can_review": version.status == Status.IN_REVIEW
            and servicehall_policy.may_review(viewer, version),
            "own_work_in_review": version.status == Status.IN_REVIEW
            and servicehall_policy.can(viewer, "review_item", item)
            and not servicehall_policy.may_review(viewer, version),
            "can_new_version": (
                published is not None or latest.status == Status.RETIRED
            )
            and not latest.is_open
            and servicehall_policy.can(viewer, "new_version", item),
            "can_retire": published is not None
            and latest.status != Status.IN_REVIEW
            and servicehall_policy.can(viewer, "retire_item", item),
            "comment_form": CommentForm(),
            "reason_form": ReasonForm(),
        },
    )


@catalog_permission("view_item")
def item_detail(request, code):
    item = queries.get_item_for(request.user, code)
    return _detail(request, item, queries.latest_version(item))


@catalog_permission("view_item")
def version_detail(request, code, number):
    version = queries.get_version_for(request.user, code, number)
    return _detail(request, version.item, version)


@catalog_permission("view_item")
def material_file(request, code, number, pk, which):
    stored = queries.admin_material_file(request.user, code, number, pk, which)
    return file_response(request, stored)


def _outcome(request, action, success, **kwargs) -> bool:
    try:
        action(actor=request.user, **kwargs)
    except ActionError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@require_POST
@catalog_permission("view_item")
def item_submit(request, code):
    item = queries.get_item_for(request.user, code)
    _outcome(
        request,
        actions.submit_item,
        _("已提交审核，审核通过后将在网上办事大厅发布。"),
        version=queries.latest_version(item),
    )
    return redirect("catalog_admin:item_detail", code=item.code)


@require_POST
@catalog_permission("view_item")
def version_approve(request, code, number):
    version = queries.get_version_for(request.user, code, number)
    _outcome(
        request,
        actions.approve_item,
        _("已审核通过并发布“%(name)s”第%(n)d版。")
        % {"name": version.name, "n": version.number},
        version=version,
        comment=request.POST.get("comment", ""),
    )
    return redirect(
        "catalog_admin:version_detail", code=version.item.code, number=version.number
    )


@catalog_permission("view_item")
def version_reject(request, code, number):
    version = queries.get_version_for(request.user, code, number)
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.reject_item(
                actor=request.user, version=version, reason=form.cleaned_data["reason"]
            )
        except ActionError as exc:
            if exc.fields:
                form.add_error("reason", exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("catalog_admin:item_detail", code=version.item.code)
        else:
            messages.success(request, _("已退回修改。"))
            return redirect("catalog_admin:item_detail", code=version.item.code)
    return render(
        request,
        T + "reason_form.html",
        {
            "form": form,
            "item": version.item,
            "version": version,
            "title": _("退回修改"),
            "button": _("退回"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@catalog_permission("view_item")
def item_new_version(request, code):
    item = queries.get_item_for(request.user, code)
    try:
        actions.new_item_version(actor=request.user, item=item)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("catalog_admin:item_detail", code=item.code)
    messages.success(request, _("已根据现行版本创建新版本草稿，请修改后提交审核。"))
    return redirect("catalog_admin:item_edit", code=item.code)


@catalog_permission("view_item")
def item_retire(request, code):
    item = queries.get_item_for(request.user, code)
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.retire_item(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ActionError as exc:
            if exc.fields:
                form.add_error("reason", exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("catalog_admin:item_detail", code=item.code)
        else:
            messages.success(request, _("事项已废止，网上办事大厅不再显示。"))
            return redirect("catalog_admin:item_detail", code=item.code)
    return render(
        request,
        T + "reason_form.html",
        {
            "form": form,
            "item": item,
            "version": queries.latest_version(item),
            "title": _("废止事项"),
            "button": _("废止"),
        },
        status=400 if form.errors else 200,
    )


@catalog_permission("review_item")
def review_queue(request):
    rows = list(queries.review_queue_for(request.user))
    for row in rows:
        row.may_review = servicehall_policy.may_review(request.user, row)
    return render(request, T + "review_queue.html", {"rows": rows})


# --- Excel ---------------------------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=sheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@catalog_permission("export_catalog")
def catalog_export(request):
    versions = actions.export_catalog(actor=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(sheets.catalog_workbook(versions), f"{_('事项库')}-{stamp}.xlsx")


@catalog_permission("import_catalog")
def import_template(request):
    return _xlsx(sheets.template_workbook(), f"{_('事项导入模板')}.xlsx")


@catalog_permission("import_catalog")
def catalog_import(request):
    form = ImportForm(_posted(request), request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            item_rows, material_rows = sheets.read_catalog(form.cleaned_data["file"])
            result = actions.import_catalog(
                actor=request.user, item_rows=item_rows, material_rows=material_rows
            )
        except actions.CatalogImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        except ActionError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _(
                    "导入完成：新建事项%(created)d项，新建版本草稿%(versions)d项，"
                    "更新草稿%(drafts)d项，内容未变%(same)d项。导入的内容须提交审核后才会发布。"
                )
                % {
                    "created": len(result.created),
                    "versions": len(result.new_versions),
                    "drafts": len(result.updated_drafts),
                    "same": len(result.unchanged),
                },
            )
            return redirect("catalog_admin:item_list")
    return render(
        request,
        T + "import.html",
        {
            "form": form,
            "errors": errors,
            "item_columns": [c for c in sheets.ITEM_COLUMNS if not c.export_only],
            "material_columns": [
                c for c in sheets.MATERIAL_COLUMNS if not c.export_only
            ],
        },
        status=400 if form.errors else 200,
    )


# --- themes and life events ----------------------------------------------------


@catalog_permission("manage_themes")
def theme_list(request):
    return render(request, T + "theme_list.html", {"themes": queries.all_themes()})


def _theme_page(request, theme=None):
    initial = ThemeForm.initial_from(theme) if theme else None
    form = ThemeForm(_posted(request), initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = actions.save_theme(
                    actor=request.user, data=form.theme_data(), theme=theme
                )
            except ActionError as exc:
                _apply_errors(exc, form, [])
            else:
                messages.success(
                    request, _("已保存“%(name)s”。") % {"name": saved.name}
                )
                return redirect("catalog_admin:theme_list")
        return render(
            request, T + "theme_form.html", {"form": form, "theme": theme}, status=400
        )
    return render(request, T + "theme_form.html", {"form": form, "theme": theme})


@catalog_permission("manage_themes")
def theme_create(request):
    return _theme_page(request)


@catalog_permission("manage_themes")
def theme_edit(request, code):
    return _theme_page(request, queries.get_theme(code))
