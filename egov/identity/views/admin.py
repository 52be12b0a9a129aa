"""系统管理 pages of the internal face: regions, organizations and posts, users,
roles, and the Excel import/export of users and organizations.

Thin views: each parses a form, calls one query or action, and renders. Lists
come from egov.identity.queries (scoped to the viewer); a record outside the
viewer's scope answers 404 like a missing one.
"""

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError
from egov.identity import spreadsheets
from egov.identity.actions import organizations as org_actions
from egov.identity.actions import posts as post_actions
from egov.identity.actions import regions as region_actions
from egov.identity.actions import roles as role_actions
from egov.identity.actions import users as user_actions
from egov.identity.actions._common import ImportRejected
from egov.identity.forms_admin import (
    DisableUserForm,
    ImportForm,
    MoveOrganizationForm,
    OrganizationForm,
    PostForm,
    RegionForm,
    ResetPasswordForm,
    RoleForm,
    UserFilterForm,
    UserForm,
    UserPostsForm,
    UserRolesForm,
    apply_action_error,
)
from egov.identity.models import Organization, PostAssignment, User
from egov.identity.permissions import (
    grantable_permissions,
    grouped_permissions,
    identity_policy,
)
from egov.identity.queries import (
    build_tree,
    get_organization_for,
    get_post_for,
    get_region_for,
    get_role_for,
    get_user_for,
    organizations_for,
    posts_for,
    regions_for,
    roles_for,
    users_for,
)
from egov.identity.roles import is_locked

T = "identity/admin/"


def permission_required(perm: str):
    """Signed in and holding `perm`; otherwise 403 (pages) — records use 404."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _run(request, form, action, **kwargs):
    """Call an action with the signed-in actor; an ActionError lands on the form."""
    try:
        return action(actor=request.user, **kwargs), True
    except ActionError as exc:
        apply_action_error(form, exc)
        return None, False


def _button(request, action, success: str, **kwargs) -> None:
    """A POST button (deactivate, enable…): the outcome becomes a message."""
    try:
        action(actor=request.user, **kwargs)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- 行政区划 -----------------------------------------------------------------


@permission_required("identity.view_region")
def region_list(request):
    rows = list(regions_for(request.user).order_by("code"))
    return render(
        request,
        T + "region_list.html",
        {
            "tree": build_tree(rows),
            "count": len(rows),
            "can_add": request.user.has_perm("identity.add_region"),
            "can_change": request.user.has_perm("identity.change_region"),
        },
    )


@permission_required("identity.add_region")
def region_create(request):
    initial = {}
    parent_pk = request.GET.get("parent")
    if parent_pk:
        initial["parent"] = get_region_for(request.user, parent_pk)
    form = RegionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        region, ok = _run(
            request, form, region_actions.create_region, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("已新增区划“%(name)s”") % {"name": region})
            return redirect("sysadmin:region_list")
    return render(request, T + "region_form.html", {"form": form, "region": None})


@permission_required("identity.change_region")
def region_edit(request, pk):
    region = get_region_for(request.user, pk)
    form = RegionForm(
        request.POST or None,
        editing=True,
        initial={"name": region.name, "level": region.level, "parent": region.parent},
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            region_actions.update_region,
            region=region,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("已保存区划“%(name)s”") % {"name": region})
            return redirect("sysadmin:region_list")
    return render(request, T + "region_form.html", {"form": form, "region": region})


@require_POST
@permission_required("identity.change_region")
def region_set_active(request, pk, active):
    region = get_region_for(request.user, pk)
    if active:
        _button(request, region_actions.activate_region, _("区划已启用"), region=region)
    else:
        _button(
            request, region_actions.deactivate_region, _("区划已停用"), region=region
        )
    return redirect("sysadmin:region_list")


# --- 机构与岗位 ---------------------------------------------------------------


def _org_panel_context(request, org):
    user = request.user
    posts = list(
        org.posts.annotate(holder_count=Count("holders")).order_by("sort_order", "code")
    )
    members = (
        PostAssignment.objects.filter(post__organization=org)
        .select_related("user", "post")
        .order_by("post__sort_order", "post__code", "user__username")
    )
    return {
        "org": org,
        "posts": posts,
        "members": members,
        "children": org.children.order_by("sort_order", "code"),
        "can_view_users": user.has_perm("identity.view_user"),
        "can_add_child": identity_policy.can(user, "add_organization", org),
        "can_change": identity_policy.can(user, "change_organization", org),
        "can_add_post": identity_policy.can(user, "add_post", org),
        "can_change_post": identity_policy.can(user, "change_post", org),
    }


@permission_required("identity.view_organization")
def org_list(request):
    user = request.user
    show_inactive = request.GET.get("inactive") == "1"
    rows = organizations_for(user).order_by("sort_order", "code")
    if not show_inactive:
        rows = rows.filter(is_active=True)
    rows = list(rows)
    tree = build_tree(rows)
    selected = None
    if request.GET.get("org"):
        selected = get_organization_for(user, request.GET["org"])
    elif tree:
        selected = tree[0]["node"]
    context = {
        "tree": tree,
        "count": len(rows),
        "selected": selected,
        "show_inactive": show_inactive,
        "can_add_root": user.has_perm("identity.add_organization"),
        "can_import": user.has_perm("identity.import_organization"),
        "can_export": user.has_perm("identity.export_organization"),
    }
    if selected is not None:
        context.update(_org_panel_context(request, selected))
    return render(request, T + "org_list.html", context)


@permission_required("identity.view_organization")
def org_panel(request, pk):
    org = get_organization_for(request.user, pk)
    return render(request, T + "_org_panel.html", _org_panel_context(request, org))


def _org_redirect(org):
    return redirect(f"{reverse('sysadmin:org_list')}?org={org.pk}")


@permission_required("identity.add_organization")
def org_create(request):
    parents = organizations_for(request.user, perm="identity.add_organization")
    initial = {"kind": Organization.Kind.DEPARTMENT, "sort_order": 0}
    if request.GET.get("parent"):
        parent = get_organization_for(
            request.user, request.GET["parent"], perm="identity.add_organization"
        )
        initial.update(parent=parent, region=parent.region)
    form = OrganizationForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        org, ok = _run(
            request, form, org_actions.create_organization, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("已新增机构“%(name)s”") % {"name": org})
            return _org_redirect(org)
    return render(request, T + "org_form.html", {"form": form, "org": None})


@permission_required("identity.change_organization")
def org_edit(request, pk):
    org = get_organization_for(request.user, pk, perm="identity.change_organization")
    form = OrganizationForm(
        request.POST or None,
        editing=True,
        initial={
            "code": org.code,
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "region": org.region,
            "uscc": org.uscc,
            "sort_order": org.sort_order,
        },
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            org_actions.update_organization,
            organization=org,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("已保存机构“%(name)s”") % {"name": org})
            return _org_redirect(org)
    return render(request, T + "org_form.html", {"form": form, "org": org})


@permission_required("identity.change_organization")
def org_move(request, pk):
    org = get_organization_for(request.user, pk, perm="identity.change_organization")
    parents = organizations_for(
        request.user, perm="identity.change_organization"
    ).exclude(path__startswith=org.path)
    form = MoveOrganizationForm(
        request.POST or None, parents=parents, initial={"parent": org.parent}
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            org_actions.move_organization,
            organization=org,
            parent=form.cleaned_data["parent"],
        )
        if ok:
            messages.success(request, _("已移动机构“%(name)s”") % {"name": org})
            return _org_redirect(org)
    return render(request, T + "org_move.html", {"form": form, "org": org})


@require_POST
@permission_required("identity.change_organization")
def org_set_active(request, pk, active):
    org = get_organization_for(request.user, pk, perm="identity.change_organization")
    if active:
        _button(
            request,
            org_actions.activate_organization,
            _("机构已启用"),
            organization=org,
        )
    else:
        _button(
            request,
            org_actions.deactivate_organization,
            _("机构已停用"),
            organization=org,
        )
    return redirect(f"{reverse('sysadmin:org_list')}?org={org.pk}&inactive=1")


@permission_required("identity.add_post")
def post_create(request, org_pk):
    org = get_organization_for(request.user, org_pk, perm="identity.add_post")
    form = PostForm(request.POST or None, initial={"sort_order": 0})
    if request.method == "POST" and form.is_valid():
        post, ok = _run(
            request,
            form,
            post_actions.create_post,
            organization=org,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("已新增岗位“%(name)s”") % {"name": post.name})
            return _org_redirect(org)
    return render(
        request, T + "post_form.html", {"form": form, "org": org, "post": None}
    )


@permission_required("identity.change_post")
def post_edit(request, pk):
    post = get_post_for(request.user, pk, perm="identity.change_post")
    form = PostForm(
        request.POST or None,
        initial={
            "code": post.code,
            "name": post.name,
            "is_head": post.is_head,
            "sort_order": post.sort_order,
        },
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request, form, post_actions.update_post, post=post, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("已保存岗位“%(name)s”") % {"name": post.name})
            return _org_redirect(post.organization)
    return render(
        request,
        T + "post_form.html",
        {"form": form, "org": post.organization, "post": post},
    )


@require_POST
@permission_required("identity.change_post")
def post_set_active(request, pk, active):
    post = get_post_for(request.user, pk, perm="identity.change_post")
    if active:
        _button(request, post_actions.activate_post, _("岗位已启用"), post=post)
    else:
        _button(request, post_actions.deactivate_post, _("岗位已停用"), post=post)
    return _org_redirect(post.organization)


# --- 用户管理 -----------------------------------------------------------------


@permission_required("identity.view_user")
def user_list(request):
    viewer = request.user
    organizations = organizations_for(viewer).order_by("path")
    filters = UserFilterForm(request.GET or None, organizations=organizations)
    data = filters.cleaned_data if filters.is_valid() else {}
    active = {"1": True, "0": False}.get(data.get("active") or "")
    rows = users_for(
        viewer,
        search=data.get("q", ""),
        organization=data.get("org"),
        kind=data.get("kind", ""),
        active=active,
    ).prefetch_related(
        Prefetch(
            "post_assignments",
            queryset=PostAssignment.objects.filter(is_primary=True).select_related(
                "post__organization"
            ),
            to_attr="primary_posts",
        )
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        T + "user_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_add": viewer.has_perm("identity.add_user"),
            "can_import": viewer.has_perm("identity.import_user"),
            "can_export": viewer.has_perm("identity.export_user"),
        },
    )


def _user_detail_context(request, person, revealed=None):
    viewer = request.user
    return {
        "person": person,
        "assignments": person.post_assignments.select_related(
            "post__organization"
        ).order_by("-is_primary", "post__organization__path"),
        "roles": person.roles.order_by("code"),
        "revealed": revealed,
        "can_reveal": identity_policy.can(viewer, "view_personal_data", person),
        "can_change": identity_policy.can(viewer, "change_user", person),
        "can_assign": identity_policy.can(viewer, "assign_role", person),
        "is_self": person.pk == viewer.pk,
    }


@permission_required("identity.view_user")
def user_detail(request, pk):
    person = get_user_for(request.user, pk)
    return render(
        request, T + "user_detail.html", _user_detail_context(request, person)
    )


@require_POST
@permission_required("identity.view_user")
def user_reveal(request, pk):
    person = get_user_for(request.user, pk)
    try:
        revealed = user_actions.reveal_personal_data(actor=request.user, user=person)
    except ActionError as exc:
        if _is_htmx(request):
            return render(
                request,
                T + "_personal_data.html",
                {"person": person, "error": exc.message},
                status=403,
            )
        messages.error(request, exc.message)
        return redirect("sysadmin:user_detail", pk=person.pk)
    if _is_htmx(request):
        return render(
            request, T + "_personal_data.html", {"person": person, "revealed": revealed}
        )
    return render(
        request,
        T + "user_detail.html",
        _user_detail_context(request, person, revealed=revealed),
    )


@permission_required("identity.add_user")
def user_create(request):
    posts = (
        posts_for(request.user, perm="identity.add_user")
        .filter(is_active=True, organization__is_active=True)
        .order_by("organization__path", "sort_order", "code")
    )
    form = UserForm(
        request.POST or None, posts=posts, initial={"kind": User.Kind.STAFF}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        primary = data.pop("primary_post")
        person, ok = _run(
            request,
            form,
            user_actions.create_user,
            posts=[primary] if primary else [],
            primary_post=primary,
            **data,
        )
        if ok:
            messages.success(request, _("已新增用户“%(name)s”") % {"name": person})
            return redirect("sysadmin:user_detail", pk=person.pk)
    return render(request, T + "user_form.html", {"form": form, "person": None})


@permission_required("identity.change_user")
def user_edit(request, pk):
    person = get_user_for(request.user, pk, perm="identity.change_user")
    form = UserForm(
        request.POST or None,
        editing=True,
        person=person,
        initial={
            "real_name": person.real_name,
            "kind": person.kind,
            "uscc": person.uscc,
            "email": person.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request, form, user_actions.update_user, user=person, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("已保存用户“%(name)s”") % {"name": person})
            return redirect("sysadmin:user_detail", pk=person.pk)
    return render(request, T + "user_form.html", {"form": form, "person": person})


@permission_required("identity.change_user")
def user_posts(request, pk):
    viewer = request.user
    person = get_user_for(viewer, pk, perm="identity.change_user")
    held = list(person.post_assignments.select_related("post__organization"))
    choices = (
        posts_for(viewer, perm="identity.change_user")
        .filter(
            Q(is_active=True, organization__is_active=True)
            | Q(pk__in=[a.post_id for a in held])
        )
        .order_by("organization__path", "sort_order", "code")
    )
    primary = next((a.post for a in held if a.is_primary), None)
    form = UserPostsForm(
        request.POST or None,
        posts=choices,
        initial={"posts": [a.post for a in held], "primary": primary},
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            user_actions.set_user_posts,
            user=person,
            posts=form.cleaned_data["posts"],
            primary=form.cleaned_data["primary"],
        )
        if ok:
            messages.success(request, _("已保存任职岗位"))
            return redirect("sysadmin:user_detail", pk=person.pk)
    outside = [a for a in held if a.post not in choices]
    return render(
        request,
        T + "user_posts.html",
        {
            "form": form,
            "person": person,
            "outside": outside,
            "heading": _("任职岗位"),
        },
    )


@permission_required("identity.assign_role")
def user_roles(request, pk):
    person = get_user_for(request.user, pk, perm="identity.assign_role")
    form = UserRolesForm(
        request.POST or None, user=person, initial={"roles": person.roles.all()}
    )
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            role_actions.assign_roles,
            user=person,
            roles=form.cleaned_data["roles"],
        )
        if ok:
            messages.success(request, _("已保存角色"))
            return redirect("sysadmin:user_detail", pk=person.pk)
    return render(
        request,
        T + "user_roles.html",
        {"form": form, "person": person, "heading": _("分配角色")},
    )


@permission_required("identity.change_user")
def user_disable(request, pk):
    person = get_user_for(request.user, pk, perm="identity.change_user")
    form = DisableUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            user_actions.disable_user,
            user=person,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, _("账号已停用，其所有登录会话已结束"))
            return redirect("sysadmin:user_detail", pk=person.pk)
    return render(
        request,
        T + "user_disable.html",
        {"form": form, "person": person, "heading": _("停用账号")},
    )


@require_POST
@permission_required("identity.change_user")
def user_enable(request, pk):
    person = get_user_for(request.user, pk, perm="identity.change_user")
    _button(request, user_actions.enable_user, _("账号已启用"), user=person)
    return redirect("sysadmin:user_detail", pk=person.pk)


@permission_required("identity.change_user")
def user_reset_password(request, pk):
    person = get_user_for(request.user, pk, perm="identity.change_user")
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _obj, ok = _run(
            request,
            form,
            user_actions.reset_password,
            user=person,
            password=form.cleaned_data["password"],
        )
        if ok:
            messages.success(request, _("已重置密码，该用户下次登录时须修改密码"))
            return redirect("sysadmin:user_detail", pk=person.pk)
    return render(
        request,
        T + "user_reset_password.html",
        {"form": form, "person": person, "heading": _("重置密码")},
    )


# --- 角色管理 -----------------------------------------------------------------


@permission_required("identity.view_role")
def role_list(request):
    rows = roles_for(request.user).annotate(
        user_count=Count("users", distinct=True),
        permission_count=Count("permissions", distinct=True),
    )
    return render(
        request,
        T + "role_list.html",
        {"roles": rows, "can_add": request.user.has_perm("identity.add_role")},
    )


def _picker(form):
    chosen = {str(v) for v in (form["permissions"].value() or [])}
    groups = grouped_permissions()
    for group in groups:
        for item in group["permissions"]:
            item["checked"] = str(item["perm"].pk) in chosen
    return groups


@permission_required("identity.add_role")
def role_create(request):
    grantable = grantable_permissions()
    form = RoleForm(
        request.POST or None,
        grantable=grantable,
        initial={"data_scope": "organization"},
    )
    if request.method == "POST" and form.is_valid():
        role, ok = _run(request, form, role_actions.create_role, **form.cleaned_data)
        if ok:
            messages.success(request, _("已新增角色“%(name)s”") % {"name": role})
            return redirect("sysadmin:role_list")
    return render(
        request,
        T + "role_form.html",
        {"form": form, "role": None, "groups": _picker(form), "locked": False},
    )


@permission_required("identity.view_role")
def role_edit(request, pk):
    role = get_role_for(request.user, pk)
    locked = is_locked(role) or not request.user.has_perm("identity.change_role")
    form = RoleForm(
        request.POST or None,
        grantable=grantable_permissions(),
        editing=True,
        initial={
            "name": role.name,
            "description": role.description,
            "data_scope": role.data_scope,
            "permissions": list(role.permissions.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST":
        if not request.user.has_perm("identity.change_role"):
            raise DjangoPermissionDenied
        if form.is_valid():
            _obj, ok = _run(
                request, form, role_actions.update_role, role=role, **form.cleaned_data
            )
            if ok:
                messages.success(request, _("已保存角色“%(name)s”") % {"name": role})
                return redirect("sysadmin:role_list")
    return render(
        request,
        T + "role_form.html",
        {
            "form": form,
            "role": role,
            "groups": _picker(form),
            "locked": locked,
            "holders": role.users.order_by("username")[:200],
        },
    )


@require_POST
@permission_required("identity.change_role")
def role_set_active(request, pk, active):
    role = get_role_for(request.user, pk)
    if active:
        _button(request, role_actions.activate_role, _("角色已启用"), role=role)
    else:
        _button(request, role_actions.deactivate_role, _("角色已停用"), role=role)
    return redirect("sysadmin:role_list")


# --- Excel import / export ----------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(filename: str) -> str:
    return quote(filename)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


USER_NOTES = [
    gettext_lazy("带 * 的列为必填。每行一个用户，从第2行开始填写。"),
    gettext_lazy("用户类型填写：工作人员、自然人 或 法人。"),
    gettext_lazy("自然人须填写18位身份证号；法人须填写18位统一社会信用代码。"),
    gettext_lazy(
        "工作人员可填写机构代码和岗位代码（须同时填写），该岗位将作为其主岗。"
    ),
    gettext_lazy("导入的账号暂不能登录，请在用户详情中为其重置密码。"),
    gettext_lazy("文件中任何一行有错误时，整个文件都不会导入。"),
]

ORG_NOTES = [
    gettext_lazy("带 * 的列为必填。每行一个机构，从第2行开始填写。"),
    gettext_lazy("机构类型填写：党委、政府、部门、乡镇、事业单位 或 其他。"),
    gettext_lazy("上级机构代码可以是系统中已有的机构，也可以是本文件中的其他行。"),
    gettext_lazy("机构代码已存在时更新该机构，否则新增。"),
    gettext_lazy("文件中任何一行有错误时，整个文件都不会导入。"),
]


def _user_export_row(person) -> dict:
    primary = next((a for a in person.post_assignments.all() if a.is_primary), None)
    return {
        "username": person.username,
        "real_name": person.real_name,
        "kind": person.get_kind_display(),
        "id_number": person.id_number_masked,
        "phone": person.phone_masked,
        "uscc": person.uscc,
        "email": person.email,
        "organization_code": primary.post.organization.code if primary else "",
        "post_code": primary.post.code if primary else "",
        "roles": "、".join(r.name for r in person.roles.all()),
        "is_active": _("启用") if person.is_active else _("停用"),
    }


USER_EXPORT_COLUMNS = [
    *spreadsheets.USER_COLUMNS,
    spreadsheets.Column("roles", gettext_lazy("角色"), width=30),
    spreadsheets.Column("is_active", gettext_lazy("状态"), width=8),
]


@permission_required("identity.export_user")
def user_export(request):
    rows = user_actions.export_users(actor=request.user)
    content = spreadsheets.export_workbook(
        _("用户"), USER_EXPORT_COLUMNS, (_user_export_row(p) for p in rows)
    )
    return _xlsx(content, f"{_('用户')}-{_stamp()}.xlsx")


@permission_required("identity.import_user")
def user_import_template(request):
    content = spreadsheets.template_workbook(
        _("用户"), spreadsheets.USER_COLUMNS, USER_NOTES
    )
    return _xlsx(content, f"{_('用户导入模板')}.xlsx")


def _import_page(request, *, columns, action, title, template_url, back_url, done):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = spreadsheets.read_rows(form.cleaned_data["file"], columns)
            result = action(actor=request.user, rows=rows)
        except ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, done(result))
            return redirect(back_url)
    return render(
        request,
        T + "import.html",
        {
            "form": form,
            "errors": errors,
            "title": title,
            "template_url": template_url,
            "back_url": back_url,
            "columns": columns,
        },
        status=400 if errors else 200,
    )


@permission_required("identity.import_user")
def user_import(request):
    return _import_page(
        request,
        columns=spreadsheets.USER_COLUMNS,
        action=user_actions.import_users,
        title=_("导入用户"),
        template_url=reverse("sysadmin:user_import_template"),
        back_url=reverse("sysadmin:user_list"),
        done=lambda created: _("已导入%(n)d个用户") % {"n": len(created)},
    )


def _org_export_row(org) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.get_kind_display(),
        "region_code": org.region.code,
        "parent_code": org.parent.code if org.parent else "",
        "uscc": org.uscc,
        "sort_order": org.sort_order,
        "is_active": _("启用") if org.is_active else _("停用"),
    }


ORG_EXPORT_COLUMNS = [
    *spreadsheets.ORGANIZATION_COLUMNS,
    spreadsheets.Column("is_active", gettext_lazy("状态"), width=8),
]


@permission_required("identity.export_organization")
def org_export(request):
    rows = org_actions.export_organizations(actor=request.user)
    content = spreadsheets.export_workbook(
        _("机构"), ORG_EXPORT_COLUMNS, (_org_export_row(o) for o in rows)
    )
    return _xlsx(content, f"{_('机构')}-{_stamp()}.xlsx")


@permission_required("identity.import_organization")
def org_import_template(request):
    content = spreadsheets.template_workbook(
        _("机构"), spreadsheets.ORGANIZATION_COLUMNS, ORG_NOTES
    )
    return _xlsx(content, f"{_('机构导入模板')}.xlsx")


@permission_required("identity.import_organization")
def org_import(request):
    return _import_page(
        request,
        columns=spreadsheets.ORGANIZATION_COLUMNS,
        action=org_actions.import_organizations,
        title=_("导入机构"),
        template_url=reverse("sysadmin:org_import_template"),
        back_url=reverse("sysadmin:org_list"),
        done=lambda counts: (
            _("导入完成：新增%(created)d个，更新%(updated)d个，未变%(unchanged)d个")
            % counts
        ),
    )
