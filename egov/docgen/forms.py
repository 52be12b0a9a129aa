from django import forms
from django.utils.translation import gettext_lazy as _

from egov.identity.forms_admin import BootstrapMixin


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("模板文件（DOCX）"),
        error_messages={"required": _("请选择要上传的 DOCX 模板文件")},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document"
            }
        ),
    )
    note = forms.CharField(label=_("版本说明"), max_length=200, required=False)
    activate = forms.BooleanField(label=_("上传后立即启用"), required=False)
