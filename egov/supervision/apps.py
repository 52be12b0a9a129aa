from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "egov.supervision"
    label = "supervision"
    verbose_name = _("电子监察")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.supervision.rating_actions import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
