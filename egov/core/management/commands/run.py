"""`egov run`: serve the platform on this machine for development and demos.

Settings are read once, when Django starts, and this command runs after that; so
it replaces itself with a fresh server process (Django's runserver, or gunicorn
with --gunicorn) whose environment carries the demo settings. They affect that
process only, never a deployment's configuration.
"""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def server_command(
    *,
    host: str,
    port: int,
    use_gunicorn: bool,
    workers: int,
    strict_2fa: bool,
    noreload: bool,
    environ: dict[str, str],
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of the server process `egov run` becomes.

    A setting already present in `environ` wins: whoever exported it meant it.
    """
    env = dict(environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if strict_2fa:
        env["EGOV_DEMO_RELAX_2FA"] = "0"
    else:
        env.setdefault("EGOV_DEMO_RELAX_2FA", "1")
    address = f"{host}:{port}"
    if use_gunicorn:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
    else:
        env.setdefault("EGOV_DEBUG", "1")
        argv = [sys.executable, "-m", "django", "runserver", address]
        if noreload:
            argv.append("--noreload")
    return argv, env


def face_urls(host: str, port: int, faces: list[str]) -> list[tuple[str, str]]:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    base = f"http://{shown}:{port}"
    urls = []
    if "public" in faces:
        urls.append((_("公众门户与网上办事大厅"), f"{base}/"))
    if "internal" in faces:
        urls.append((_("政务内网工作台"), f"{base}/staff/"))
    urls.append((_("接口文档"), f"{base}/api/docs/"))
    return urls


class Command(BaseCommand):
    help = _("在本机启动平台（默认 http://127.0.0.1:8000）")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址"))
        parser.add_argument("--port", type=int, default=8000, help=_("监听端口"))
        parser.add_argument(
            "--gunicorn",
            action="store_true",
            help=_("使用 gunicorn 而不是开发服务器"),
        )
        parser.add_argument(
            "--workers", type=int, default=2, help=_("gunicorn 工作进程数")
        )
        parser.add_argument(
            "--strict-2fa",
            action="store_true",
            help=_("演示账号也必须使用双因素认证（默认对演示账号放宽）"),
        )
        parser.add_argument(
            "--noreload", action="store_true", help=_("代码修改后不自动重启")
        )

    def handle(self, *args, **options):
        if not 0 < options["port"] < 65536:
            raise CommandError(_("端口应在1到65535之间"))
        if options["workers"] < 1:
            raise CommandError(_("工作进程数至少为1"))
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # WhiteNoise warns about a missing STATIC_ROOT even when the finders
        # serve every file, as they do without collectstatic.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        argv, env = server_command(
            host=options["host"],
            port=options["port"],
            use_gunicorn=options["gunicorn"],
            workers=options["workers"],
            strict_2fa=options["strict_2fa"],
            noreload=options["noreload"],
            environ=dict(os.environ),
        )
        self.stdout.write(
            self.style.SUCCESS(_("%s 正在启动：") % settings.EGOV_SITE_NAME)
        )
        for label, url in face_urls(
            options["host"], options["port"], settings.EGOV_FACES
        ):
            self.stdout.write(f"  {label}: {url}")
        if env["EGOV_DEMO_RELAX_2FA"] == "1":
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "演示账号登录时无需动态口令（EGOV_DEMO_RELAX_2FA=1），仅限本机演示。"
                    )
                )
            )
        self.stdout.flush()
        sys.stdout.flush()
        os.execve(argv[0], argv, env)  # noqa: S606
