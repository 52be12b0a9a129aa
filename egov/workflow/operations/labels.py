"""Chinese names of the approval operations' audit action codes."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "workflow.return_task": _("退回"),
    "workflow.transfer_task": _("转办"),
    "workflow.delegate_task": _("委派"),
    "workflow.add_signer": _("加签"),
    "workflow.remove_signer": _("减签"),
    "workflow.withdraw_task": _("撤回"),
    "workflow.urge_task": _("催办"),
    "workflow.cc_instance": _("抄送"),
    "workflow.read_cc": _("阅读抄送"),
    "workflow.dispatch_instance": _("流程调度"),
    "workflow.reassign_task": _("改派任务"),
    "workflow.read_notification": _("阅读站内消息"),
    "workflow.read_all_notifications": _("站内消息全部已读"),
    "workflow.create_delegation": _("委托他人办理"),
    "workflow.end_delegation": _("结束委托"),
}
