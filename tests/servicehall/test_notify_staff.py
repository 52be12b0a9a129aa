"""Staff messages: 新待办 when the engine gives someone a task (each candidate
of a pooled task), written with one insert per step; time-limit warnings of
tasks and of accepted cases once per change of state; 催办 reaches the
handler."""

from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.core import sms
from egov.core.deadline_sweep import run_sweep
from egov.core.errors import ActionError
from egov.core.timelimits import SHANGHAI
from egov.servicehall.models import Audience, Case
from egov.workflow import runtime
from egov.workflow.models import Notification, Task
from egov.workflow.operations.urging import urge_task
from tests.identity.factories import fresh, post, user
from tests.servicehall import factories as hall_factories
from tests.workflow import builders as b
from tests.workflow.conftest import approve, deploy, make_admin_role, start
from tests.workflow.operations_support import countersign_xml, task_of

WANGWU = {"rule": "user", "users": "wangwu"}
MARKET_STAFF = {"rule": "post", "post": "139921-104/staff"}
VACANT = "139921-104/vacant"


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    runtime.forget_compiled()
    yield
    runtime.forget_compiled()


@pytest.fixture
def county(db):
    """The catalog county (who publish the item) plus what the workflow tests
    add: 刘七 deploys processes, 孙二 and 陈三 hold the market bureau's 科员
    post with the approver role."""
    c = hall_factories.catalog_county()
    liuqi = user("liuqi", "刘七", posts=[c.posts.office_clerk], roles=["staff"])
    liuqi.roles.add(make_admin_role())
    c.posts.market_staff = post(c.orgs.market, "staff", "科员")
    c.people.liuqi = fresh(liuqi)
    for username, name in (("suner", "孙二"), ("chensan", "陈三")):
        setattr(
            c.people,
            username,
            user(
                username,
                name,
                posts=[c.posts.market_staff],
                roles=["staff", "approver"],
            ),
        )
    return c


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def review_then_pool_xml():
    """科长审核 (王五, 3 working days) → 科员办理 (the market bureau's 科员 post:
    孙二 and 陈三 may claim it)."""
    return b.chain(
        "leave",
        b.user("review", "科长审核", assignment=WANGWU, limit=(3, "workdays")),
        b.user("handle", "科员办理", assignment=MARKET_STAFF),
        name="请假审批",
    )


def messages_of(person, kind="task"):
    return list(
        Notification.objects.filter(user=person, kind=kind)
        .order_by("id")
        .values_list("title", flat=True)
    )


# --- 新待办 ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_given_to_one_person_tells_that_person(county):
    # Given the leave process
    p = county.people
    deploy(county, review_then_pool_xml())

    # When 罗丹 starts it
    instance = start(county)

    # Then 王五 has one 新待办 message linking to the task; 罗丹 none
    review = task_of(instance, "wangwu")
    note = Notification.objects.get(user=p.wangwu)
    assert (note.kind, note.title) == ("task", "新待办：请假申请 — 科长审核")
    due = timezone.localtime(review.due_at)
    assert note.body == f"请办理「科长审核」，办理期限：{due:%Y-%m-%d %H:%M}。"
    assert note.url == f"/staff/workflow/tasks/{review.pk}/"
    assert note.instance == instance
    assert messages_of(p.luodan) == []


@pytest.mark.django_db
def test_a_pooled_task_tells_each_candidate_once_and_not_the_actor(county):
    # Given 王五's review
    p = county.people
    deploy(county, review_then_pool_xml())
    instance = start(county)
    review = task_of(instance, "wangwu")

    # When he approves it, the next task goes to the 科员 post (孙二, 陈三)
    approve(review, p.wangwu)

    # Then each of them has one message saying the task is to be claimed
    for person in (p.suner, p.chensan):
        assert messages_of(person) == ["新待办：请假申请 — 科员办理"]
    body = Notification.objects.get(user=p.suner).body
    assert body == "请办理「科员办理」。该任务由多人共同候选，请先签收再办理。"
    # And 王五 got only his own first message
    assert messages_of(p.wangwu) == ["新待办：请假申请 — 科长审核"]


@pytest.mark.django_db
def test_a_role_pool_tells_the_role_holders_of_the_organization(county):
    # Given a node for the approvers (a role) of the market bureau
    xml = b.chain(
        "leave",
        b.user(
            "handle",
            "审批",
            assignment={
                "rule": "role",
                "role": "approver",
                "organization": "139921-104",
            },
        ),
        name="请假审批",
    )
    deploy(county, xml)

    # When the process starts
    start(county)

    # Then every approver holding a post there is told: 王五, 赵六, 孙二, 陈三
    told = set(
        Notification.objects.filter(kind="task").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"wangwu", "zhaoliu", "suner", "chensan"}


@pytest.mark.django_db
def test_each_signer_of_a_countersign_gets_their_own_message(county):
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    approve(task_of(instance, "wangwu"), p.wangwu)
    assert messages_of(p.suner) == ["新待办：请假申请 — 会签"]
    assert messages_of(p.chensan) == ["新待办：请假申请 — 会签"]


@pytest.mark.django_db
def test_the_messages_of_one_step_are_one_insert(county):
    p = county.people
    deploy(county, countersign_xml(with_apply=False))
    instance = start(county)
    review = task_of(instance, "wangwu")
    with CaptureQueriesContext(connection) as queries:
        approve(review, p.wangwu)
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT") and "workflow_notification" in q["sql"]
    ]
    assert len(inserts) == 1
    assert Notification.objects.filter(kind="task").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_refused_step_leaves_no_new_task_message(county):
    # Given a process whose second node names a post nobody holds
    post(county.orgs.market, "vacant", "空缺岗")
    xml = b.chain(
        "leave",
        b.user("review", "科长审核", assignment=WANGWU),
        b.user("gone", "无人环节", assignment={"rule": "post", "post": VACANT}),
        name="请假审批",
    )
    deploy(county, xml)
    instance = start(county)
    before = Notification.objects.count()

    # When 王五 approves, the step is refused: nobody to give it to
    with pytest.raises(ActionError):
        approve(task_of(instance, "wangwu"), county.people.wangwu)

    # Then no message was left behind
    assert Notification.objects.count() == before


# --- task warnings ------------------------------------------------------------------


@pytest.mark.django_db
def test_task_warnings_reach_the_handler_once_per_change_of_state(county):
    # Given 王五's review (3 working days) arriving Monday 23 November 2026:
    # it runs out at the end of Thursday the 26th
    p = county.people
    deploy(county, review_then_pool_xml())
    instance = start(county)
    review = task_of(instance, "wangwu")
    Task.objects.filter(pk=review.pk).update(created_at=at(23, 9))
    Notification.objects.all().delete()

    def sweep(now):
        run_sweep(now=now, only="workflow")
        return messages_of(p.wangwu)

    # Monday: three working days left, nothing to say
    assert sweep(at(23)) == []
    # Tuesday: two left, 预警; sweeping again says nothing new
    warning = "即将到期：请假申请 — 科长审核"
    assert sweep(at(24)) == [warning]
    assert sweep(at(24, 15)) == [warning]
    assert sweep(at(25)) == [warning]
    # Friday: overdue, 黄牌
    yellow = "已超期（黄牌）：请假申请 — 科长审核"
    assert sweep(at(27)) == [warning, yellow]
    # Three working days overdue (Wednesday 2 December): 红牌, marked urgent
    red = "严重超期（红牌）：请假申请 — 科长审核"
    assert sweep(at(2, month=12)) == [warning, yellow, red]
    assert sweep(at(3, month=12)) == [warning, yellow, red]
    assert Notification.objects.get(title=red).is_urgent
    assert Notification.objects.get(title=warning).url == (
        f"/staff/workflow/tasks/{review.pk}/"
    )
    # And nobody else was told
    assert Notification.objects.exclude(user=p.wangwu).count() == 0


@pytest.mark.django_db
def test_a_pooled_tasks_warning_reaches_every_candidate(county):
    p = county.people
    xml = b.chain(
        "leave",
        b.user("handle", "科员办理", assignment=MARKET_STAFF, limit=(1, "workdays")),
        name="请假审批",
    )
    deploy(county, xml)
    instance = start(county)
    Task.objects.filter(instance=instance).update(created_at=at(23, 9))
    Notification.objects.all().delete()
    run_sweep(now=at(23), only="workflow")
    for person in (p.suner, p.chensan):
        assert messages_of(person) == ["即将到期：请假申请 — 科员办理"]


@pytest.mark.django_db
def test_a_completed_task_is_no_longer_warned_about(county):
    p = county.people
    deploy(county, review_then_pool_xml())
    instance = start(county)
    review = task_of(instance, "wangwu")
    Task.objects.filter(pk=review.pk).update(created_at=at(23, 9))
    run_sweep(now=at(23), only="workflow")
    approve(review, p.wangwu)
    Notification.objects.all().delete()
    report = run_sweep(now=at(27), only="workflow")
    assert report.notified == 0
    assert Notification.objects.count() == 0


# --- case warnings -------------------------------------------------------------------


def accepted_case(county, accepted_at, clerk):
    version = hall_factories.published(county)  # promised 5, statutory 10 workdays
    case = Case(
        number="139921202611230" + "0007",
        lookup_code="Q8W3ER",
        item=version.item,
        item_version=version,
        organization=county.orgs.market,
        state=Case.State.ACCEPTED,
        applicant=county.people.zhangsan,
        applicant_kind=Audience.INDIVIDUAL,
        applicant_name="张三",
        submitted_at=accepted_at,
        accepted_at=accepted_at,
        accepted_by=clerk,
    )
    case.save()
    return case


@pytest.mark.django_db
def test_case_warnings_reach_whoever_accepted_it_once_per_change(county):
    # Given a case accepted by 李四 on Monday 23 November: the promised limit
    # (5 working days) ends Monday the 30th, the statutory one (10) on
    # 7 December
    p = county.people
    case = accepted_case(county, at(23, 9), p.lisi)

    def sweep(now):
        run_sweep(now=now, only="servicehall")
        return messages_of(p.lisi)

    assert sweep(at(24)) == []
    promised = "办件即将到期：食品经营许可（1399212026112300007）"
    # Thursday the 26th: two working days of the promised limit left
    assert sweep(at(26)) == [promised]
    assert sweep(at(27)) == [promised]
    body = Notification.objects.get(user=p.lisi).body
    assert body.startswith("承诺时限截止2026-11-30，")
    # Tuesday 1 December: promised limit overdue (黄牌)
    yellow = "办件已超期（黄牌）：食品经营许可（1399212026112300007）"
    assert sweep(at(1, month=12)) == [promised, yellow]
    assert sweep(at(2, month=12)) == [promised, yellow]
    # Thursday 3 December: the statutory limit enters its warning, and the
    # promised one is three working days over (红牌)
    red = "办件严重超期（红牌）：食品经营许可（1399212026112300007）"
    assert sweep(at(3, month=12)) == [promised, yellow, promised, red]
    bodies = Notification.objects.filter(user=p.lisi).order_by("id")
    bodies = list(bodies.values_list("body", flat=True))
    assert bodies[2].startswith("法定时限截止2026-12-07，")
    assert bodies[3].startswith("承诺时限截止2026-11-30，")
    assert case.state == Case.State.ACCEPTED


@pytest.mark.django_db
def test_a_concluded_case_is_no_longer_warned_about(county):
    p = county.people
    case = accepted_case(county, at(23, 9), p.lisi)
    Case.objects.filter(pk=case.pk).update(state=Case.State.APPROVED)
    report = run_sweep(now=at(1, month=12), only="servicehall")
    assert (report.seen, report.notified) == (0, 0)


# --- 催办 -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_urging_reaches_the_handler_by_site_message_and_urgent_sms(county):
    p = county.people
    deploy(county, review_then_pool_xml())
    instance = start(county)
    review = task_of(instance, "wangwu")
    sms.outbox.clear()
    with transaction.atomic():
        urge_task(actor=p.luodan, task=review, message="请今天办理", urgent=True)
        assert sms.outbox == []
    assert messages_of(p.wangwu, kind="urge") == ["催办：请假申请"]
    assert sms.outbox == [
        ("13999210007", "【示范县人民政府】催办：请假申请。请登录政务办公平台办理。")
    ]
