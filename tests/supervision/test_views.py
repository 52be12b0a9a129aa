"""The 好差评 pages: the applicant's rating page and the window rating page on
the public face; 整改工单, appeals, reports and window codes on the internal
face. Records outside the viewer's reach answer 404."""

import pytest
from django.utils import timezone

from egov.servicehall.models import Case
from egov.supervision import rating_actions as actions
from egov.supervision.models import Rectification, ServiceRating
from tests.supervision import factories
from tests.web.test_i18n import english_catalog

__all__ = ["english_catalog"]

pytestmark = pytest.mark.usefixtures("no_staff_2fa")


def _page(response) -> str:
    return response.content.decode()


# --- public face ---------------------------------------------------------------


def test_the_applicant_sees_five_choices_and_the_tags_on_the_rating_page(
    client, county
):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)

    response = client.get(f"/hall/ratings/cases/{case.number}/")

    page = _page(response)
    assert response.status_code == 200
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f"</i>{label}</label>" in page
    assert 'value="多次跑腿"' in page
    assert 'name="comment"' in page


def test_rating_through_the_page_shows_the_rating_afterwards(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)

    response = client.post(
        f"/hall/ratings/cases/{case.number}/",
        {"level": "2", "tags": ["多次跑腿"], "comment": "跑了三次"},
        follow=True,
    )

    page = _page(response)
    assert response.status_code == 200
    assert "感谢您的评价！" in page
    assert "跑了三次" in page
    assert "责任部门将在规定时限内整改并答复您。" in page
    assert 'name="level"' not in page
    rating = ServiceRating.objects.get()
    assert (rating.level, rating.tags) == (2, ["多次跑腿"])


def test_a_rating_without_a_level_is_refused_with_a_message(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)

    response = client.post(f"/hall/ratings/cases/{case.number}/", {"comment": "x"})

    assert response.status_code == 400
    assert "请选择评价等级" in _page(response)
    assert not ServiceRating.objects.exists()


def test_a_tag_of_another_level_is_refused_on_the_page(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)

    response = client.post(
        f"/hall/ratings/cases/{case.number}/", {"level": "5", "tags": ["推诿扯皮"]}
    )

    assert response.status_code == 400
    assert "“推诿扯皮”不是“非常满意”可选的标签" in _page(response)


def test_a_too_long_comment_is_refused_on_the_page(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)

    response = client.post(
        f"/hall/ratings/cases/{case.number}/", {"level": "4", "comment": "长" * 501}
    )

    assert response.status_code == 400
    assert not ServiceRating.objects.exists()


def test_a_case_still_in_progress_shows_no_form_and_refuses_a_post(client, county):
    case = factories.case(county, state=Case.State.ACCEPTED)
    client.force_login(county.people.zhangsan)

    shown = client.get(f"/hall/ratings/cases/{case.number}/")
    posted = client.post(f"/hall/ratings/cases/{case.number}/", {"level": "5"})

    assert "办件办结后才能评价。" in _page(shown)
    assert 'name="level"' not in _page(shown)
    assert posted.status_code == 400
    assert "办件办结后才能评价" in _page(posted)
    assert not ServiceRating.objects.exists()


def test_another_citizens_case_answers_404_like_a_missing_one(client, county):
    case = factories.case(county)
    client.force_login(county.people.chener)

    theirs = client.get(f"/hall/ratings/cases/{case.number}/")
    posted = client.post(f"/hall/ratings/cases/{case.number}/", {"level": "1"})
    missing = client.get("/hall/ratings/cases/13992120260101999999/")

    assert theirs.status_code == 404
    assert posted.status_code == 404
    assert missing.status_code == 404
    assert not ServiceRating.objects.exists()


def test_signing_in_is_needed_to_rate(client, county):
    case = factories.case(county)

    response = client.get(f"/hall/ratings/cases/{case.number}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_rater_sees_the_departments_reply_on_the_rating_page(client, county):
    case = factories.case(county)
    rating = actions.rate_case(actor=county.people.zhangsan, case=case, level=1)
    actions.reply_rectification(
        actor=county.people.wangwu,
        rectification=rating.rectification,
        reply="已简化材料清单",
    )
    client.force_login(county.people.zhangsan)

    page = _page(client.get(f"/hall/ratings/cases/{case.number}/"))
    mine = _page(client.get("/hall/ratings/mine/"))

    assert "示范县市场监督管理局的整改答复" in page
    assert "已简化材料清单" in page
    assert "已简化材料清单" in mine


def test_a_window_visit_is_rated_from_its_code(client, county):
    client.force_login(county.people.chener)

    shown = client.get("/hall/ratings/windows/sc-03/")
    posted = client.post(
        "/hall/ratings/windows/sc-03/", {"level": "5", "tags": ["服务态度好"]}
    )

    assert "3号窗口（市场监管综合窗口）" in _page(shown)
    assert "服务人员：王五" in _page(shown)
    assert posted.status_code == 302
    assert posted["Location"] == "/hall/ratings/mine/"
    assert ServiceRating.objects.get().window == county.window


def test_an_unknown_or_inactive_window_code_answers_404(client, county):
    county.window.is_active = False
    county.window.save()
    client.force_login(county.people.chener)

    assert client.get("/hall/ratings/windows/sc-03/").status_code == 404
    assert client.get("/hall/ratings/windows/nope/").status_code == 404


# --- internal face --------------------------------------------------------------


@pytest.fixture
def rect(county):
    case = factories.case(county)
    rating = actions.rate_case(
        actor=county.people.zhangsan, case=case, level=2, tags=["多次跑腿"]
    )
    return rating.rectification


def test_the_department_lists_its_rectifications_and_others_see_none(
    client, county, rect
):
    client.force_login(county.people.wangwu)
    own = _page(client.get("/staff/ratings/rectifications/"))
    client.force_login(county.people.neighbour_approver)
    other = _page(client.get("/staff/ratings/rectifications/"))

    assert rect.rating.case.number in own
    assert rect.rating.case.number not in other
    assert "没有整改工单。" in other


def test_a_rectification_outside_the_viewers_scope_answers_404(client, county, rect):
    client.force_login(county.people.neighbour_approver)

    shown = client.get(f"/staff/ratings/rectifications/{rect.pk}/")
    posted = client.post(
        f"/staff/ratings/rectifications/{rect.pk}/reply/", {"reply": "越权答复"}
    )

    assert shown.status_code == 404
    assert posted.status_code == 404
    rect.refresh_from_db()
    assert rect.reply == ""


def test_citizens_and_staff_without_the_permission_get_403(client, county, rect):
    client.force_login(county.people.zhangsan)
    citizen = client.get("/staff/ratings/rectifications/")
    client.force_login(county.people.lisi)
    clerk = client.get("/staff/ratings/reports/")

    assert citizen.status_code in (302, 403)
    assert clerk.status_code == 403


def test_the_department_records_a_call_back_replies_and_closes_on_the_page(
    client, county, rect
):
    client.force_login(county.people.wangwu)
    base = f"/staff/ratings/rectifications/{rect.pk}/"
    called_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    callback = client.post(
        base + "callback/",
        {"called_at": called_at, "contact": "张三", "content": "电话致歉"},
    )
    reply = client.post(base + "reply/", {"reply": "已整改"})
    close = client.post(base + "close/", {"note": ""}, follow=True)

    assert callback.status_code == 302
    assert reply.status_code == 302
    assert "整改工单已办结" in _page(close)
    rect.refresh_from_db()
    assert rect.state == Rectification.State.CLOSED
    assert rect.callbacks.get().content == "电话致歉"


def test_closing_without_a_call_back_shows_the_reason(client, county, rect):
    client.force_login(county.people.wangwu)

    response = client.post(f"/staff/ratings/rectifications/{rect.pk}/close/", {})

    assert response.status_code == 400
    assert "请先记录回访情况再办结" in _page(response)


def test_the_supervisor_reviews_an_appeal_from_the_queue(client, county, rect):
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="恶意评价"
    )
    client.force_login(county.people.zhouba)

    queue = _page(client.get("/staff/ratings/appeals/"))
    reviewed = client.post(
        f"/staff/ratings/rectifications/{rect.pk}/review/",
        {"decision": "uphold", "note": ""},
    )

    assert rect.rating.case.number in queue
    assert reviewed.status_code == 302
    rect.refresh_from_db()
    assert rect.state == Rectification.State.EXCLUDED


def test_a_department_handler_cannot_review_appeals(client, county, rect):
    actions.appeal_rating(
        actor=county.people.wangwu, rectification=rect, reason="恶意评价"
    )
    client.force_login(county.people.wangwu)

    queue = client.get("/staff/ratings/appeals/")
    posted = client.post(
        f"/staff/ratings/rectifications/{rect.pk}/review/", {"decision": "uphold"}
    )

    assert queue.status_code == 403
    assert posted.status_code == 403
    assert "您没有执行此操作的权限" in _page(posted)
    rect.refresh_from_db()
    assert rect.state == Rectification.State.APPEALING


def test_the_report_page_shows_the_table_and_refuses_a_reversed_period(
    client, county, rect
):
    client.force_login(county.people.zhouba)
    today = timezone.localdate().isoformat()

    shown = client.get(
        "/staff/ratings/reports/", {"date_from": today, "date_to": today}
    )
    reversed_period = client.get(
        "/staff/ratings/reports/",
        {"date_from": "2026-12-31", "date_to": "2026-01-01"},
    )

    assert shown.status_code == 200
    assert "示范县市场监督管理局" in _page(shown)
    assert reversed_period.status_code == 400
    assert "开始日期不能晚于结束日期" in _page(reversed_period)


def test_the_window_codes_page_shows_a_qr_code_linking_to_the_rating_page(
    client, county
):
    client.force_login(county.people.zhouba)

    page = _page(client.get("/staff/ratings/windows/"))

    assert "http://testserver/hall/ratings/windows/sc-03/" in page
    assert 'src="data:image/svg+xml' in page


def test_the_menu_shows_the_rating_section_by_permission(client, county):
    client.force_login(county.people.zhouba)
    supervisor = _page(client.get("/staff/"))
    client.force_login(county.people.wangwu)
    approver = _page(client.get("/staff/"))

    assert "申诉审核" in supervisor
    assert "好差评统计" in supervisor
    assert "整改工单" in approver
    assert "申诉审核" not in approver


def test_the_rating_page_reads_in_english_with_english_tags(
    client, county, english_catalog, settings
):
    case = factories.case(county)
    client.force_login(county.people.zhangsan)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = _page(client.get(f"/hall/ratings/cases/{case.number}/"))

    assert "Rate your case" in page
    assert "</i>Very dissatisfied</label>" in page
    assert ">Had to come back several times</label>" in page
    assert 'value="多次跑腿"' in page


def test_acting_on_a_closed_order_shows_why_at_the_top_of_its_page(
    client, county, rect
):
    Rectification.objects.filter(pk=rect.pk).update(state=Rectification.State.CLOSED)
    client.force_login(county.people.wangwu)

    response = client.post(
        f"/staff/ratings/rectifications/{rect.pk}/reply/", {"reply": "再次答复"}
    )

    assert response.status_code == 400
    assert 'role="alert">\n  只有整改中的工单可以答复评价人' in _page(response)
    assert 'id="sv-reply-form"' not in _page(response)
