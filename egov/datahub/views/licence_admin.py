"""数据中心 → 证照管理 on the internal face: the licences issued within the
viewer's data scope, one licence with its verification, and revocation."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError, PermissionDenied
from egov.datahub import licence_actions as actions
from egov.datahub import licence_queries as queries
from egov.datahub.licence_actions import REASON_MAX
from egov.datahub.models import ELicense
from egov.datahub.permissions import licence_policy
from egov.identity.forms_admin import BootstrapMixin

T = "datahub/licences/"


def licence_permission(view):
    """Signed in and allowed to view licences; else 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not licence_policy.can(request.user, "view_licence"):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class FilterForm(BootstrapMixin, forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("证照类型"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    issuer = forms.TypedChoiceField(
        label=gettext_lazy("发证机构"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("全部类型"))] + [
            (t, t) for t in choices["types"]
        ]
        self.fields["state"].choices = [("", _("全部状态"))] + list(
            ELicense.State.choices
        )
        self.fields["issuer"].choices = [("", _("全部机构"))] + choices["issuers"]


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("注销原因"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@licence_permission
def licence_list(request):
    viewer = request.user
    filters = FilterForm(request.GET or None, choices=queries.filter_choices(viewer))
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.licences_for(
        viewer,
        licence_type=data.get("type") or "",
        state=data.get("state") or "",
    )
    if data.get("issuer"):
        rows = rows.filter(organization_id=data["issuer"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        T + "list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


def _detail(request, licence, *, form=None, status=200):
    verification = queries.verify(licence.code)
    url = queries.verify_url(licence, request)
    can_revoke = not licence.is_revoked and licence_policy.can(
        request.user, "revoke_licence", licence
    )
    return render(
        request,
        T + "detail.html",
        {
            "licence": licence,
            "verification": verification,
            "verify_url": url,
            "qr": queries.qr_svg_data_uri(url),
            "can_revoke": can_revoke,
            "form": form or RevokeForm(),
        },
        status=status,
    )


@licence_permission
def licence_detail(request, number):
    return _detail(request, queries.get_licence_for(request.user, number))


@require_POST
@licence_permission
def licence_revoke(request, number):
    licence = queries.get_licence_for(request.user, number)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            actions.revoke_licence(
                actor=request.user,
                licence=licence,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except ActionError as exc:
            if exc.fields:
                form.add_error("reason", exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("licences:detail", number=licence.number)
        else:
            messages.success(request, _("电子证照已注销，核验页面将显示“已注销”。"))
            return redirect("licences:detail", number=licence.number)
    return _detail(request, licence, form=form, status=400)
