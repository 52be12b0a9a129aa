from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "egov.identity"
    label = "identity"
    verbose_name = _("统一身份与授权")

    def ready(self):
        from egov.identity import action_labels
        from egov.identity.actions import sso

        action_labels.register()
        from egov.audit.labels import register_action_labels

        register_action_labels(sso.ACTION_LABELS)
