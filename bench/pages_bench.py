"""The sign-in page and the workbench under gunicorn, 16 concurrent clients.

    .venv/bin/python -m bench.pages_bench [--duration 20] [--connections 16]
        [--workers 2] [--worker-class sync] [--worker-threads 1] [--wrk-threads 2]
        [--database postgres://postgres@127.0.0.1:5432/egov_pages]

Builds a throw-away installation (a migrated SQLite file under a temporary
directory by default, or a freshly created PostgreSQL database), loads the demo
county (`egov demo`), gives the demo window clerk 李四 an authenticator app,
starts gunicorn (sync workers) on 127.0.0.1, and signs in the way a browser does:
password, then the TOTP code, keeping the session cookie. Then wrk hammers each
page for `--duration` seconds with `--connections` connections:

- GET /login/ (anonymous: the sign-in form with its CSRF token)
- GET /staff/ (signed in, second factor verified: the workbench and its menu)

A small Lua script gives p50/p95/p99 (wrk --latency prints no p95) and counts
answers other than 200, so a page that quietly redirected would show. The CPU
time the workers spent per request (from /proc) is printed too: unlike latency it
does not depend on what else the machine is doing, and the one-minute load
average during the run says how busy that was. The bar: p95 under 100 ms for
both pages. Needs wrk (`apt-get install -y wrk`) and Linux (/proc).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STAFF = "lisi"
BAR_MS = 100.0

LUA = r"""
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) other = 0 end
response = function(status, headers, body)
  if status ~= 200 then other = other + 1 end
end
done = function(summary, latency, requests)
  local other_total = 0
  for _, thread in ipairs(threads) do
    other_total = other_total + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT p50=%d p95=%d p99=%d max=%d requests=%d duration_us=%d"
      .. " non200=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.requests, summary.duration, other_total,
    e.connect + e.read + e.write + e.timeout))
end
"""

PASSWORD = "Bench#2026pages"
ADD_AUTHENTICATOR = """
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from egov.identity.models import User
user = User.objects.get(username={username!r})
user.set_password({password!r})
user.password_changed_at = timezone.now()
user.save()
TOTPDevice.objects.filter(user=user).delete()
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
print("KEY", device.key)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(var_dir: Path, database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EGOV_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "EGOV_DEBUG": "0",
        "EGOV_ALLOWED_HOSTS": "127.0.0.1",
        "EGOV_STAFF_2FA_REQUIRED": "1",
        "EGOV_DEMO_RELAX_2FA": "0",
        "EGOV_LOG_LEVEL": "WARNING",
    }


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _fresh_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"database name must be [a-z0-9_]+: {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def _drop_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {parts.path.lstrip('/')} WITH (FORCE)")


def _prepare(env: dict) -> tuple[str, str]:
    """Migrate, load the demo county, give 李四 a known password and an
    authenticator app; returns (password, TOTP key)."""
    egov = str(VENV_BIN / "egov")
    _run([egov, "migrate", "--noinput"], env)
    _run([egov, "demo"], env)
    script = ADD_AUTHENTICATOR.format(username=STAFF, password=PASSWORD)
    out = _run([egov, "shell", "-c", script], env)
    key = re.search(r"KEY ([0-9a-f]+)", out).group(1)
    return PASSWORD, key


def _totp(key_hex: str, offset_steps: int = 0) -> str:
    import hashlib
    import hmac
    import struct

    counter = int(time.time() // 30) + offset_steps
    digest = hmac.new(
        bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _sign_in(base: str, password: str, key: str) -> str:
    """Sign 李四 in like a browser; returns the Cookie header for the workbench."""
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=10).text
    answer = browser.post(
        f"{base}/login/",
        {
            "csrfmiddlewaretoken": _form_token(page),
            "identifier": STAFF,
            "password": password,
        },
        allow_redirects=False,
        timeout=10,
    )
    if answer.headers.get("Location") != "/login/verify/":
        sys.exit(f"sign-in with the password failed: {answer.status_code}")
    page = browser.get(f"{base}/login/verify/", timeout=10).text
    answer = browser.post(
        f"{base}/login/verify/",
        {"csrfmiddlewaretoken": _form_token(page), "code": _totp(key)},
        allow_redirects=False,
        timeout=10,
    )
    if answer.headers.get("Location") != "/staff/":
        sys.exit(f"the second step failed: {answer.status_code}")
    answer = browser.get(f"{base}/staff/", allow_redirects=False, timeout=10)
    if answer.status_code != 200 or "我的工作台" not in answer.text:
        sys.exit(f"the workbench did not open: {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer within 30 s")


def _worker_cpu_ms(server: subprocess.Popen) -> float:
    """CPU time (user + system) the gunicorn workers have used so far."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    ticks = 0
    for pid in children.split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def _wrk(url: str, args, script: Path, headers: list[str], server) -> dict:
    command = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for header in headers:
        command += ["-H", header]
    cpu_before = _worker_cpu_ms(server)
    load_before = os.getloadavg()[0]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    cpu = _worker_cpu_ms(server) - cpu_before
    load = max(load_before, os.getloadavg()[0])
    fields = dict(re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[1]))
    result = {k: int(v) for k, v in fields.items()}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms"] = cpu / max(result["requests"], 1)
    result["load"] = load
    return result


def _ms(us: int) -> str:
    return f"{us / 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gunicorn worker class (sync, as deployed behind nginx; or gthread)",
    )
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (gthread)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run gunicorn and wrk at this niceness (negative needs root): on a "
        "shared machine, -10 gives them the CPU they would have on their own",
    )
    parser.add_argument(
        "--database",
        default="",
        help="a PostgreSQL URL to create afresh and use (default: SQLite)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    if args.nice:
        os.nice(args.nice)  # inherited by gunicorn and wrk

    var_dir = Path(tempfile.mkdtemp(prefix="egov-pages-bench-"))
    (var_dir / "staticfiles").mkdir()
    database_url = args.database or f"sqlite:///{var_dir / 'egov.sqlite3'}"
    if args.database:
        _fresh_postgres(args.database)
    env = _env(var_dir, database_url)
    server = None
    try:
        password, key = _prepare(env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(args.workers),
                "--worker-class",
                args.worker_class,
                "--threads",
                str(args.worker_threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_until_up(base, server)
        cookie = _sign_in(base, password, key)
        script = var_dir / "percentiles.lua"
        script.write_text(LUA)
        # One short warm-up per page so that both workers have loaded templates.
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        rows = []
        for name, path, headers in [
            ("sign-in page GET /login/", "/login/", []),
            ("workbench GET /staff/", "/staff/", [f"Cookie: {cookie}"]),
        ]:
            _wrk(base + path, warm, script, headers, server)
            rows.append((name, _wrk(base + path, args, script, headers, server)))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
        if args.database:
            _drop_postgres(args.database)

    engine = "PostgreSQL" if args.database else "SQLite"
    print(
        f"\n{engine}, gunicorn {args.workers} {args.worker_class} workers "
        f"({args.worker_threads} thread each), wrk {args.wrk_threads} "
        f"threads, {args.connections} connections, {args.duration} s per page, "
        f"nice {os.nice(0)}\n"
    )
    print(
        "| page | p50 ms | p95 ms | p99 ms | max ms | req/s | non-200 "
        "| worker CPU ms/req | load avg | p95 < 100 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in rows:
        ok = "yes" if r["p95"] / 1000 < BAR_MS and not r["non200"] else "NO"
        print(
            f"| {name} | {_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['p99'])} | "
            f"{_ms(r['max'])} | {r['rps']:.0f} | {r['non200'] + r['socket_errors']} "
            f"| {r['cpu_ms']:.1f} | {r['load']:.1f} | {ok} |"
        )


if __name__ == "__main__":
    main()
