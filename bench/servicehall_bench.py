"""The service hall's three bars: concurrent submissions, a whole case's
server time, and the public progress lookup.

    .venv/bin/python -m bench.servicehall_bench [--applicants 200] [--workers 4]
        [--spread 10] [--lifecycles 20] [--lookup-duration 20]
        [--lookup-connections 32] [--parts submit,lifecycle,lookup]
        [--database postgres://postgres@127.0.0.1:5432/egov_hall_bench]

Builds a throw-away installation on a freshly created PostgreSQL database
(migrate, `egov demo`), then:

1. Submissions. Twice `--applicants` citizens each get a draft of the same
   demo item with its form filled and its required materials uploaded, and a
   signed-in session. Gunicorn (sync workers) serves the public face. In the
   burst, every applicant of the first group presses 提交 at the same instant
   and again (a double click: two requests at once from one session). In the
   steady part, the applicants of the second group work at the same time and
   each presses 提交 once at a random moment within `--spread` seconds. The
   workers are warmed up first (their first requests load templates and
   URL resolvers).
   Afterwards the database is counted: every applicant must have exactly one
   submitted case (zero lost, zero duplicated), and no answer may be a 5xx.
   Bar: submit p95 under 300 ms.
2. Lifecycle. `--lifecycles` fresh drafts go through submit, accept, the
   item's two approval steps, the decision 准予 with its licence, and the
   applicant's rating, by calling the actions in this process: the server
   time of one case is the sum of those calls (after one uncounted case that
   warms up imports and caches). Bar: under 1 second.
3. Lookup. wrk posts the public lookup form (case number + lookup code) with
   `--lookup-connections` connections for `--lookup-duration` seconds.
   Bar: p95 under 30 ms. For scale, the same load then asks for the health
   check (GET /healthz: a few bytes of JSON through the whole middleware
   stack), the floor of any answer from these workers on this machine.

Needs wrk (`apt-get install -y wrk`) and Linux (/proc).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench.pages_bench import (
    LUA,
    ROOT,
    VENV_BIN,
    _drop_postgres,
    _env,
    _form_token,
    _free_port,
    _fresh_postgres,
    _run,
    _wait_until_up,
    _wrk,
)

SUBMIT_BAR_MS = 300.0
LIFECYCLE_BAR_MS = 1000.0
LOOKUP_BAR_MS = 30.0

LOOKUP_LUA_BODY = r"""
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def _pct(values, q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- preparing the applicants (in this process, on the same database) --------


def _id_number(serial: int) -> str:
    from egov.core.validators import id_number_check_char

    month, day, order = serial // 1000 % 12 + 1, serial % 28 + 1, serial % 1000
    body = f"1399211990{month:02d}{day:02d}{order:03d}"
    return body + id_number_check_char(body)


def _phone(serial: int) -> str:
    return f"137{serial:08d}"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data))
            + body
            + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _sample_value(component: dict):
    kind = component.get("type")
    validate = component.get("validate") or {}
    values = [o.get("value") for o in component.get("values") or []]
    if kind in ("select", "radio") and values:
        return values[0]
    if kind in ("checklist", "taglist") and values:
        return values[:1]
    if kind == "checkbox":
        return True
    if kind == "number":
        return validate.get("min") or 1
    if kind == "datetime":
        return "2026-12-01"
    if kind == "textarea":
        return "申请事项说明"
    return "示例内容"


def _form_data(schema: dict) -> dict:
    data = {}

    def walk(components):
        for component in components or []:
            if component.get("key") and component.get("type") not in (
                "text",
                "button",
                "image",
                "spacer",
                "separator",
            ):
                data[component["key"]] = _sample_value(component)
            walk(component.get("components"))

    walk((schema or {}).get("components"))
    return data


def _pick_version():
    """A published item for individuals with a process, preferring one that
    issues a licence."""
    from egov.servicehall.models import ServiceItemVersion

    version = (
        ServiceItemVersion.objects.filter(
            status=ServiceItemVersion.Status.PUBLISHED,
            for_individuals=True,
            online=True,
        )
        .exclude(process_key="")
        .order_by("-issues_licence", "item__code")
        .first()
    )
    if version is None:
        sys.exit("the demo has no published item for individuals with a process")
    return version


def _citizen(serial: int):
    from egov.identity.models import User

    user = User(
        username=f"hallbench{serial:05d}",
        kind=User.Kind.CITIZEN,
        real_name=f"申请人{serial:05d}",
    )
    user.id_number = _id_number(serial)
    user.phone = _phone(serial)
    user.set_unusable_password()
    user.save()
    return user


def _draft(user, version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.servicehall import apply_actions, apply_queries

    case = apply_actions.create_draft(
        actor=user, item_code=version.item.code, client_token=uuid.uuid4()
    )
    form = apply_queries.application_form(case)
    data = _form_data(form.schema if form is not None else {})
    applicant = {
        "applicant_name": user.real_name,
        "applicant_id_number": user.id_number,
        "contact_name": user.real_name,
        "contact_phone": user.phone,
        "contact_email": "",
    }
    case = apply_actions.save_draft(
        actor=user, case=case, form_data=data, applicant=applicant
    )
    for requirement in apply_queries.applicable_materials(case):
        if requirement.is_required:
            apply_actions.upload_material(
                actor=user,
                case=case,
                requirement=requirement,
                upload=SimpleUploadedFile("材料.png", _png(), content_type="image/png"),
            )
    return case, applicant, data


def _session_cookie(user) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
    }


def _prepare_applicants(count: int, first: int, version) -> list[dict]:
    people = []
    for serial in range(first, first + count):
        user = _citizen(serial)
        case, applicant, data = _draft(user, version)
        people.append(
            {
                "user_id": user.pk,
                "token": str(case.client_token),
                "cookies": _session_cookie(user),
                "fields": {
                    **applicant,
                    "form_data": json.dumps(data, ensure_ascii=False),
                },
            }
        )
    return people


# --- the HTTP part -------------------------------------------------------------


def _browser(base: str, person: dict) -> tuple[requests.Session, str]:
    """An applicant's browser on their draft page; returns it and the form's
    CSRF token."""
    browser = requests.Session()
    browser.cookies.update(person["cookies"])
    page = browser.get(f"{base}/hall/my/drafts/{person['token']}/", timeout=30)
    if page.status_code != 200:
        sys.exit(f"the draft page answered {page.status_code}")
    return browser, _form_token(page.text)


def _submit(base, browser, token, person, results, lock) -> None:
    body = {**person["fields"], "csrfmiddlewaretoken": token, "action": "submit"}
    started = time.perf_counter()
    try:
        answer = browser.post(
            f"{base}/hall/my/drafts/{person['token']}/",
            body,
            allow_redirects=False,
            timeout=60,
        )
        status = answer.status_code
    except requests.RequestException:
        status = 0
    elapsed = (time.perf_counter() - started) * 1000
    with lock:
        results.append((status, elapsed))


def _burst(base: str, people: list[dict]) -> list[tuple[int, float]]:
    """Everybody presses 提交 twice at the same moment."""
    prepared = [(_browser(base, person), person) for person in people]
    results, lock = [], threading.Lock()
    barrier = threading.Barrier(2 * len(prepared))

    def press(browser, token, person):
        barrier.wait()
        _submit(base, browser, token, person, results, lock)

    threads = [
        threading.Thread(target=press, args=(browser, token, person))
        for (browser, token), person in prepared
        for _click in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _steady(base: str, people: list[dict], spread: float) -> list[tuple[int, float]]:
    """Each applicant presses 提交 once at a random moment within `spread` s:
    people working at the same time, each submitting when they are done (the
    moments are drawn once, seeded, so runs compare)."""
    import random

    prepared = [(_browser(base, person), person) for person in people]
    results, lock = [], threading.Lock()
    start = time.perf_counter() + 0.5
    draw = random.Random(2026)
    moments = sorted(draw.uniform(0, spread) for _ in prepared)

    def press(moment, browser, token, person):
        delay = start + moment - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        _submit(base, browser, token, person, results, lock)

    threads = [
        threading.Thread(target=press, args=(moment, browser, token, person))
        for moment, ((browser, token), person) in zip(moments, prepared, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _warm_up(base: str, workers: int) -> None:
    """Every worker answers its first requests slowly (imports, URL
    resolvers, templates); a server in service is past that. Ask for the
    hall's pages from many connections at once until each worker has had
    a few."""

    def ask():
        for path in ("/hall/", "/hall/lookup/", "/login/"):
            requests.get(f"{base}{path}", timeout=60)

    threads = [threading.Thread(target=ask) for _ in range(workers * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _count(people: list[dict]) -> dict:
    from django.db.models import Count

    from egov.servicehall.models import Case

    ids = [person["user_id"] for person in people]
    rows = (
        Case.objects.filter(applicant_id__in=ids)
        .exclude(state=Case.State.DRAFT)
        .values("applicant_id")
        .annotate(n=Count("id"))
    )
    per = {row["applicant_id"]: row["n"] for row in rows}
    numbers = list(
        Case.objects.filter(applicant_id__in=ids)
        .exclude(number=None)
        .values_list("number", flat=True)
    )
    return {
        "cases": sum(per.values()),
        "lost": sum(1 for pk in ids if per.get(pk, 0) == 0),
        "duplicated": sum(n - 1 for n in per.values() if n > 1),
        "numbers_unique": len(numbers) == len(set(numbers)),
    }


# --- one case's whole life, in this process --------------------------------------


def _holder(task):
    from egov.workflow.assignment import post_holders, role_members

    if task.assignee_id:
        return task.assignee
    from egov.identity.models import User

    for candidate in task.candidates.all():
        if candidate.user_id:
            return candidate.user
        if candidate.post_id:
            ids = post_holders([candidate.post_id])
        elif candidate.role_id:
            ids = role_members(candidate.role_id, candidate.organization_id)
        else:
            ids = []
        if ids:
            return User.objects.get(pk=ids[0])
    sys.exit(f"nobody can act on task {task.pk} ({task.node_name})")


def _clerk_for(case):
    from egov.identity.models import User
    from egov.servicehall.permissions import case_policy

    for user in User.objects.filter(kind=User.Kind.STAFF, is_active=True):
        if case_policy.can(user, "accept_case", case):
            return user
    sys.exit("no demo staff member may accept the case")


def _decider_for(case):
    from egov.identity.models import User
    from egov.servicehall.permissions import case_policy

    for user in User.objects.filter(kind=User.Kind.STAFF, is_active=True):
        if case_policy.can(user, "decide_case", case):
            return user
    sys.exit("no demo staff member may decide the case")


def _lifecycle(version, serial: int) -> dict[str, float]:
    from egov.servicehall import apply_actions, case_actions
    from egov.servicehall.models import Case
    from egov.supervision.rating_actions import rate_case
    from egov.workflow import actions as wf
    from egov.workflow.models import Task

    user = _citizen(serial)
    draft, _applicant, _data = _draft(user, version)
    times: dict[str, float] = {}

    def timed(name, call):
        started = time.perf_counter()
        result = call()
        times[name] = times.get(name, 0.0) + (time.perf_counter() - started) * 1000
        return result

    case = timed("submit", lambda: apply_actions.submit_case(actor=user, case=draft))
    clerk = _clerk_for(case)
    case = timed("accept", lambda: case_actions.accept_case(actor=clerk, case=case))
    steps = 0
    while True:
        task = (
            Task.objects.filter(
                instance_id=case.process_instance_id, state__in=Task.OPEN_STATES
            )
            .order_by("id")
            .first()
        )
        if task is None:
            break
        holder = _holder(task)

        def act(task=task, holder=holder):
            if task.assignee_id is None:
                task = wf.claim_task(actor=holder, task=task)
            wf.complete_task(actor=holder, task=task, outcome="approve", opinion="同意")

        timed("approval steps", act)
        steps += 1
    case = Case.objects.get(pk=case.pk)
    decider = _decider_for(case)
    case = timed(
        "decide (+ licence)",
        lambda: case_actions.decide_case(
            actor=decider, case=case, decision="approve", reasons="符合法定条件"
        ),
    )
    timed("rate", lambda: rate_case(actor=user, case=case, level=5))
    times["steps"] = steps
    return times


def _lookup(base: str, sample: dict, args, server, var_dir: Path) -> dict:
    import urllib.parse

    browser = requests.Session()
    page = browser.get(f"{base}/hall/lookup/", timeout=10)
    token = _form_token(page.text)
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "number": sample["number"],
            "code": sample["code"],
        }
    )
    answer = browser.post(
        f"{base}/hall/lookup/",
        body,
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if answer.status_code != 200 or sample["item"] not in answer.text:
        sys.exit(f"the lookup did not find the case: {answer.status_code}")
    script = var_dir / "lookup.lua"
    script.write_text(LOOKUP_LUA_BODY.replace("{body}", body) + LUA)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    headers = [f"Cookie: {cookie}", f"Referer: {base}/hall/lookup/"]
    wrk_args = argparse.Namespace(
        wrk_threads=2,
        connections=args.lookup_connections,
        duration=args.lookup_duration,
    )
    warm = argparse.Namespace(**{**vars(wrk_args), "duration": 2})
    _wrk(f"{base}/hall/lookup/", warm, script, headers, server)
    result = _wrk(f"{base}/hall/lookup/", wrk_args, script, headers, server)
    # The floor under the same load: the platform's cheapest answer (the
    # health check, a few bytes of JSON through the whole middleware stack).
    plain = var_dir / "plain.lua"
    plain.write_text(LUA)
    _wrk(f"{base}/healthz", warm, plain, [], server)
    result["floor"] = _wrk(f"{base}/healthz", wrk_args, plain, [], server)
    return result


def _latency_row(name: str, results: list[tuple[int, float]]) -> str:
    times = [ms for _status, ms in results]
    bad = sum(1 for status, _ms in results if status >= 500 or status == 0)
    ok = sum(1 for status, _ms in results if status in (302, 303))
    p95 = _pct(times, 95)
    meets = "yes" if p95 < SUBMIT_BAR_MS and not bad else "NO"
    return (
        f"| {name} | {len(results)} | {ok} | {bad} | {_pct(times, 50):.0f} | "
        f"{p95:.0f} | {max(times):.0f} | {meets} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--lifecycles", type=int, default=20)
    parser.add_argument("--lookup-duration", type=int, default=20)
    parser.add_argument("--lookup-connections", type=int, default=32)
    parser.add_argument(
        "--parts",
        default="submit,lifecycle,lookup",
        help="which parts to run (comma-separated)",
    )
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/egov_hall_bench"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    var_dir = Path(tempfile.mkdtemp(prefix="egov-hall-bench-"))
    (var_dir / "staticfiles").mkdir()
    _fresh_postgres(args.database)
    env = _env(var_dir, args.database)
    server = None
    try:
        egov = str(VENV_BIN / "egov")
        _run([egov, "migrate", "--noinput"], env)
        _run([egov, "demo"], env)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS.append("testserver")

        version = _pick_version()
        print(f"item: {version.name} ({version.item.code})", flush=True)
        started = time.perf_counter()
        if "submit" in parts:
            burst_people = _prepare_applicants(args.applicants, 1, version)
            steady_people = _prepare_applicants(
                args.applicants, args.applicants + 1, version
            )
            print(
                f"prepared {2 * args.applicants} drafts in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        from django.db import connections

        connections.close_all()

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(args.workers),
                "--backlog",
                "2048",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_until_up(base, server)
        _warm_up(base, args.workers)
        if "submit" in parts:
            load_before = os.getloadavg()[0]
            burst = _burst(base, burst_people)
            burst_count = _count(burst_people)
            steady = _steady(base, steady_people, args.spread)
            steady_count = _count(steady_people)
            load_submit = max(load_before, os.getloadavg()[0])

        if "lifecycle" in parts:
            # One uncounted case first: imports, templates and the process
            # cache warm up once per server process, not once per case.
            _lifecycle(version, 9_999)
            lifecycles = [
                _lifecycle(version, 10_000 + n) for n in range(args.lifecycles)
            ]
        from egov.servicehall.models import Case

        case = (
            Case.objects.filter(state=Case.State.ACCEPTED)
            .select_related("item_version")
            .order_by("id")
            .first()
        )
        connections.close_all()
        # An accepted case with a few timeline lines and a deadline to show.
        sample = {
            "number": case.number,
            "code": case.lookup_code,
            "item": case.item_version.name,
        }
        if "lookup" in parts:
            lookup = _lookup(base, sample, args, server, var_dir)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)
        _drop_postgres(args.database)

    if "submit" in parts:
        _report_submissions(args, burst, burst_count, steady, steady_count, load_submit)
    if "lifecycle" in parts:
        _report_lifecycle(lifecycles)
    if "lookup" in parts:
        _report_lookup(args, lookup)


def _report_submissions(args, burst, burst_count, steady, steady_count, load):
    print(
        f"\nPostgreSQL, gunicorn {args.workers} sync workers, "
        f"{args.applicants} applicants per part, load average up to "
        f"{load:.1f} while submitting\n"
    )
    print(
        "| submissions | requests | redirected to the case | 5xx or failed "
        "| p50 ms | p95 ms | max ms | p95 < 300 ms, no 5xx |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    print(_latency_row("burst: all at once, each clicked twice", burst))
    print(
        _latency_row(
            f"steady: once each, at random moments within {args.spread:.0f} s",
            steady,
        )
    )
    for name, count in (("burst", burst_count), ("steady", steady_count)):
        print(
            f"\n{name}: {count['cases']} cases for {args.applicants} applicants, "
            f"lost {count['lost']}, duplicated {count['duplicated']}, "
            f"numbers unique: {count['numbers_unique']}"
        )


def _report_lifecycle(lifecycles):
    totals = [sum(v for k, v in t.items() if k != "steps") for t in lifecycles]
    names = [k for k in lifecycles[0] if k != "steps"]
    print(
        f"\nLifecycle, {len(lifecycles)} cases, {lifecycles[0]['steps']} approval steps"
    )
    print("| part | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name in names:
        values = [t[name] for t in lifecycles]
        print(
            f"| {name} | {_pct(values, 50):.1f} | {_pct(values, 95):.1f} | "
            f"{max(values):.1f} |"
        )
    meets = "yes" if max(totals) < LIFECYCLE_BAR_MS else "NO"
    print(
        f"| **whole case** | {_pct(totals, 50):.1f} | {_pct(totals, 95):.1f} | "
        f"{max(totals):.1f} | (bar 1,000 ms: {meets})"
    )


def _report_lookup(args, lookup):
    meets = (
        "yes" if lookup["p95"] / 1000 < LOOKUP_BAR_MS and not lookup["non200"] else "NO"
    )
    print(
        f"\nLookup, {args.lookup_connections} connections, {args.lookup_duration} s: "
        f"p50 {lookup['p50'] / 1000:.1f} ms, p95 {lookup['p95'] / 1000:.1f} ms, "
        f"p99 {lookup['p99'] / 1000:.1f} ms, {lookup['rps']:.0f} req/s, "
        f"non-200 {lookup['non200'] + lookup['socket_errors']}, worker CPU "
        f"{lookup['cpu_ms']:.1f} ms/req, load {lookup['load']:.1f} "
        f"(bar 30 ms: {meets})"
    )
    floor = lookup["floor"]
    print(
        f"Floor, GET /healthz with the same connections: "
        f"p50 {floor['p50'] / 1000:.1f} ms, p95 {floor['p95'] / 1000:.1f} ms, "
        f"p99 {floor['p99'] / 1000:.1f} ms, {floor['rps']:.0f} req/s, worker CPU "
        f"{floor['cpu_ms']:.1f} ms/req, load {floor['load']:.1f}"
    )


if __name__ == "__main__":
    main()
