"""Fire the workflow timers that fell due (run from cron or the task worker)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from egov.workflow.actions import sweep_timers


class Command(BaseCommand):
    help = "触发已到期的流程定时事件（由 cron 或后台任务定期运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="每次最多处理的流程实例数"
        )

    def handle(self, *args, limit, **options):
        count = sweep_timers(limit=limit)
        self.stdout.write(_("已检查 %(n)s 个到期的流程实例") % {"n": count})
