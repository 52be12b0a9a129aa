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

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["client_type"]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-control"
            field.widget.attrs.setdefault("id", f"id_{name}")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "form-control" in widget.attrs.get("class", ""):
                widget.attrs["class"] = "form-control is-invalid"

    def apply_error(self, error: ActionError) -> None:
        for field, message in error.fields.items():
            self.add_error(field if field in self.fields else None, message)
        if not error.fields:
            self.add_error(None, str(error.message))


def _require(request, action, application=None):
    """403 unless the user may; a refused change attempt goes to the audit log."""
    if not sso.sso_policy.can(request.user, action):
        if request.method == "POST" and action in sso.ACTION_CODES:
            sso.record_refusal(
                actor=request.user, action=action, application=application
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
            "applications": sso.applications_for(request.user),
            "can_add": sso.sso_policy.can(request.user, "add"),
            "endpoints": _endpoints(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    _require(request, "add")
    form = ApplicationForm(request.POST or None)
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
    return render(
        request,
        "identity/sso/application_detail.html",
        {
            "application": application,
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
    }
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
