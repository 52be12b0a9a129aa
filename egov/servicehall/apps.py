from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicehallConfig(AppConfig):
    name = "egov.servicehall"
    label = "servicehall"
    verbose_name = _("网上办事大厅")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.servicehall.catalog_actions import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
        from egov.servicehall.case_actions import ACTION_LABELS as CASE_LABELS

        register_action_labels(CASE_LABELS)
        from egov.servicehall.case_warnings import register_sweep

        register_sweep()
