"""好差评 demo data for `egov demo`: the service hall's numbered windows (from
the demo items' 办理窗口, and the centre's own 综合受理窗口), two of them with a
window clerk on duty, and ratings of the demo cases that have concluded, so the
reports and the 整改工单 list are not empty.

Idempotent: windows are found by code (whoever is on duty is set only when a
window is created, so changes made on the pages survive a reload), and rated
cases are skipped.
"""

import re
from collections import Counter

from egov.identity.models import Organization, User
from egov.supervision.models import ServiceRating, ServiceWindow

WINDOW_RE = re.compile(r"^(\d+)号窗口（([^）]+)）")

# (level, tags, comment) given in turn to the concluded demo cases.
DEMO_RATINGS = [
    (5, ["办事效率高", "一次办成"], "网上提交后很快就办好了。"),
    (4, ["服务态度好"], ""),
    (5, ["材料要求清楚"], ""),
    (3, ["等候时间较长"], "窗口排队时间有点长。"),
    (2, ["多次跑腿", "材料要求不清"], "材料清单和窗口说的不一样，跑了两次。"),
]


# The centre's own window, where its clerk takes applications for every
# department (一窗受理).
CENTRE_WINDOWS = [("hall-02", "2号窗口（综合受理窗口）", "139921-120")]

# Who is on duty when the demo starts: window code -> username.
ON_DUTY = {"hall-01": "liuyang", "hall-02": "lisi"}


def demo_windows() -> list[tuple[str, str, str]]:
    """(code, name, organization code) of the windows the demo items name,
    and the centre's own."""
    from egov.servicehall.demo import ITEMS

    windows = {}
    for spec in ITEMS:
        match = WINDOW_RE.match(spec.window)
        if match is None:
            continue
        number, purpose = match.groups()
        code = f"hall-{int(number):02d}"
        windows.setdefault(
            code, (code, f"{number}号窗口（{purpose}）", spec.organization)
        )
    for code, name, organization in CENTRE_WINDOWS:
        windows.setdefault(code, (code, name, organization))
    return sorted(windows.values())


def _load_windows(created: Counter) -> None:
    specs = demo_windows()
    existing = set(
        ServiceWindow.objects.filter(code__in=[s[0] for s in specs]).values_list(
            "code", flat=True
        )
    )
    organizations = {
        org.code: org
        for org in Organization.objects.filter(code__in={s[2] for s in specs})
    }
    staff = {
        user.username: user
        for user in User.objects.filter(
            username__in=ON_DUTY.values(), kind=User.Kind.STAFF, is_active=True
        )
    }
    for code, name, org_code in specs:
        if code in existing or org_code not in organizations:
            continue
        ServiceWindow.objects.create(
            code=code,
            name=name,
            organization=organizations[org_code],
            staff=staff.get(ON_DUTY.get(code, "")),
        )
        created["windows"] += 1


def _load_ratings(created: Counter) -> None:
    from egov.servicehall.models import Case
    from egov.supervision.rating_actions import rate_case

    rated = ServiceRating.objects.filter(case__isnull=False).values("case_id")
    cases = (
        Case.objects.filter(state__in=Case.CONCLUDED, applicant__isnull=False)
        .exclude(state=Case.State.WITHDRAWN)
        .exclude(pk__in=rated)
        .select_related("applicant")
        .order_by("concluded_at", "id")
    )
    for index, case in enumerate(cases):
        level, tags, comment = DEMO_RATINGS[index % len(DEMO_RATINGS)]
        rate_case(
            actor=case.applicant, case=case, level=level, comment=comment, tags=tags
        )
        created["ratings"] += 1


def load() -> dict[str, int]:
    """The `egov demo` hook (egov.core.management.commands.demo)."""
    created: Counter = Counter()
    _load_windows(created)
    _load_ratings(created)
    return dict(created)
