"""Forms of the identity management pages. They parse input only; the actions
check the rules, and their errors come back onto the fields here."""

from django import forms
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from egov.identity.models import Organization, Region, Role, User


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " is-invalid"


def apply_action_error(form, exc) -> None:
    """Put an ActionError's message on the fields it names, else on the form."""
    placed = False
    for name, message in (exc.fields or {}).items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth, 0)}{obj.name}（{obj.code}）"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        depth = max(obj.path.count("/") - 2, 0)
        return f"{'　' * depth}{obj.name}（{obj.code}）"


class RegionForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("区划代码"), max_length=12, required=False)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    level = forms.ChoiceField(label=_("级别"), choices=Region.Level.choices)
    parent = RegionChoiceField(
        label=_("上级区划"), queryset=Region.objects.none(), required=False
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.filter(is_active=True).order_by(
            "path"
        )
        if editing:
            del self.fields["code"]


class OrganizationForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("机构代码"), max_length=64, required=False)
    name = forms.CharField(label=_("机构名称"), max_length=200, required=False)
    short_name = forms.CharField(label=_("简称"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("机构类型"), choices=Organization.Kind.choices)
    region = RegionChoiceField(label=_("行政区划"), queryset=Region.objects.none())
    parent = OrganizationChoiceField(
        label=_("上级机构"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("（顶级机构）"),
    )
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    sort_order = forms.IntegerField(
        label=_("排序"), initial=0, min_value=-100000, max_value=100000
    )

    def __init__(self, *args, parents=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(is_active=True).order_by(
            "path"
        )
        if editing:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents.filter(is_active=True)


class MoveOrganizationForm(BootstrapMixin, forms.Form):
    parent = OrganizationChoiceField(
        label=_("新的上级机构"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("（顶级机构）"),
    )

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents.filter(is_active=True)


class PostForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("岗位代码"), max_length=64, required=False)
    name = forms.CharField(label=_("岗位名称"), max_length=100, required=False)
    is_head = forms.BooleanField(label=_("负责人岗位"), required=False)
    sort_order = forms.IntegerField(
        label=_("排序"), initial=0, min_value=-100000, max_value=100000
    )


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organization.name} · {obj.name}"


class PostMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organization.name} · {obj.name}"


class UserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150, required=False)
    real_name = forms.CharField(label=_("姓名/名称"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("用户类型"), choices=User.Kind.choices)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    primary_post = PostChoiceField(
        label=_("主岗"),
        queryset=None,
        required=False,
        empty_label=_("（暂不任职）"),
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则账号暂不能登录，可稍后重置密码"),
    )

    # Personal data is never sent to the edit page in clear (seeing it is the
    # audited 查看完整信息); its fields start empty and an empty field keeps it.
    KEPT_WHEN_EMPTY = ("id_number", "phone")

    def __init__(self, *args, posts=None, editing=False, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if editing:
            for name in ("username", "primary_post", "password"):
                del self.fields[name]
        else:
            self.fields["primary_post"].queryset = posts
        if person is not None:
            for name, masked in (
                ("id_number", person.id_number_masked),
                ("phone", person.phone_masked),
            ):
                if masked:
                    field = self.fields[name]
                    field.widget.attrs["placeholder"] = masked
                    field.help_text = _("已登记：%(masked)s；留空则保持不变") % {
                        "masked": masked
                    }

    def clean(self):
        data = super().clean()
        if self.person is not None:
            for name in self.KEPT_WHEN_EMPTY:
                if not (data.get(name) or "").strip():
                    data[name] = getattr(self.person, name)
        return data


class UserPostsForm(BootstrapMixin, forms.Form):
    posts = PostMultipleChoiceField(
        label=_("任职岗位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    primary = PostChoiceField(label=_("主岗"), queryset=None, required=False)

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = posts
        self.fields["primary"].queryset = posts


class UserRolesForm(BootstrapMixin, forms.Form):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"),
        queryset=Role.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        held = user.roles.values_list("pk", flat=True) if user else []
        self.fields["roles"].queryset = Role.objects.filter(
            is_active=True
        ) | Role.objects.filter(pk__in=list(held))


class DisableUserForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("停用原因"), max_length=500, required=False, widget=forms.Textarea
    )


class ResetPasswordForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RoleForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("角色代码"), max_length=64, required=False)
    name = forms.CharField(label=_("角色名称"), max_length=100, required=False)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_scope = forms.ChoiceField(label=_("数据范围"), choices=Role.DataScope.choices)
    permissions = forms.ModelMultipleChoiceField(
        label=_("权限"),
        queryset=Permission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, grantable=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = Permission.objects.filter(
            pk__in=[p.pk for p in grantable]
        )
        if editing:
            del self.fields["code"]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    org = OrganizationChoiceField(
        label=_("机构"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("全部机构"),
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *User.Kind.choices],
    )
    active = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), ("1", _("启用")), ("0", _("停用"))],
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organizations
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-control form-control-sm"
                if name == "q"
                else "form-select form-select-sm"
            )


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要导入的文件")},
    )
