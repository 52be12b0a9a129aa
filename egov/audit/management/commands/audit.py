"""`egov audit verify` checks the hash chain; `egov audit purge` applies retention."""

import getpass
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from egov.audit.actions import purge_entries
from egov.audit.chain import verify_chain
from egov.core.errors import ActionError


def _operator() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or purge entries past retention."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="walk the chain and report the first broken link"
        )
        verify.add_argument("--batch-size", type=int, default=2000)
        purge = sub.add_parser(
            "purge", help="remove entries older than a date, past the retention period"
        )
        purge.add_argument(
            "--before", required=True, help="local date YYYY-MM-DD; older entries go"
        )
        purge.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, subcommand, batch_size, **options):
        if batch_size < 1:
            raise CommandError(_("批大小必须是正整数"))
        if subcommand == "verify":
            return self._verify(batch_size)
        return self._purge(options["before"], batch_size)

    def _verify(self, batch_size: int) -> None:
        report = verify_chain(batch_size=batch_size)
        if not report.intact:
            raise CommandError(report.message, returncode=1)
        self.stdout.write(report.message)

    def _purge(self, before: str, batch_size: int) -> None:
        try:
            cutoff = date.fromisoformat(before.strip())
        except ValueError:
            raise CommandError(
                _("日期格式应为 YYYY-MM-DD，例如 2025-06-30"), returncode=2
            ) from None
        try:
            result = purge_entries(
                before=cutoff, username=_operator(), batch_size=batch_size
            )
        except ActionError as exc:
            raise CommandError(str(exc.message), returncode=1) from exc
        self.stdout.write(
            _(
                "已清理 %(count)s 条 %(before)s 之前的日志（至序号 %(through)s），"
                "链从序号 %(through)s 的锚点继续；本次清理记录为序号 %(purge)s。"
            )
            % {
                "count": result.removed,
                "before": result.before.isoformat(),
                "through": result.through_seq,
                "purge": result.purge_seq,
            }
        )
