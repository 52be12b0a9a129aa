"""Rectifying an unsatisfied rating: call-back, reply reaching the rater,
closing; appeals upheld or rejected by the supervisor; wrong states refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.core import sms
from egov.core.errors import ActionError, PermissionDenied
from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision.models import Rectification
from egov.workflow.models import Notification
from tests.supervision import factories

State = Rectification.State


@pytest.fixture
def rect(county):
    case = factories.case(county)
    rating = actions.rate_case(
        actor=county.people.zhangsan,
        case=case,
        level=2,
        comment="材料要求前后不一致",
        tags=["材料要求不清"],
    )
    return rating.rectification


def _callback(county, rect, **overrides):
    fields = {
        "actor": county.people.wangwu,
        "rectification": rect,
        "called_at": timezone.now(),
        "contact": "张三本人",
        "content": "已致歉并说明材料清单已更新",
    }
    fields.update(overrides)
    return actions.record_callback(**fields)


def test_call_back_reply_and_close_reach_the_rater(county, rect):
    # Given a call-back
    callback = _callback(county, rect)

    # When the department replies and closes
    actions.reply_rectification(
        actor=county.people.wangwu,
        rectification=rect,
        reply="已统一窗口和网上的材料清单，感谢您的监督。",
    )
    closed = actions.close_rectification(
        actor=county.people.wangwu, rectification=rect, note="已整改"
    )

    # Then the rater has the reply on their case and a site message
    assert callback.contact == "张三本人"
    assert closed.state == State.CLOSED
    assert closed.closed_by == county.people.wangwu
    reply = queries.rectification_reply_for_case(rect.rating.case)
    assert reply["reply"] == "已统一窗口和网上的材料清单，感谢您的监督。"
    assert reply["organization"] == "示范县市场监督管理局"
    assert reply["state_display"] == "已办结"
    message = Notification.objects.get(user=county.people.zhangsan)
    assert message.kind == Notification.Kind.CASE
    assert message.title == "示范县市场监督管理局已答复您的评价"
    assert message.body == "已统一窗口和网上的材料清单，感谢您的监督。"
    assert [
        e.action
        for e in AuditEntry.objects.filter(
            action__in=[
                "supervision.record_callback",
                "supervision.reply_rectification",
                "supervision.close_rectification",
            ]
        ).order_by("seq")
    ] == [
        "supervision.record_callback",
        "supervision.reply_rectification",
        "supervision.close_rectification",
    ]


def test_no_reply_is_shown_before_the_department_replies(county, rect):
    assert queries.rectification_reply_for_case(rect.rating.case) is None


def test_closing_needs_a_call_back_first_and_then_a_reply(county, rect):
    with pytest.raises(ActionError) as no_callback:
        actions.close_rectification(actor=county.people.wangwu, rectification=rect)
    _callback(county, rect)
    with pytest.raises(ActionError) as no_reply:
        actions.close_rectification(actor=county.people.wangwu, rectification=rect)

    assert no_callback.value.message == "请先记录回访情况再办结"
    assert no_reply.value.message == "请先答复评价人再办结"
    rect.refresh_from_db()
    assert rect.state == State.OPEN


def test_a_call_back_needs_whom_and_what_and_a_time_that_has_passed(county, rect):
    with pytest.raises(ActionError) as no_contact:
        _callback(county, rect, contact="  ")
    with pytest.raises(ActionError) as future:
        _callback(county, rect, called_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ActionError) as before:
        _callback(county, rect, called_at=rect.opened_at - timedelta(minutes=2))
    with pytest.raises(ActionError) as no_time:
        _callback(county, rect, called_at=None)

    assert no_contact.value.fields == {"contact": "请填写回访对象"}
    assert future.value.code == "bad_called_at"
    assert before.value.fields == {"called_at": "回访时间应在派单之后、当前时间之前"}
    assert no_time.value.code == "called_at_required"
    assert not rect.callbacks.exists()


def test_a_closed_rectification_takes_no_more_call_backs_replies_or_appeals(
    county, rect
):
    _callback(county, rect)
    actions.reply_rectification(
        actor=county.people.wangwu, rectification=rect, reply="已整改"
    )
    actions.close_rectification(actor=county.people.wangwu, rectification=rect)

    with pytest.raises(ActionError) as callback:
        _callback(county, rect)
    with pytest.raises(ActionError) as reply:
        actions.reply_rectification(
            actor=county.people.wangwu, rectification=rect, reply="再次答复"
        )
    with pytest.raises(ActionError) as appeal:
        actions.appeal_rating(
            actor=county.people.wangwu, rectification=rect, reason="恶意差评"
        )

    assert callback.value.message == "只有整改中的工单可以记录回访"
    assert reply.value.message == "只有整改中的工单可以答复评价人"
    assert appeal.value.message == "只有整改中的工单可以申诉"


def test_staff_of_another_department_may_not_handle_it(county, rect):
    with pytest.raises(PermissionDenied):
        _callback(county, rect, actor=county.people.neighbour_approver)
    with pytest.raises(PermissionDenied):
        _callback(county, rect, actor=county.people.zhouba)

    assert not rect.callbacks.exists()
    assert (
        AuditEntry.objects.filter(
            action="supervision.record_callback", outcome="denied"
        ).count()
        == 2
    )


def test_an_upheld_appeal_marks_the_rating_and_leaves_it_out_of_the_report(
    county, rect
):
    # Given an appeal by the department
    actions.appeal_rating(
        actor=county.people.wangwu,
        rectification=rect,
        reason="评价人当日未到窗口办理，系恶意评价",
    )
    today = timezone.localdate()
    before = queries.report(county.people.zhouba, date_from=today, date_to=today)

    # When the supervisor upholds it
    reviewed = actions.review_appeal(
        actor=county.people.zhouba, rectification=rect, uphold=True
    )

    # Then the rating is marked and no longer counted
    assert reviewed.state == State.EXCLUDED
    assert reviewed.appeal_decision == Rectification.AppealDecision.UPHELD
    rating = reviewed.rating
    rating.refresh_from_db()
    assert rating.excluded is True
    assert rating.excluded_reason == "评价人当日未到窗口办理，系恶意评价"
    after = queries.report(county.people.zhouba, date_from=today, date_to=today)
    assert before.total.total == 1
    assert before.total.rectifications == 1
    assert after.total.total == 0
    assert after.total.rectifications == 0
    assert after.rows == []


def test_a_rejected_appeal_puts_the_rectification_back_to_work(county, rect):
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="评价不实"
    )

    reviewed = actions.review_appeal(
        actor=county.people.zhouba,
        rectification=rect,
        uphold=False,
        note="评价人反映的问题属实",
    )

    assert reviewed.state == State.OPEN
    assert reviewed.appeal_decision == Rectification.AppealDecision.REJECTED
    assert reviewed.rating.excluded is False
    with pytest.raises(ActionError) as again:
        actions.appeal_rating(
            actor=county.people.wangwu, rectification=rect, reason="再申诉"
        )
    assert again.value.message == "该评价已申诉过，不能再次申诉"
    _callback(county, rect)


def test_rejecting_an_appeal_needs_a_note(county, rect):
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="评价不实"
    )

    with pytest.raises(ActionError) as refused:
        actions.review_appeal(
            actor=county.people.zhouba, rectification=rect, uphold=False
        )

    assert refused.value.fields == {"note": "请填写审核意见"}
    rect.refresh_from_db()
    assert rect.state == State.APPEALING


def test_while_appealing_the_department_cannot_reply_or_close(county, rect):
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="评价不实"
    )

    with pytest.raises(ActionError) as reply:
        actions.reply_rectification(
            actor=county.people.wangwu, rectification=rect, reply="答复"
        )

    assert reply.value.code == "rectification_not_open"


def test_an_appeal_needs_a_reason_and_only_a_supervisor_reviews_it(county, rect):
    with pytest.raises(ActionError) as no_reason:
        actions.appeal_rating(actor=county.people.wangwu, rectification=rect, reason="")
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="评价不实"
    )
    with pytest.raises(PermissionDenied):
        actions.review_appeal(
            actor=county.people.zhaoliu, rectification=rect, uphold=True
        )

    assert no_reason.value.fields == {"reason": "请填写申诉理由"}
    rect.refresh_from_db()
    assert rect.state == State.APPEALING
    assert [r.pk for r in queries.appeal_queue(county.people.zhouba)] == [rect.pk]
    assert list(queries.appeal_queue(county.people.zhaoliu)) == []


def test_reviewing_a_rectification_without_an_appeal_is_refused(county, rect):
    with pytest.raises(ActionError) as refused:
        actions.review_appeal(
            actor=county.people.zhouba, rectification=rect, uphold=True
        )

    assert refused.value.message == "该工单没有待审核的申诉"


def test_a_window_rating_reply_reaches_the_rater_by_site_message(county):
    rating = actions.rate_window(
        actor=county.people.chener, window=county.window, level=1
    )

    actions.reply_rectification(
        actor=county.people.wangwu,
        rectification=rating.rectification,
        reply="已对窗口人员进行批评教育",
    )

    message = Notification.objects.get(user=county.people.chener)
    assert message.title == "示范县市场监督管理局已答复您的评价"
    assert message.url == "/hall/ratings/mine/"
    mine = queries.my_ratings(county.people.chener)
    assert mine[0].reply["reply"] == "已对窗口人员进行批评教育"


def _walk_in_rectification(county, **case_fields):
    case = factories.walk_in_case(county, **case_fields)
    rating = actions.rate_case_by_phone(
        actor=county.people.zhouba,
        case=case,
        level=2,
        called_at=timezone.now().replace(second=0, microsecond=0),
        consented=True,
    )
    return rating.rectification


def test_a_walk_in_applicant_gets_the_reply_itself_by_sms(
    county, django_capture_on_commit_callbacks
):
    rect = _walk_in_rectification(county)
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _callback(county, rect, contact="刘桂兰本人")
        actions.reply_rectification(
            actor=county.people.wangwu,
            rectification=rect,
            reply="已在窗口张贴材料清单，感谢您的监督。",
        )
        closed = actions.close_rectification(
            actor=county.people.wangwu, rectification=rect
        )

    assert closed.state == State.CLOSED
    assert sms.outbox == [
        (
            "13999217788",
            "【示范县人民政府】示范县市场监督管理局已答复您对办件"
            f"{rect.rating.case.number}的评价：已在窗口张贴材料清单，感谢您的监督。",
        )
    ]
    assert not Notification.objects.filter(kind=Notification.Kind.CASE).exists()
    sms.outbox.clear()


def test_a_long_reply_is_shortened_in_the_walk_in_applicants_sms(
    county, django_capture_on_commit_callbacks
):
    rect = _walk_in_rectification(county)
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_rectification(
            actor=county.people.wangwu, rectification=rect, reply="改" * 1000
        )

    [(phone, text)] = sms.outbox
    assert text.endswith("：" + "改" * 299 + "…")
    sms.outbox.clear()


def test_a_walk_in_case_without_a_phone_is_replied_to_without_an_sms(
    county, django_capture_on_commit_callbacks
):
    rect = _walk_in_rectification(county, phone="")
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        replied = actions.reply_rectification(
            actor=county.people.wangwu, rectification=rect, reply="已整改"
        )

    assert replied.reply == "已整改"
    assert sms.outbox == []
    assert AuditEntry.objects.filter(
        action="supervision.reply_rectification", outcome="success"
    ).exists()


def _second_supervisor(county):
    from egov.identity import roles as builtin
    from tests.identity import factories as idf

    return idf.user(
        "wujian",
        "吴坚",
        posts=[county.posts.discipline_supervisor],
        roles=[builtin.STAFF, builtin.SUPERVISOR],
    )


def test_a_walk_in_rating_can_be_appealed_and_set_aside(county):
    rect = _walk_in_rectification(county)

    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="申请人未办理此事项"
    )
    reviewed = actions.review_appeal(
        actor=_second_supervisor(county), rectification=rect, uphold=True
    )

    assert reviewed.state == State.EXCLUDED
    rect.rating.refresh_from_db()
    assert rect.rating.excluded is True
    assert rect.rating.rater is None


def test_whoever_recorded_a_phone_rating_may_not_review_the_appeal_against_it(
    county,
):
    rect = _walk_in_rectification(county)
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="申请人未办理此事项"
    )

    with pytest.raises(ActionError) as refused:
        actions.review_appeal(
            actor=county.people.zhouba, rectification=rect, uphold=True
        )

    assert refused.value.code == "own_phone_rating"
    assert refused.value.message == "不能审核针对本人登记的电话评价的申诉"
    rect.refresh_from_db()
    assert rect.state == State.APPEALING
    assert AuditEntry.objects.filter(
        action="supervision.review_appeal", outcome="failed"
    ).exists()
