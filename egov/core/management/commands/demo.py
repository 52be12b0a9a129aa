"""`egov demo`: load the demo county, idempotently, and list its accounts.

Each app that has demo data keeps it in `egov/<app>/demo.py` with a `load()`
function returning the counts of rows it created; this command runs them in the
order of INSTALLED_APPS (identity before the apps that need its people), all in
one transaction, and writes one audit entry when anything was created.
"""

import unicodedata
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from egov.audit.actions import record


def demo_loaders():
    """The `load` functions of the apps that ship demo data, in app order."""
    loaders = []
    for config in apps.get_app_configs():
        if config.name.startswith("egov.") and module_has_submodule(
            config.module, "demo"
        ):
            module = import_module(f"{config.name}.demo")
            if callable(getattr(module, "load", None)):
                loaders.append((config.label, module.load))
    return loaders


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Run every app's demo loader; returns the rows created, by app and kind."""
    created: dict[str, int] = {}
    for label, load in demo_loaders():
        for kind, count in (load() or {}).items():
            if count:
                created[f"{label}.{kind}"] = count
    if created:
        record(action="core.load_demo", username="egov demo", detail=created)
    return created


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table whose columns line up with Chinese text in them."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, [("-" * w) for w in widths], *rows]
    ]
    return "\n".join(lines)


def account_rows() -> list[list[str]]:
    from egov.identity.demo import demo_accounts
    from egov.identity.roles import STAFF

    rows = []
    for user in demo_accounts():
        assignment = user.primary_assignment
        where = (
            f"{assignment.post.organization.short_name or assignment.post.organization}"
            f" · {assignment.post.name}"
            if assignment
            else "—"
        )
        # The plain staff role, which everyone on staff holds, goes last.
        held = sorted(
            user.roles.all(), key=lambda role: (role.code == STAFF, role.code)
        )
        roles = "、".join(role.name for role in held) or "—"
        rows.append(
            [user.username, user.real_name, user.get_kind_display(), where, roles]
        )
    return rows


class Command(BaseCommand):
    help = _("加载示范县演示数据（可重复运行，不会产生重复数据），并列出演示账号")

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-passwords",
            action="store_true",
            help=_("同时显示演示账号的密码（仅供本机演示）"),
        )

    def handle(self, *args, print_passwords=False, **options):
        from egov.identity.demo import DEMO_PASSWORD

        created = load_demo()
        if created:
            summary = "，".join(f"{kind} {count}" for kind, count in created.items())
            self.stdout.write(self.style.SUCCESS(_("已加载演示数据：%s") % summary))
        else:
            self.stdout.write(_("演示数据已存在，未做任何修改。"))
        header = [_("账号"), _("姓名/名称"), _("类型"), _("机构 · 岗位"), _("角色")]
        self.stdout.write("")
        self.stdout.write(format_table(header, account_rows()))
        self.stdout.write("")
        if print_passwords:
            self.stdout.write(
                self.style.WARNING(
                    _("所有演示账号的密码：%s（仅用于本机演示，切勿用于生产环境）")
                    % DEMO_PASSWORD
                )
            )
        else:
            self.stdout.write(
                _("密码未显示；`make run` 或 `egov demo --print-passwords` 会显示。")
            )
