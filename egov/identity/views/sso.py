"""系统管理 → 接入应用: pages where administrators register the systems that sign
in through the platform. Each page parses its input and calls one action or
query from egov.identity.actions.sso; the rules live there."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.settings import oauth2_settings

from egov.core.errors import ActionError, PermissionDenied
from egov.identity.actions import sso

CLIENT_TYPE_CHOICES = [
    (
        sso.Application.CLIENT_CONFIDENTIAL,
        gettext_lazy("机密客户端（服务器端系统，可保管密钥）"),
    ),
    (
        sso.Application.CLIENT_PUBLIC,
        gettext_lazy("公开客户端（浏览器单页或移动应用，无密钥，仅凭 PKCE）"),
    ),
]


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("应用名称"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写应用名称")},
    )
    client_type = forms.ChoiceField(
        label=gettext_lazy("客户端类型"),
        choices=CLIENT_TYPE_CHOICES,
        widget=forms.RadioSelect,
        initial=sso.Application.CLIENT_CONFIDENTIAL,
    )
    redirect_uris = forms.CharField(
        label=gettext_lazy("登录回调地址"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "每行一个。必须使用 https，仅本机 localhost、127.0.0.1 可使用 http。"
        ),
        error_messages={"required": gettext_lazy("请至少填写一个回调地址")},
    )
    post_logout_redirect_uris = forms.CharField(
        label=gettext_lazy("退出后返回地址"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("每行一个，可不填。只有登记的地址才会在退出后跳转。"),
    )
    skip_authorization = forms.BooleanField(
        label=gettext_lazy("内部可信应用，登录时不再询问用户是否同意授权"),
        required=False,
    )
    allowed_scopes = forms.MultipleChoiceField(
        label=gettext_lazy("允许的授权范围"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "该系统只能申请勾选的范围，并只获得相应的用户信息。确认身份（openid）始终包含。"
        ),
        error_messages={
            "invalid_choice": gettext_lazy("未知的授权范围：%(value)s"),
            "invalid_list": gettext_lazy("请勾选授权范围"),
        },
    )
    organization = forms.ModelChoiceField(
        label=gettext_lazy("主管单位"),
        queryset=sso.Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不指定）"),
        error_messages={"invalid_choice": gettext_lazy("请选择启用中的机构")},
    )
    description = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=sso.MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("该系统的用途、联系人等，可不填。"),
        error_messages={
            "max_length": gettext_lazy("说明不能超过 %(limit_value)d 个字")
        },
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["client_type"]
        self.fields["allowed_scopes"].choices = sso.scope_choices()
        self.fields["organization"].queryset = sso.organization_choices()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif not isinstance(field.widget, forms.RadioSelect):
                # Radio buttons and the scope checkboxes (a RadioSelect
                # subclass) are styled one by one in the template.
                field.widget.attrs["class"] = "form-control"
            field.widget.attrs.setdefault("id", f"id_{name}")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            css = widget.attrs.get("class", "") if widget is not None else ""
            if css in ("form-control", "form-select"):
                widget.attrs["class"] = f"{css} is-invalid"

    def apply_error(self, error: ActionError) -> None:
        for field, message in error.fields.items():
            self.add_error(field if field in self.fields else None, message)
        if not error.fields:
            self.add_error(None, str(error.message))


def _require(request, action, application=None, code=""):
    """403 unless the user may; a refused change attempt goes to the audit log
    (under `code` when it is not the action code `action` stands for)."""
    if not sso.sso_policy.can(request.user, action):
        if request.method == "POST" and (code or action in sso.ACTION_CODES):
            sso.record_refusal(
                actor=request.user, action=action, application=application, code=code
            )
        raise HttpForbidden


def _no_store(response):
    # Pages that show a client secret must never be kept by a cache or browser.
    response["Cache-Control"] = "no-store"
    return response


def _endpoints(request):
    issuer = oauth2_settings.oidc_issuer(request)
    return {
        "discovery": issuer + "/.well-known/openid-configuration",
        "issuer": issuer,
    }


@login_required
@require_GET
def application_list(request):
    _require(request, "view")
    return render(
        request,
        "identity/sso/application_list.html",
        {
            "rows": [
                (application, sso.is_application_active(application))
                for application in sso.applications_for(request.user).select_related(
                    "egov_policy"
                )
            ],
            "can_add": sso.sso_policy.can(request.user, "add"),
            "endpoints": _endpoints(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    _require(request, "add")
    form = ApplicationForm(
        request.POST or None,
        initial={"allowed_scopes": [sso.REQUIRED_SCOPE, "profile"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registered = sso.register_application(
                actor=request.user, **form.cleaned_data
            )
        except PermissionDenied:
            raise HttpForbidden from None
        except ActionError as error:
            form.apply_error(error)
        else:
            return _no_store(
                render(
                    request,
                    "identity/sso/application_secret.html",
                    {
                        "application": registered.application,
                        "client_secret": registered.client_secret,
                        "created": True,
                        "endpoints": _endpoints(request),
                    },
                )
            )
    return render(
        request,
        "identity/sso/application_form.html",
        {"form": form, "title": _("登记接入应用")},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def application_detail(request, pk):
    application = sso.get_application_for(request.user, pk)
    user = request.user
    allowed = set(sso.allowed_scopes_of(application))
    return render(
        request,
        "identity/sso/application_detail.html",
        {
            "application": application,
            "policy": sso.policy_of(application),
            "is_active": sso.is_application_active(application),
            "allowed_scopes": [
                (name, label) for name, label in sso.scope_choices() if name in allowed
            ],
            "redirect_uris": application.redirect_uris.split(),
            "post_logout_redirect_uris": application.post_logout_redirect_uris.split(),
            "is_confidential": application.client_type
            == sso.Application.CLIENT_CONFIDENTIAL,
            "can_change": sso.sso_policy.can(user, "change"),
            "can_delete": sso.sso_policy.can(user, "delete"),
            "endpoints": _endpoints(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_update(request, pk):
    application = sso.get_application_for(request.user, pk)
    _require(request, "change", application)
    initial = {
        "name": application.name,
        "redirect_uris": "\n".join(application.redirect_uris.split()),
        "post_logout_redirect_uris": "\n".join(
            application.post_logout_redirect_uris.split()
        ),
        "skip_authorization": application.skip_authorization,
        "allowed_scopes": sso.allowed_scopes_of(application),
    }
    policy = sso.policy_of(application)
    if policy is not None:
        initial["description"] = policy.description
        initial["organization"] = policy.organization_id
    form = ApplicationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            sso.update_application(
                actor=request.user, application=application, **form.cleaned_data
            )
        except PermissionDenied:
            raise HttpForbidden from None
        except ActionError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("已保存接入应用的修改"))
            return redirect("sso:application_detail", pk=application.pk)
    return render(
        request,
        "identity/sso/application_form.html",
        {"form": form, "title": _("修改接入应用"), "application": application},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_rotate_secret(request, pk):
    application = sso.get_application_for(request.user, pk)
    _require(request, "change", application)
    if request.method == "POST":
        try:
            secret = sso.rotate_client_secret(
                actor=request.user, application=application
            )
        except PermissionDenied:
            raise HttpForbidden from None
        except ActionError as error:
            messages.error(request, str(error.message))
            return redirect("sso:application_detail", pk=application.pk)
        return _no_store(
            render(
                request,
                "identity/sso/application_secret.html",
                {
                    "application": application,
                    "client_secret": secret,
                    "created": False,
                    "endpoints": _endpoints(request),
                },
            )
        )
    return render(
        request,
        "identity/sso/application_confirm.html",
        {
            "application": application,
            "title": _("重置客户端密钥"),
            "message": _(
                "重置后，旧密钥立即失效，该系统必须换用新密钥才能继续登录。"
                "新密钥只显示一次。"
            ),
            "action_url": reverse(
                "sso:application_rotate_secret", args=[application.pk]
            ),
            "button": _("确认重置"),
        },
    )


def _switch(request, pk, *, disable: bool):
    application = sso.get_application_for(request.user, pk)
    code = "identity.disable_application" if disable else "identity.enable_application"
    _require(request, "change", application, code=code)
    if request.method == "POST":
        action = sso.disable_application if disable else sso.enable_application
        try:
            action(actor=request.user, application=application)
        except PermissionDenied:
            raise HttpForbidden from None
        except ActionError as error:
            messages.error(request, str(error.message))
        else:
            done = (
                _("已停用接入应用“%(name)s”")
                if disable
                else _("已启用接入应用“%(name)s”")
            )
            messages.success(request, done % {"name": application.name})
        return redirect("sso:application_detail", pk=application.pk)
    if disable:
        context = {
            "title": _("停用接入应用"),
            "message": _(
                "停用后，用户不能再通过本平台登录该系统，该系统也不能再换取或使用令牌；"
                "已签发的令牌暂停使用。重新启用后即可恢复。"
            ),
            "button": _("确认停用"),
            "danger": True,
            "action_url": reverse("sso:application_disable", args=[application.pk]),
        }
    else:
        context = {
            "title": _("启用接入应用"),
            "message": _("启用后，用户可以重新通过本平台登录该系统。"),
            "button": _("确认启用"),
            "action_url": reverse("sso:application_enable", args=[application.pk]),
        }
    return render(
        request,
        "identity/sso/application_confirm.html",
        {"application": application, **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_disable(request, pk):
    return _switch(request, pk, disable=True)


@login_required
@require_http_methods(["GET", "POST"])
def application_enable(request, pk):
    return _switch(request, pk, disable=False)


@login_required
@require_http_methods(["GET", "POST"])
def application_delete(request, pk):
    application = sso.get_application_for(request.user, pk)
    _require(request, "delete", application)
    if request.method == "POST":
        name = application.name
        try:
            sso.delete_application(actor=request.user, application=application)
        except PermissionDenied:
            raise HttpForbidden from None
        messages.success(request, _("已删除接入应用“%(name)s”") % {"name": name})
        return redirect("sso:application_list")
    return render(
        request,
        "identity/sso/application_confirm.html",
        {
            "application": application,
            "title": _("删除接入应用"),
            "message": _(
                "删除后，该系统将无法再通过本平台登录，已签发的令牌全部作废。此操作不能撤销。"
            ),
            "action_url": reverse("sso:application_delete", args=[application.pk]),
            "button": _("确认删除"),
            "danger": True,
        },
    )
