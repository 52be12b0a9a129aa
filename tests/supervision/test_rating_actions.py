"""Rating a concluded case or a window visit: who may rate, when, how often,
and what a rating may say; unsatisfied ratings open a rectification."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.servicehall.models import Case, CaseEvent
from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision.models import Rectification, ServiceRating
from egov.workflow.models import Notification
from tests.supervision import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_applicant_rates_a_concluded_case_once_with_tags_and_a_comment(county):
    case = factories.case(county)

    rating = actions.rate_case(
        actor=county.people.zhangsan,
        case=case,
        level=5,
        comment="  窗口指引很清楚  ",
        tags=["办事效率高", "服务态度好", "办事效率高"],
    )

    rating.refresh_from_db()
    assert rating.level == 5
    assert rating.comment == "窗口指引很清楚"
    assert rating.tags == ["办事效率高", "服务态度好"]
    assert rating.organization == county.orgs.market
    assert rating.item == county.item
    assert rating.staff == county.people.wangwu
    assert rating.channel == ServiceRating.Channel.WEB
    assert queries.rating_for_case(case) == rating
    assert not Rectification.objects.exists()
    event = CaseEvent.objects.get(case=case, kind="rated")
    assert event.public_note == "申请人已评价"
    assert event.detail == {"level": 5, "tags": ["办事效率高", "服务态度好"]}
    entry = AuditEntry.objects.get(action="supervision.rate_case")
    assert entry.outcome == "success"
    assert entry.target_id == case.number


def test_a_second_rating_of_the_same_case_is_refused_and_changes_nothing(county):
    case = factories.case(county)
    actions.rate_case(actor=county.people.zhangsan, case=case, level=4)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(actor=county.people.zhangsan, case=case, level=1)

    assert refused.value.code == "already_rated"
    assert refused.value.message == "您已评价过此办件，每个办件只能评价一次"
    assert list(ServiceRating.objects.values_list("level", flat=True)) == [4]
    assert not Rectification.objects.exists()
    assert CaseEvent.objects.filter(case=case, kind="rated").count() == 1
    failed = AuditEntry.objects.get(action="supervision.rate_case", outcome="failed")
    assert failed.detail["code"] == "already_rated"


def test_the_database_refuses_a_second_rating_row_for_one_case(county):
    case = factories.case(county)
    actions.rate_case(actor=county.people.zhangsan, case=case, level=4)

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(
            case=case,
            organization=case.organization,
            rater=county.people.zhangsan,
            level=5,
        )

    assert ServiceRating.objects.count() == 1


def test_only_the_applicant_may_rate_a_case(county):
    case = factories.case(county)

    for person in (county.people.chener, county.people.wangwu):
        with pytest.raises(PermissionDenied) as refused:
            actions.rate_case(actor=person, case=case, level=5)
        assert refused.value.message == "只有办件的申请人可以评价"

    assert not ServiceRating.objects.exists()
    denied = AuditEntry.objects.filter(action="supervision.rate_case", outcome="denied")
    assert denied.count() == 2


@pytest.mark.parametrize(
    "state",
    [Case.State.SUBMITTED, Case.State.ACCEPTED, Case.State.CORRECTION],
)
def test_a_case_not_yet_concluded_cannot_be_rated(county, state):
    case = factories.case(county, state=state)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(actor=county.people.zhangsan, case=case, level=5)

    assert refused.value.code == "case_not_concluded"
    assert refused.value.message == "办件办结后才能评价"
    assert not ServiceRating.objects.exists()


@pytest.mark.parametrize(
    "state", [Case.State.REFUSED, Case.State.DENIED, Case.State.WITHDRAWN]
)
def test_refused_denied_and_withdrawn_cases_can_be_rated(county, state):
    case = factories.case(county, state=state)

    rating = actions.rate_case(actor=county.people.zhangsan, case=case, level=3)

    assert rating.case == case


@pytest.mark.parametrize("level", [0, 6, "", None, "五", -1])
def test_a_level_outside_the_five_is_refused(county, level):
    case = factories.case(county)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(actor=county.people.zhangsan, case=case, level=level)

    assert refused.value.code == "bad_level"
    assert refused.value.fields == {"level": "请选择评价等级"}
    assert not ServiceRating.objects.exists()


def test_a_tag_of_another_level_is_refused(county):
    case = factories.case(county)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(
            actor=county.people.zhangsan, case=case, level=5, tags=["多次跑腿"]
        )

    assert refused.value.code == "bad_tag"
    assert refused.value.message == "“多次跑腿”不是“非常满意”可选的标签"
    assert not ServiceRating.objects.exists()


def test_a_comment_over_500_characters_is_refused(county):
    case = factories.case(county)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(
            actor=county.people.zhangsan, case=case, level=4, comment="好" * 501
        )

    assert refused.value.code == "comment_too_long"
    assert refused.value.message == "评价内容不能超过500个字"
    assert not ServiceRating.objects.exists()


def test_a_comment_of_exactly_500_characters_is_kept(county):
    case = factories.case(county)

    rating = actions.rate_case(
        actor=county.people.zhangsan, case=case, level=4, comment="好" * 500
    )

    assert len(rating.comment) == 500


@pytest.mark.parametrize("level", [2, 1])
def test_an_unsatisfied_rating_opens_a_rectification_of_15_working_days(county, level):
    case = factories.case(county)

    rating = actions.rate_case(
        actor=county.people.zhangsan, case=case, level=level, tags=["多次跑腿"]
    )

    rect = Rectification.objects.get(rating=rating)
    assert rect.state == Rectification.State.OPEN
    assert rect.organization == county.orgs.market
    assert rect.limit_workdays == 15
    # Opened on Thursday 26 November 2026: 15 working days end on 17 December.
    rect.opened_at = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    deadline = queries.rectification_deadline(rect)
    assert deadline.due_date == date(2026, 12, 17)


def test_the_rectification_limit_follows_the_setting(county, settings):
    settings.EGOV_RECTIFICATION_WORKDAYS = 5
    case = factories.case(county)

    rating = actions.rate_case(actor=county.people.zhangsan, case=case, level=1)

    rect = rating.rectification
    assert rect.limit_workdays == 5
    rect.opened_at = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    assert queries.rectification_deadline(rect).due_date == date(2026, 12, 3)


def test_the_department_handlers_get_a_task_message_for_a_new_rectification(county):
    case = factories.case(county)

    actions.rate_case(actor=county.people.zhangsan, case=case, level=2)

    rect = Rectification.objects.get()
    messages = Notification.objects.filter(kind=Notification.Kind.TASK)
    # 王五 (审批人员) and 赵六 (分管领导) of 市场监管局, and 孙七 (分管领导) of
    # the county government above it; not 周八 the supervisor.
    people = county.people
    assert {m.user for m in messages} == {people.wangwu, people.zhaoliu, people.sunqi}
    assert messages[0].title == f"新的好差评整改工单：{case.number}（不满意）"
    assert messages[0].url == f"/staff/ratings/rectifications/{rect.pk}/"


def test_a_window_visit_is_rated_with_the_staff_on_duty(county):
    rating = actions.rate_window(
        actor=county.people.chener,
        window=county.window,
        level=4,
        tags=["服务态度好"],
    )

    assert rating.window == county.window
    assert rating.case is None
    assert rating.item is None
    assert rating.organization == county.orgs.market
    assert rating.staff == county.people.wangwu
    assert rating.channel == ServiceRating.Channel.WINDOW
    assert AuditEntry.objects.get(action="supervision.rate_window").target_id == str(
        county.window.pk
    )


def test_a_second_window_rating_by_the_same_person_on_one_day_is_refused(county):
    actions.rate_window(actor=county.people.chener, window=county.window, level=4)

    with pytest.raises(ActionError) as refused:
        actions.rate_window(actor=county.people.chener, window=county.window, level=1)

    assert refused.value.code == "already_rated_today"
    assert ServiceRating.objects.count() == 1
    assert not Rectification.objects.exists()


def test_an_unsatisfied_window_rating_opens_a_rectification_for_its_organization(
    county,
):
    rating = actions.rate_window(
        actor=county.people.chener, window=county.window, level=1, tags=["推诿扯皮"]
    )

    assert rating.rectification.organization == county.orgs.market
    assert rating.rectification.state == Rectification.State.OPEN


def test_an_inactive_window_cannot_be_rated(county):
    county.window.is_active = False
    county.window.save()

    with pytest.raises(ActionError) as refused:
        actions.rate_window(actor=county.people.chener, window=county.window, level=5)

    assert refused.value.message == "该窗口已停用"
