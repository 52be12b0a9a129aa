"""`egov run`: the server process it becomes and what it tells the person."""

import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.core.management.commands import run
from egov.core.management.commands.run import face_urls, server_command

ALL_INTERFACES = "0.0.0.0"  # noqa: S104


def _command(**overrides):
    options = {
        "host": "127.0.0.1",
        "port": 8000,
        "use_gunicorn": False,
        "workers": 2,
        "strict_2fa": False,
        "noreload": False,
        "environ": {},
    }
    options.update(overrides)
    return server_command(**options)


def test_development_server_relaxes_demo_2fa_and_turns_on_debug():
    argv, env = _command()

    assert argv == [sys.executable, "-m", "django", "runserver", "127.0.0.1:8000"]
    assert env["EGOV_DEMO_RELAX_2FA"] == "1"
    assert env["EGOV_DEBUG"] == "1"
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings"


def test_settings_already_exported_win_over_the_demo_defaults():
    environ = {"EGOV_DEMO_RELAX_2FA": "0", "EGOV_DEBUG": "0", "PATH": "/usr/bin"}

    _, env = _command(environ=environ)

    assert env["EGOV_DEMO_RELAX_2FA"] == "0"
    assert env["EGOV_DEBUG"] == "0"
    assert env["PATH"] == "/usr/bin"


def test_strict_2fa_keeps_the_second_factor_even_when_relaxing_was_exported():
    _, env = _command(strict_2fa=True, environ={"EGOV_DEMO_RELAX_2FA": "1"})

    assert env["EGOV_DEMO_RELAX_2FA"] == "0"


def test_gunicorn_binds_the_address_with_the_workers_asked_for_and_no_debug():
    argv, env = _command(use_gunicorn=True, host=ALL_INTERFACES, port=9000, workers=4)

    assert argv[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9000"
    assert argv[argv.index("--workers") + 1] == "4"
    assert "EGOV_DEBUG" not in env


def test_noreload_is_passed_to_the_development_server():
    argv, _ = _command(noreload=True)

    assert argv[-1] == "--noreload"


def test_face_urls_name_each_mounted_face():
    both = face_urls("127.0.0.1", 8000, ["public", "internal"])
    internal_only = face_urls(ALL_INTERFACES, 8001, ["internal"])

    assert [url for _, url in both] == [
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/staff/",
        "http://127.0.0.1:8000/api/docs/",
    ]
    assert [url for _, url in internal_only] == [
        "http://127.0.0.1:8001/staff/",
        "http://127.0.0.1:8001/api/docs/",
    ]


def test_command_creates_var_prints_the_faces_and_replaces_itself(
    settings, tmp_path, monkeypatch
):
    settings.VAR_DIR = tmp_path / "var"
    settings.STATIC_ROOT = tmp_path / "var" / "staticfiles"
    calls = []
    monkeypatch.setattr(run.os, "execve", lambda *args: calls.append(args))
    monkeypatch.delenv("EGOV_DEMO_RELAX_2FA", raising=False)
    out = StringIO()

    call_command("run", "--port", "8123", stdout=out)

    assert settings.VAR_DIR.is_dir()
    assert settings.STATIC_ROOT.is_dir()
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert "http://127.0.0.1:8123/staff/" in text
    assert "演示账号登录时无需动态口令" in text
    ((executable, argv, env),) = calls
    assert executable == sys.executable
    assert argv[-1] == "127.0.0.1:8123"
    assert env["EGOV_DEMO_RELAX_2FA"] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "端口应在1到65535之间"),
        (["--port", "0"], "端口应在1到65535之间"),
        (["--gunicorn", "--workers", "0"], "工作进程数至少为1"),
    ],
)
def test_bad_options_are_refused_with_a_message(args, message, monkeypatch):
    monkeypatch.setattr(run.os, "execve", lambda *a: pytest.fail("must not start"))

    with pytest.raises(CommandError) as refused:
        call_command("run", *args, stdout=StringIO())

    assert str(refused.value) == message
