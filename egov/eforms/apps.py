from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "egov.eforms"
    label = "eforms"
    verbose_name = _("电子表单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.audit.labels import register_action_labels

        register_action_labels(
            {
                "eforms.save_form_draft": _("保存表单草稿"),
                "eforms.publish_form": _("发布表单"),
                "eforms.submit_form_data": _("提交表单数据"),
            }
        )
