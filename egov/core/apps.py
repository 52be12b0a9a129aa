from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.core.action_labels import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
