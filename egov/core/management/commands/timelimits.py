"""`egov timelimits sweep` sends warning notifications once per state change;
`egov timelimits coverage` says which coming years still lack their holidays;
`egov timelimits recompute` asks the domains that store due times to refresh
them (after restoring a backup of the calendar, say)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.calendar import notify_listeners, uncovered_years_ahead
from egov.core.deadline_sweep import registered_sweeps, run_sweep
from egov.core.timelimits import SHANGHAI


class Command(BaseCommand):
    help = "Time limits: run the notification sweep, check calendar coverage."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sweep = sub.add_parser(
            "sweep", help="notify each domain once per change of warning state"
        )
        sweep.add_argument("--domain", help="sweep only this registered domain")
        sweep.add_argument(
            "--at",
            help="sweep as of this local time, YYYY-MM-DDTHH:MM (tests, replays)",
        )
        sub.add_parser(
            "coverage", help="list coming years whose holidays are not entered"
        )
        recompute = sub.add_parser(
            "recompute", help="ask domains that store due times to refresh them"
        )
        recompute.add_argument("years", nargs="+", type=int)

    def handle(self, *args, subcommand, **options):
        if subcommand == "sweep":
            return self._sweep(options.get("domain"), options.get("at"))
        if subcommand == "coverage":
            return self._coverage()
        notify_listeners(set(options["years"]))
        self.stdout.write(_("已通知各业务重新计算时限。"))

    def _sweep(self, domain: str | None, at: str | None) -> None:
        if domain is not None and domain not in registered_sweeps():
            raise CommandError(
                _("未注册的业务：%(name)s（已注册：%(known)s）")
                % {"name": domain, "known": "、".join(registered_sweeps()) or "—"}
            )
        now = None
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(
                    _("时间格式应为 YYYY-MM-DDTHH:MM，例如 2027-01-04T09:00")
                ) from None
            if timezone.is_naive(now):
                now = now.replace(tzinfo=SHANGHAI)
        report = run_sweep(now=now, only=domain)
        self.stdout.write(
            _("检查%(seen)d项，发出提醒%(notified)d条，失败%(failed)d条。")
            % {
                "seen": report.seen,
                "notified": report.notified,
                "failed": report.failed,
            }
        )
        if report.failed:
            raise CommandError(_("部分提醒发送失败，详见日志。"), returncode=1)

    def _coverage(self) -> None:
        today = timezone.localtime(timezone.now(), SHANGHAI).date()
        missing = uncovered_years_ahead(today)
        if not missing:
            self.stdout.write(_("未来三个月的节假日安排均已掌握。"))
            return
        years = "、".join(str(year) for year in missing)
        raise CommandError(
            _("%(years)s年的节假日安排尚未录入，请在“工作日历”中录入国务院办公厅通知。")
            % {"years": years},
            returncode=1,
        )
