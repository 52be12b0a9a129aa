from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "egov.audit"
    label = "audit"
    verbose_name = _("统一日志")

    def ready(self):
        from egov.audit import signin_events  # noqa: F401 - connects auth signals
