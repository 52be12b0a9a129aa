"""`egov demo` fills the hall with three dozen cases in every state, made by
the real actions of the demo's applicants and staff, dated over the past
weeks; loading again makes nothing."""

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from egov.core.management.commands.demo import load_demo
from egov.core.models import ClockStop
from egov.core.validators import validate_id_number, validate_uscc
from egov.datahub.licence_queries import verify
from egov.datahub.models import ELicense
from egov.identity.models import User
from egov.servicehall import case_common, demo_cases
from egov.servicehall.models import (
    Case,
    CaseEvent,
    CaseInstrument,
    CorrectionRequest,
    ExtensionRequest,
)
from egov.supervision.models import Rectification, ServiceRating
from egov.workflow.models import Notification, Task

SHANGHAI = ZoneInfo("Asia/Shanghai")

EXPECTED_STATES = {
    "approved": 10,
    "accepted": 10,
    "submitted": 4,
    "draft": 3,
    "correction": 2,
    "refused": 2,
    "denied": 2,
    "withdrawn": 2,
    "suspended": 1,
}


def _case(key: str) -> Case:
    return Case.objects.get(client_token=demo_cases.token(_story(key)))


def _story(key: str):
    return next(s for s in demo_cases.STORIES if s.key == key)


def _open_nodes(case: Case) -> list[str]:
    return sorted(
        Task.objects.filter(
            instance_id=case.process_instance_id, state__in=Task.OPEN_STATES
        ).values_list("node_id", flat=True)
    )


@pytest.fixture
def loaded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        created = load_demo()
    return created, callbacks


def test_the_demo_makes_three_dozen_cases_in_every_state_of_the_hall(loaded):
    created, _callbacks = loaded

    assert created["servicehall.cases"] == len(demo_cases.STORIES) == 36
    assert dict(Counter(Case.objects.values_list("state", flat=True))) == (
        EXPECTED_STATES
    )
    assert dict(Counter(Case.objects.values_list("channel", flat=True))) == {
        "online": 18,
        "window": 18,
    }
    submitted = Case.objects.exclude(state=Case.State.DRAFT)
    for case in submitted:
        assert re.fullmatch(r"139921\d{13}", case.number), case.number
        assert len(case.lookup_code) == case_common.LOOKUP_LENGTH
    assert submitted.values("number").distinct().count() == 33
    assert not Case.objects.filter(state=Case.State.DRAFT, number__isnull=False)
    # Drafts: half filled in, with some of their materials.
    draft = _case("hygiene-draft-chenxiaohong")
    assert draft.materials.count() == 2
    assert draft.form_data["unit_name"] == "小红美发工作室"


def test_accepted_demo_cases_stand_at_each_step_of_their_processes(loaded):
    steps = {
        key: _open_nodes(_case(key))
        for key in [
            "food-weixiangyuan",
            "food-yuelai",
            "estate-chengtou",
            "estate-wangjianjun",
            "sole-zhaoli",
            "build-hengda",
            "plan-qingshan",
            "dibao-wangxiulan",
            "dibao-lixiuying",
            "birth-zhaoli",
        ]
    }

    assert steps == {
        "food-weixiangyuan": ["review"],
        "food-yuelai": ["review"],
        "estate-chengtou": ["review"],
        "estate-wangjianjun": ["leader"],
        "sole-zhaoli": ["review"],
        "build-hengda": ["drawing_review", "lead_review"],
        "plan-qingshan": ["leader"],
        "dibao-wangxiulan": ["county_review"],
        "dibao-lixiuying": ["town_donghe"],
        "birth-zhaoli": ["review"],
    }
    # 最低生活保障: 城关镇 has checked 王秀兰's case, 民政局 approves next.
    town = Task.objects.get(
        instance_id=_case("dibao-wangxiulan").process_instance_id, state="completed"
    )
    assert (town.node_name, town.completed_by.username) == ("城关镇审核", "songjia")
    joint = _case("build-hengda")
    done = Task.objects.get(instance_id=joint.process_instance_id, state="completed")
    assert (done.node_id, done.completed_by.username) == ("planning_review", "guoting")
    # 延期: asked by the approver who reviewed, granted by 孙七, with notice.
    extended = _case("plan-qingshan")
    request = ExtensionRequest.objects.get(case=extended)
    assert (request.state, request.amount) == ("approved", 10)
    assert request.requested_by.username == "guoting"
    assert request.decided_by.username == "sunqi"
    assert extended.instruments.filter(kind=CaseInstrument.Kind.EXTENSION).count() == 1
    assert case_common.deadline(extended)["statutory"].total == 30
    # 中止 for expert review: both clocks stopped, the process suspended.
    suspended = _case("plan-chengtou")
    stops = ClockStop.objects.filter(
        ended_at=None,
        subject__in=[
            case_common.statutory_subject(suspended),
            case_common.promised_subject(suspended),
        ],
    )
    assert [s.kind for s in stops] == ["expert_review", "expert_review"]
    assert suspended.process_instance.state == "suspended"


def test_the_demo_leaves_the_new_approvers_work_in_their_workbench(loaded):
    from egov.workflow.queries import done_for, todo_for

    def todo(username):
        return sorted(
            t.instance.business_key
            for t in todo_for(User.objects.get(username=username))
        )

    def done(username):
        return sorted(
            t.node_name for t in done_for(User.objects.get(username=username))
        )

    assert todo("xiexiaoyan") == [_case("dibao-lixiuying").number]
    assert todo("caoying") == [_case("birth-zhaoli").number]
    assert todo("fengjianping") == todo("tanghui") == [_case("dibao-wangxiulan").number]
    assert done("songjia") == ["城关镇审核", "城关镇审核"]
    assert done("yuanzhiyong") == ["西山乡审核"]
    assert done("fengjianping") == ["县民政局审批", "县民政局审批"]
    assert done("jiangwei") == ["承办科室审核"]
    assert done("caoying") == ["承办科室审查", "承办科室审核"]
    # The township's 不同意 travels on with its reasons to the denial.
    denied = _case("dibao-sunzhiqiang")
    opinions = Task.objects.filter(instance_id=denied.process_instance_id)
    assert sorted(opinions.values_list("node_id", "outcome")) == [
        ("county_review", "reject"),
        ("town_xishan", "reject"),
    ]
    assert denied.state == Case.State.DENIED


def test_corrections_refusals_and_withdrawals_are_on_record(loaded):
    before = _case("hygiene-qingshan")
    after = _case("plan-hengda")
    resubmitted = _case("estate-hengda-2")

    assert before.accepted_at is None
    assert after.accepted_at is not None
    assert [
        len(c.items)
        for c in CorrectionRequest.objects.filter(
            case__in=[before, after], resolved_at=None
        ).order_by("case__submitted_at")
    ] == [2, 1]
    # Only the correction after acceptance stops the clock.
    assert case_common.deadline(after)["statutory"].paused is True
    assert case_common.deadline(before) == {}
    assert resubmitted.state == Case.State.SUBMITTED
    assert resubmitted.events.filter(kind=CaseEvent.Kind.RESUBMITTED).count() == 1
    assert resubmitted.corrections.get().resolved_at is not None
    for key in ["hygiene-chenxiaohong", "estate-chenxiaohong"]:
        refused = _case(key)
        assert refused.decision_reason == _story(key).say["refuse"]
        assert refused.instruments.filter(kind=CaseInstrument.Kind.REFUSAL).count() == 1
    withdrawn = Case.objects.filter(state=Case.State.WITHDRAWN)
    assert sorted(c.applicant.username for c in withdrawn) == [
        "chenxiaohong",
        "hengda",
    ]


def test_demo_licences_verify_and_the_revoked_one_says_so(loaded):
    licences = ELicense.objects.select_related("case")

    statuses = {lic.case.client_token: verify(lic.code).status for lic in licences}

    revoked = _case("estate-zhoumin")
    assert len(statuses) == 8
    assert statuses.pop(revoked.client_token) == "revoked"
    assert set(statuses.values()) == {"valid"}
    approved = Case.objects.filter(
        state=Case.State.APPROVED, item_version__issues_licence=True
    )
    assert approved.count() == 8
    assert set(licences.values_list("case_id", flat=True)) == set(
        approved.values_list("pk", flat=True)
    )


def test_demo_ratings_include_an_open_and_a_rectified_unsatisfied_one(loaded):
    levels = Counter(ServiceRating.objects.values_list("level", flat=True))

    assert dict(levels) == {5: 2, 4: 2, 3: 1, 2: 2}
    for rating in ServiceRating.objects.select_related("case"):
        assert rating.rater_id == rating.case.applicant_id
    open_one = Rectification.objects.get(state=Rectification.State.OPEN)
    assert open_one.rating.case == _case("food-qingshan")
    assert open_one.organization.code == "139921-104"
    closed = Rectification.objects.get(state=Rectification.State.CLOSED)
    assert closed.rating.case == _case("sole-chenxiaohong")
    assert closed.replied_by.username == "yangfan"
    assert closed.reply.startswith("您好，感谢您的反馈")
    assert closed.callbacks.count() == 1
    assert (
        Notification.objects.filter(
            user__username="chenxiaohong", title__contains="已答复您的评价"
        ).count()
        == 1
    )


def test_demo_cases_are_handled_by_the_staff_who_may_and_dated_weeks_back(loaded):
    _created, callbacks = loaded
    now = timezone.now()

    accepted = Case.objects.exclude(accepted_at=None)
    assert set(accepted.values_list("accepted_by__username", flat=True)) == {"lisi"}
    deciders = CaseEvent.objects.filter(kind__in=["approved", "denied"])
    # County leaders decide, except 民政局's benefits, which its head decides.
    assert set(
        deciders.exclude(case__organization__code="139921-109").values_list(
            "actor__username", flat=True
        )
    ) == {"sunqi"}
    assert set(
        deciders.filter(case__organization__code="139921-109").values_list(
            "actor__username", flat=True
        )
    ) == {"fengjianping"}
    workers = set(
        Task.objects.filter(state="completed").values_list(
            "node_id", "completed_by__username"
        )
    )
    assert workers == {
        ("review", "wangwu"),
        ("review", "yangfan"),
        ("review", "guoting"),
        ("review", "caoying"),
        ("review", "jiangwei"),
        ("planning_review", "guoting"),
        ("drawing_review", "yangfan"),
        ("lead_review", "machao"),
        ("town_chengguan", "songjia"),
        ("town_xishan", "yuanzhiyong"),
        ("county_review", "fengjianping"),
        ("leader", "sunqi"),
    }
    # Every concluded case of an item with a process went through it.
    concluded = Case.objects.filter(state__in=["approved", "denied"])
    assert not concluded.filter(process_instance=None).exists()
    assert not concluded.exclude(process_instance__state="completed").exists()
    oldest = Case.objects.exclude(submitted_at=None).order_by("submitted_at").first()
    assert now - oldest.submitted_at > timedelta(days=30)
    assert not Case.objects.filter(submitted_at__gt=now).exists()
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    # The window works office hours on weekdays (bar the last day, which
    # may bump into the present).
    for event in CaseEvent.objects.filter(
        actor__username="lisi", at__lt=now - timedelta(days=1)
    ):
        local = event.at.astimezone(SHANGHAI)
        assert 9 <= local.hour < 17 and local.weekday() < 5, local
    running = Case.objects.filter(state=Case.State.ACCEPTED)
    remaining = [
        d["promised"].remaining_workdays
        for d in case_common.deadlines(running).values()
    ]
    assert min(remaining) < 0
    assert max(remaining) > 0
    # No texts or e-mails to the demo's phone numbers; the site messages stay.
    assert not [c for c in callbacks if c.__module__ in demo_cases.DELIVERY_MODULES]
    assert Notification.objects.filter(user__username="chenxiaohong").count() > 10


def test_demo_applicants_are_three_accounts_and_people_at_the_window(loaded):
    accounts = Counter(
        Case.objects.exclude(applicant=None).values_list(
            "applicant__username", flat=True
        )
    )

    assert dict(accounts) == {"chenxiaohong": 8, "qingshan": 5, "hengda": 5}
    assert not Case.objects.filter(applicant__username__in=["zhangsan", "liujianguo"])
    for case in Case.objects.filter(applicant=None):
        assert case.channel == Case.Channel.WINDOW
        assert case.entered_by.username == "lisi"
        if case.applicant_kind == "entity":
            validate_uscc(case.applicant_id_number)
        else:
            validate_id_number(case.applicant_id_number)
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 3


def test_loading_the_demo_again_makes_no_new_cases(loaded):
    counts = [
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseInstrument.objects.count(),
        ELicense.objects.count(),
        ServiceRating.objects.count(),
        Notification.objects.count(),
    ]

    again = load_demo()

    assert again == {}
    assert [
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseInstrument.objects.count(),
        ELicense.objects.count(),
        ServiceRating.objects.count(),
        Notification.objects.count(),
    ] == counts


def test_the_demo_clock_keeps_office_hours_and_never_passes_the_present():
    ceiling = datetime(2026, 11, 26, 15, 0, tzinfo=SHANGHAI)
    saturday_evening = datetime(2026, 11, 21, 18, 30, tzinfo=SHANGHAI)
    clock = demo_cases.DemoClock(saturday_evening, ceiling)

    clock.office_hours()
    monday = clock()
    clock.advance(timedelta(days=30))
    capped = clock()
    clock.advance(timedelta(hours=1))

    assert monday == datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI)
    assert capped == ceiling
    assert clock() == ceiling + timedelta(seconds=1)


@pytest.mark.usefixtures("no_staff_2fa")
def test_the_demo_hall_pages_open_for_the_people_the_readme_names(loaded):
    from django.test import Client

    def client(username):
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    lisi, sunqi, chen = client("lisi"), client("sunqi"), client("chenxiaohong")
    numbers = list(Case.objects.exclude(number=None).values_list("number", flat=True))
    mine = Case.objects.filter(applicant__username="chenxiaohong")

    window = lisi.get("/staff/cases/window/")
    details = {n: lisi.get(f"/staff/cases/{n}/").status_code for n in numbers}
    leader = {n: sunqi.get(f"/staff/cases/{n}/").status_code for n in numbers}
    own = {
        c.number: chen.get(f"/hall/my/{c.number}/").status_code
        for c in mine.exclude(number=None)
    }
    verified = [Client().get(f"/verify/{lic.code}/") for lic in ELicense.objects.all()]

    assert window.status_code == 200
    waiting = Case.objects.filter(state=Case.State.SUBMITTED)
    assert all(c.number in window.content.decode() for c in waiting)
    assert set(details.values()) == {200}
    assert set(leader.values()) == {200}
    assert set(own.values()) == {200}
    assert len(own) == 7
    assert chen.get("/hall/my/").status_code == 200
    assert [r.status_code for r in verified] == [200] * 8
    assert sum("已注销" in r.content.decode() for r in verified) == 1


def test_a_story_whose_step_is_refused_is_left_out_and_counted(db):
    from egov.identity import demo as identity_demo
    from egov.servicehall import apply_demo, case_demo
    from egov.servicehall import demo as hall_demo

    identity_demo.load()
    hall_demo.load_demo_catalog()
    case_demo.load()
    apply_demo.load()
    # The window clerk has lost her role: whatever she would do is refused.
    User.objects.get(username="lisi").roles.clear()
    by_window = {"accept", "refuse", "correct", "window"}
    refused = [s for s in demo_cases.STORIES if by_window & set(s.steps)]

    created = demo_cases.load()

    assert created == {
        "cases": len(demo_cases.STORIES) - len(refused),
        "cases_skipped": len(refused),
    }
    assert Case.objects.count() == len(demo_cases.STORIES) - len(refused) == 6
    assert not Case.objects.exclude(accepted_at=None).exists()
