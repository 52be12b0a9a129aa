"""The 电话回访 pages: the cases waiting for a call, the entry form, the
audited full phone number, and what the department and the applicant read
afterwards. Cases outside the viewer's scope answer 404; roles without the
permission get 403."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.identity import roles as builtin
from egov.servicehall.models import Case
from egov.supervision import phone_rating_queries as phone_queries
from egov.supervision import rating_actions as actions
from egov.supervision.models import Rectification, ServiceRating
from tests.identity import factories as idf
from tests.supervision import factories

pytestmark = pytest.mark.usefixtures("no_staff_2fa")


def _page(response) -> str:
    return response.content.decode()


def _minute(minutes_ago: int = 10) -> str:
    return timezone.localtime(timezone.now() - timedelta(minutes=minutes_ago)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def test_the_list_shows_concluded_unrated_cases_in_scope(client, county):
    waiting = factories.case(county)
    rated = factories.case(county)
    actions.rate_case(actor=county.people.zhangsan, case=rated, level=5)
    in_progress = factories.case(county, state=Case.State.ACCEPTED)
    client.force_login(county.people.zhouba)

    page = _page(client.get("/staff/ratings/phone/"))

    assert waiting.number in page
    assert f'href="/staff/ratings/phone/{waiting.number}/"' in page
    assert rated.number not in page
    assert in_progress.number not in page
    assert "139****1001" in page
    assert "13999211001" not in page


def test_the_list_finds_a_case_by_its_number(client, county):
    first = factories.case(county)
    second = factories.case(county)
    client.force_login(county.people.zhouba)

    page = _page(client.get("/staff/ratings/phone/", {"number": second.number[-5:]}))

    assert second.number in page
    assert first.number not in page


def test_the_recorded_tab_lists_phone_ratings_with_their_rectification(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)
    client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "1", "called_at": _minute(), "consented": "on"},
    )

    page = _page(client.get("/staff/ratings/phone/", {"tab": "recorded"}))

    rating = ServiceRating.objects.get()
    called = timezone.localtime(rating.called_at).strftime("%Y-%m-%d %H:%M")
    assert case.number in page
    assert "非常不满意" in page
    assert "整改中" in page
    assert "<th>回访时间</th><th>登记人</th>" in page
    assert f'<td class="small text-nowrap">{called}</td>\n      <td>周八</td>' in page


@pytest.mark.parametrize("person", ["wangwu", "zhaoliu", "lisi", "hemin", "zhangsan"])
def test_roles_without_the_permission_get_403(client, county, person):
    case = factories.case(county)
    client.force_login(getattr(county.people, person))

    assert client.get("/staff/ratings/phone/").status_code == 403
    assert client.get(f"/staff/ratings/phone/{case.number}/").status_code == 403
    assert (
        client.post(
            f"/staff/ratings/phone/{case.number}/",
            {"level": "5", "called_at": _minute(), "consented": "on"},
        ).status_code
        == 403
    )
    assert not ServiceRating.objects.exists()


def test_a_case_outside_the_supervisors_region_answers_404(client, county):
    neighbour_supervisor = idf.user(
        "linxian_supervisor",
        "邻县监察员",
        posts=[county.posts.neighbour_clerk],
        roles=[builtin.STAFF, builtin.SUPERVISOR],
    )
    case = factories.case(county)
    client.force_login(neighbour_supervisor)

    listed = _page(client.get("/staff/ratings/phone/"))
    shown = client.get(f"/staff/ratings/phone/{case.number}/")
    posted = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "5", "called_at": _minute(), "consented": "on"},
    )
    revealed = client.post(f"/staff/ratings/phone/{case.number}/reveal/")

    assert case.number not in listed
    assert shown.status_code == 404
    assert posted.status_code == 404
    assert revealed.status_code == 404
    assert not ServiceRating.objects.exists()


def test_a_case_not_yet_concluded_or_missing_answers_404(client, county):
    case = factories.case(county, state=Case.State.ACCEPTED)
    client.force_login(county.people.zhouba)

    assert client.get(f"/staff/ratings/phone/{case.number}/").status_code == 404
    assert client.get("/staff/ratings/phone/13992120260101999999/").status_code == 404


def test_the_supervisor_records_a_rating_on_the_form(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)

    shown = _page(client.get(f"/staff/ratings/phone/{case.number}/"))
    posted = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {
            "level": "2",
            "tags": ["材料要求不清"],
            "comment": "材料清单前后不一致",
            "called_at": _minute(),
            "consented": "on",
        },
        follow=True,
    )

    assert 'name="consented"' in shown
    assert "申请人同意由回访人员代为登记本次评价" in shown
    assert "</i>非常不满意</label>" in shown
    page = _page(posted)
    assert "电话评价已登记" in page
    assert 'id="sv-phone-recorded"' in page
    assert "登记人：周八 · 回访时间：" in page
    assert "已向责任部门派发整改工单。" in page
    assert 'name="level"' not in page
    rating = ServiceRating.objects.get()
    assert (rating.channel, rating.level, rating.tags) == ("phone", 2, ["材料要求不清"])
    assert rating.comment == "材料清单前后不一致"
    assert Rectification.objects.get().rating == rating


def test_without_the_consent_the_form_shows_why_and_nothing_is_written(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)

    response = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "4", "tags": ["服务态度好"], "called_at": _minute()},
    )

    page = _page(response)
    assert response.status_code == 400
    assert "请确认申请人同意由回访人员代为登记本次评价" in page
    # What was entered stays on the form.
    assert 'value="4" autocomplete="off" checked' in page
    assert not ServiceRating.objects.exists()


def test_a_missing_or_bad_call_time_is_refused_on_the_form(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)

    missing = client.post(
        f"/staff/ratings/phone/{case.number}/", {"level": "4", "consented": "on"}
    )
    garbled = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "4", "consented": "on", "called_at": "昨天下午"},
    )

    assert missing.status_code == 400
    assert "请填写回访时间" in _page(missing)
    assert garbled.status_code == 400
    assert "请填写有效的回访时间" in _page(garbled)
    assert not ServiceRating.objects.exists()


def test_a_case_rated_online_shows_the_rating_and_refuses_a_phone_rating(
    client, county
):
    case = factories.case(county)
    actions.rate_case(actor=county.people.zhangsan, case=case, level=5)
    client.force_login(county.people.zhouba)

    shown = _page(client.get(f"/staff/ratings/phone/{case.number}/"))
    posted = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "1", "called_at": _minute(), "consented": "on"},
    )

    assert "该办件已有评价" in shown
    assert "网上评价" in shown
    assert posted.status_code == 400
    assert "该办件已有评价，每个办件只能评价一次" in _page(posted)
    assert ServiceRating.objects.get().level == 5


def test_the_full_phone_number_is_shown_on_request_and_audited(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)

    masked = _page(client.get(f"/staff/ratings/phone/{case.number}/"))
    revealed = client.post(
        f"/staff/ratings/phone/{case.number}/reveal/", HTTP_HX_REQUEST="true"
    )

    assert "139****1001" in masked
    assert "13999211001" not in masked
    assert revealed.status_code == 200
    assert "13999211001" in _page(revealed)
    assert "本次查看已记入统一日志。" in _page(revealed)
    entry = AuditEntry.objects.get(action="servicehall.reveal_applicant")
    assert entry.user == county.people.zhouba
    assert entry.target_id == case.number


def test_the_department_and_the_applicant_see_it_came_by_phone(client, county):
    case = factories.case(county)
    client.force_login(county.people.zhouba)
    client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "2", "called_at": _minute(), "consented": "on"},
    )
    rect = Rectification.objects.get()

    client.force_login(county.people.wangwu)
    listed = _page(client.get("/staff/ratings/rectifications/"))
    detail = _page(client.get(f"/staff/ratings/rectifications/{rect.pk}/"))
    client.force_login(county.people.zhangsan)
    own = _page(client.get(f"/hall/ratings/cases/{case.number}/"))

    rating = ServiceRating.objects.get()
    assert case.number in listed
    assert "电话评价" in detail
    called = timezone.localtime(rating.called_at).strftime("%Y-%m-%d %H:%M")
    assert (
        f'<dd class="col-sm-9" id="sv-phone-called-at">{called}'
        '<span class="text-muted">（申请人同意代为登记）</span></dd>'
    ) in detail
    assert '<dd class="col-sm-9" id="sv-phone-recorded-by">周八</dd>' in detail
    assert '评价人</dt><dd class="col-sm-9">张三</dd>' in detail
    assert "无平台账号" not in detail
    assert "经电话回访登记" in own
    assert "责任部门将在规定时限内整改并答复您。" in own


# --- applicants without an account (窗口代录) --------------------------------


def test_a_walk_in_case_waits_for_a_call_and_one_out_of_scope_does_not(client, county):
    walk_in = factories.walk_in_case(county)
    neighbour = factories.walk_in_case(county, organization=county.orgs.neighbour)
    rated = factories.walk_in_case(county)
    actions.rate_case_by_phone(
        actor=county.people.zhouba,
        case=rated,
        level=5,
        called_at=timezone.now().replace(second=0, microsecond=0),
        consented=True,
    )
    client.force_login(county.people.zhouba)

    page = _page(client.get("/staff/ratings/phone/"))

    assert list(phone_queries.cases_awaiting_rating(county.people.zhouba)) == [walk_in]
    assert f'href="/staff/ratings/phone/{walk_in.number}/"' in page
    assert "刘桂兰" in page
    assert "无平台账号" in page
    assert "139****7788" in page
    assert "13999217788" not in page
    assert neighbour.number not in page
    assert rated.number not in page
    assert client.get(f"/staff/ratings/phone/{neighbour.number}/").status_code == 404


def test_the_supervisor_records_a_walk_in_applicants_rating_on_the_form(client, county):
    case = factories.walk_in_case(county)
    client.force_login(county.people.zhouba)

    shown = _page(client.get(f"/staff/ratings/phone/{case.number}/"))
    posted = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {
            "level": "2",
            "tags": ["办理超时"],
            "called_at": _minute(),
            "consented": "on",
        },
        follow=True,
    )

    assert "无平台账号" in shown
    assert "申请人没有平台账号，登记后将向办件的联系电话发送短信通知" in shown
    page = _page(posted)
    assert "电话评价已登记" in page
    assert "登记人：周八 · 回访时间：" in page
    rating = ServiceRating.objects.get()
    assert (rating.rater, rating.recorded_by, rating.level) == (
        None,
        county.people.zhouba,
        2,
    )
    assert Rectification.objects.get().rating == rating


def test_without_consent_a_walk_in_rating_is_refused_on_the_form(client, county):
    case = factories.walk_in_case(county)
    client.force_login(county.people.zhouba)

    response = client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "4", "called_at": _minute()},
    )

    assert response.status_code == 400
    assert "请确认申请人同意由回访人员代为登记本次评价" in _page(response)
    assert not ServiceRating.objects.exists()


def test_the_department_sees_a_walk_in_rating_named_after_the_case(client, county):
    case = factories.walk_in_case(county)
    client.force_login(county.people.zhouba)
    client.post(
        f"/staff/ratings/phone/{case.number}/",
        {"level": "1", "called_at": _minute(), "consented": "on"},
    )
    recorded = _page(client.get("/staff/ratings/phone/", {"tab": "recorded"}))
    rect = Rectification.objects.get()

    client.force_login(county.people.wangwu)
    detail = _page(client.get(f"/staff/ratings/rectifications/{rect.pk}/"))

    assert "刘桂兰" in recorded
    assert "无平台账号" in recorded
    assert '评价人</dt><dd class="col-sm-9">刘桂兰 <span' in detail
    assert 'id="sv-no-account">无平台账号</span>' in detail
    assert '<dd class="col-sm-9" id="sv-phone-recorded-by">周八</dd>' in detail
