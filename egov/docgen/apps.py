from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocgenConfig(AppConfig):
    name = "egov.docgen"
    label = "docgen"
    verbose_name = _("文书生成")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.docgen.actions import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
