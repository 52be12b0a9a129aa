from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "egov.datahub"
    label = "datahub"
    verbose_name = _("数据中心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.datahub.licence_actions import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
