"""电话评价: 回访 staff record the rating an applicant gives on the phone,
under the same rules as rating online (once per case, whatever the channel;
不满意 opens a rectification); refusals change nothing and are audited."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.core import sms
from egov.core.errors import ActionError, PermissionDenied
from egov.identity import roles as builtin
from egov.servicehall.models import Case, CaseEvent
from egov.supervision import rating_actions as actions
from egov.supervision.models import Rectification, ServiceRating
from egov.workflow.models import Notification
from tests.identity import factories as idf
from tests.supervision import factories


def _called(minutes_ago: int = 30):
    return timezone.now().replace(second=0, microsecond=0) - timedelta(
        minutes=minutes_ago
    )


def _phone(county, case, **overrides):
    values = {
        "actor": county.people.zhouba,
        "case": case,
        "level": 4,
        "called_at": _called(),
        "consented": True,
    }
    values.update(overrides)
    return actions.rate_case_by_phone(**values)


def test_the_supervisor_records_the_applicants_rating_given_on_the_phone(county):
    case = factories.case(county)
    called_at = _called()

    rating = _phone(
        county,
        case,
        level=5,
        tags=["服务态度好"],
        comment=" 窗口很耐心 ",
        called_at=called_at,
    )

    rating.refresh_from_db()
    assert rating.channel == ServiceRating.Channel.PHONE
    assert rating.rater == county.people.zhangsan
    assert rating.recorded_by == county.people.zhouba
    assert rating.called_at == called_at
    assert rating.consented is True
    assert rating.staff == county.people.wangwu
    assert rating.organization == county.orgs.market
    assert (rating.level, rating.tags, rating.comment) == (
        5,
        ["服务态度好"],
        "窗口很耐心",
    )
    assert not Rectification.objects.exists()
    event = CaseEvent.objects.get(case=case, kind="rated")
    assert event.actor == county.people.zhouba
    assert event.public_note == "申请人已评价"
    shown = timezone.localtime(called_at).strftime("%Y-%m-%d %H:%M")
    assert (
        event.note == f"电话回访评价：非常满意（回访时间{shown}，申请人同意代为登记）"
    )
    assert event.detail == {
        "level": 5,
        "tags": ["服务态度好"],
        "channel": "phone",
        "called_at": called_at.isoformat(),
        "consented": True,
    }
    entry = AuditEntry.objects.get(action="supervision.rate_case_by_phone")
    assert entry.user == county.people.zhouba
    assert entry.target_id == case.number
    assert entry.detail == {
        "level": 5,
        "tags": ["服务态度好"],
        "rectification": None,
        "called_at": called_at.isoformat(),
        "consented": True,
    }


def test_the_applicant_is_told_that_a_rating_was_recorded_for_them(county):
    case = factories.case(county)

    _phone(county, case, level=3)

    message = Notification.objects.get(user=county.people.zhangsan)
    assert message.title == f"电话回访评价已登记：{case.item_version.name}"
    assert f"（办件编号{case.number}）的评价已登记为“基本满意”" in message.body


def test_a_phone_rating_of_dissatisfied_opens_a_rectification_for_the_department(
    county,
):
    case = factories.case(county)

    rating = _phone(county, case, level=2, tags=["多次跑腿"], comment="跑了三次")

    rect = Rectification.objects.get()
    assert rect.rating == rating
    assert rect.organization == county.orgs.market
    assert rect.state == Rectification.State.OPEN
    assert Notification.objects.filter(
        user=county.people.wangwu, title__startswith="新的好差评整改工单"
    ).exists()
    entry = AuditEntry.objects.get(action="supervision.rate_case_by_phone")
    assert entry.detail["rectification"] == rect.pk


def test_a_case_rated_online_cannot_be_rated_again_by_phone(county):
    case = factories.case(county)
    actions.rate_case(actor=county.people.zhangsan, case=case, level=5)

    with pytest.raises(ActionError) as refused:
        _phone(county, case, level=1)

    assert refused.value.code == "already_rated"
    assert refused.value.message == "该办件已有评价，每个办件只能评价一次"
    assert list(ServiceRating.objects.values_list("level", "channel")) == [(5, "web")]
    assert not Rectification.objects.exists()
    assert CaseEvent.objects.filter(case=case, kind="rated").count() == 1
    failed = AuditEntry.objects.get(
        action="supervision.rate_case_by_phone", outcome="failed"
    )
    assert failed.detail["code"] == "already_rated"


def test_a_case_rated_by_phone_cannot_be_rated_again_online(county):
    case = factories.case(county)
    _phone(county, case, level=4)

    with pytest.raises(ActionError) as refused:
        actions.rate_case(actor=county.people.zhangsan, case=case, level=1)

    assert refused.value.message == "您已评价过此办件，每个办件只能评价一次"
    assert list(ServiceRating.objects.values_list("level", "channel")) == [(4, "phone")]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"consented": False},
            "consented",
            "请确认申请人同意由回访人员代为登记本次评价",
        ),
        ({"called_at": None}, "called_at", "请填写回访时间"),
        (
            {"called_at": timezone.now() + timedelta(hours=2)},
            "called_at",
            "回访时间应在办结之后、当前时间之前",
        ),
        (
            {"called_at": timezone.now() - timedelta(days=3)},
            "called_at",
            "回访时间应在办结之后、当前时间之前",
        ),
        ({"level": 9}, "level", "请选择评价等级"),
        (
            {"level": 5, "tags": ["推诿扯皮"]},
            "tags",
            "“推诿扯皮”不是“非常满意”可选的标签",
        ),
    ],
)
def test_bad_phone_ratings_are_refused_and_nothing_is_written(
    county, overrides, field, message
):
    case = factories.case(county)

    with pytest.raises(ActionError) as refused:
        _phone(county, case, **overrides)

    assert refused.value.fields == {field: message}
    assert not ServiceRating.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind="rated").exists()
    assert not Notification.objects.filter(user=county.people.zhangsan).exists()
    failed = AuditEntry.objects.get(
        action="supervision.rate_case_by_phone", outcome="failed"
    )
    assert failed.detail["message"] == message


def test_a_case_still_in_progress_is_not_rated_by_phone(county):
    case = factories.case(county, state=Case.State.ACCEPTED)

    with pytest.raises(ActionError) as refused:
        _phone(county, case, called_at=_called())

    assert refused.value.code == "case_not_concluded"
    assert not ServiceRating.objects.exists()


@pytest.fixture
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_a_walk_in_applicants_rating_is_recorded_without_a_rater_account(
    county, outbox, django_capture_on_commit_callbacks
):
    case = factories.walk_in_case(county)
    called_at = _called()

    with django_capture_on_commit_callbacks(execute=True):
        rating = _phone(county, case, level=4, tags=["一次办成"], called_at=called_at)

    rating.refresh_from_db()
    assert rating.rater is None
    assert rating.rater_name == "刘桂兰"
    assert rating.channel == ServiceRating.Channel.PHONE
    assert rating.recorded_by == county.people.zhouba
    assert rating.called_at == called_at
    assert rating.consented is True
    assert (rating.level, rating.tags, rating.staff) == (
        4,
        ["一次办成"],
        county.people.wangwu,
    )
    assert not Rectification.objects.exists()
    # No account, so no site message: the applicant hears of it by SMS.
    assert not Notification.objects.filter(kind=Notification.Kind.CASE).exists()
    assert outbox == [
        (
            "13999217788",
            f"【示范县人民政府】根据{timezone.localtime(called_at):%Y-%m-%d %H:%M}"
            f"的电话回访，您对{case.item_version.name}（办件编号{case.number}）"
            "的评价已登记为“满意”，如有异议请联系政务服务中心。",
        )
    ]
    assert CaseEvent.objects.get(case=case, kind="rated").actor == (
        county.people.zhouba
    )
    entry = AuditEntry.objects.get(action="supervision.rate_case_by_phone")
    assert entry.outcome == "success"
    assert entry.detail["called_at"] == called_at.isoformat()


def test_a_walk_in_applicants_dissatisfied_rating_opens_a_rectification(county):
    case = factories.walk_in_case(county)

    rating = _phone(county, case, level=1, tags=["推诿扯皮"], comment="来回推")

    rect = Rectification.objects.get()
    assert rect.rating == rating
    assert rect.organization == county.orgs.market
    assert rect.state == Rectification.State.OPEN
    assert Notification.objects.filter(
        user=county.people.wangwu, title__startswith="新的好差评整改工单"
    ).exists()


def test_a_walk_in_case_without_a_contact_phone_is_rated_and_nobody_is_texted(
    county, outbox, django_capture_on_commit_callbacks
):
    case = factories.walk_in_case(county, phone="")

    with django_capture_on_commit_callbacks(execute=True):
        rating = _phone(county, case, level=5)

    assert rating.pk is not None
    assert outbox == []


def test_a_walk_in_case_rated_by_phone_cannot_be_rated_again(county):
    case = factories.walk_in_case(county)
    _phone(county, case, level=5)

    with pytest.raises(ActionError) as refused:
        _phone(county, case, level=1)

    assert refused.value.code == "already_rated"
    assert list(ServiceRating.objects.values_list("level", flat=True)) == [5]


def test_a_walk_in_case_is_not_rated_without_the_applicants_consent(county):
    case = factories.walk_in_case(county)

    with pytest.raises(ActionError) as refused:
        _phone(county, case, level=2, consented=False)

    assert refused.value.message == "请确认申请人同意由回访人员代为登记本次评价"
    assert refused.value.fields == {
        "consented": "请确认申请人同意由回访人员代为登记本次评价"
    }
    assert not ServiceRating.objects.exists()
    assert not Rectification.objects.exists()


def test_the_database_refuses_a_phone_rating_without_its_facts(county):
    case = factories.walk_in_case(county)
    fields = {
        "case": case,
        "organization": county.orgs.market,
        "level": 4,
        "channel": ServiceRating.Channel.PHONE,
        "recorded_by": county.people.zhouba,
        "called_at": _called(),
        "consented": True,
    }

    for missing in ({"consented": False}, {"recorded_by": None}, {"called_at": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ServiceRating.objects.create(**{**fields, **missing})

    ServiceRating.objects.create(**fields)
    assert ServiceRating.objects.get().rater is None


def test_the_database_refuses_an_online_or_window_rating_without_a_rater(county):
    case = factories.case(county)

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(
            case=case, organization=county.orgs.market, level=4, channel="web"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(
            window=county.window,
            organization=county.orgs.market,
            level=4,
            channel="window",
        )
    # Nor may a rating given online carry a phone call's facts.
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(
            case=case,
            organization=county.orgs.market,
            rater=county.people.zhangsan,
            level=4,
            channel="web",
            recorded_by=county.people.zhouba,
            called_at=_called(),
        )

    assert not ServiceRating.objects.exists()


def test_nobody_records_a_rating_of_a_case_they_accepted(county):
    case = factories.case(county, accepted_by=county.people.zhouba)

    with pytest.raises(ActionError) as refused:
        _phone(county, case)

    assert refused.value.code == "own_case"
    assert refused.value.message == "不能为本人申请或本人受理的办件登记评价"
    assert not ServiceRating.objects.exists()


@pytest.mark.parametrize("person", ["wangwu", "zhaoliu", "sunqi", "lisi", "hemin"])
def test_departments_clerks_and_administrators_record_no_phone_ratings(county, person):
    case = factories.case(county)

    with pytest.raises(PermissionDenied):
        _phone(county, case, actor=getattr(county.people, person))

    assert not ServiceRating.objects.exists()
    denied = AuditEntry.objects.get(
        action="supervision.rate_case_by_phone", outcome="denied"
    )
    assert denied.target_id == case.number


def test_a_supervisor_of_another_county_records_no_rating_of_this_countys_case(
    county,
):
    neighbour_supervisor = idf.user(
        "linxian_supervisor",
        "邻县监察员",
        posts=[county.posts.neighbour_clerk],
        roles=[builtin.STAFF, builtin.SUPERVISOR],
    )
    case = factories.case(county)

    with pytest.raises(PermissionDenied):
        _phone(county, case, actor=neighbour_supervisor)

    assert not ServiceRating.objects.exists()
