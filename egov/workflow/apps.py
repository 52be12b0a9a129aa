from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "egov.workflow"
    label = "workflow"
    verbose_name = _("流程引擎")

    def ready(self):
        from egov.audit.labels import register_action_labels
        from egov.workflow.operations.labels import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
        from egov.workflow.task_notices import register_sweep

        register_sweep()
