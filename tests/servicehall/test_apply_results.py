"""我的办件 after the window and the departments have acted: the accepted
case's instruments (文书), the licence of the approved case, and the rating
link once it is concluded; another citizen reaches none of them."""

import pytest
from django.test import Client

from egov.identity.models import User
from egov.servicehall import case_actions
from tests.identity import factories as idf
from tests.servicehall import case_factories as cf


@pytest.fixture
def county(db):
    county = cf.case_county()
    county.people.chenxiaohong = idf.user(
        "chenxiaohong",
        "陈小红",
        kind=User.Kind.CITIZEN,
        id_number_value=idf.id_number("19920708", seq=2),
    )
    return county


@pytest.fixture
def approved(county):
    version = cf.item(county, code="000172012000-139921188", issues_licence=True)
    case = cf.submitted_case(county, version)
    case_actions.accept_case(actor=county.people.lisi, case=case)
    case_actions.decide_case(
        actor=county.people.sunqi,
        case=cf.fresh(case),
        decision="approve",
        reasons="符合条件",
    )
    return cf.fresh(case)


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_case_page_offers_the_instruments_the_licence_and_rating(county, approved):
    licence = approved.licences.get()
    instruments = list(approved.instruments.order_by("id"))

    page = signed_in(county.people.zhangsan).get(f"/hall/my/{approved.number}/")

    body = page.content.decode()
    assert "准予" in body
    for instrument in instruments:
        assert f"/hall/my/{approved.number}/instruments/{instrument.pk}/" in body
    assert {i.kind for i in instruments} >= {"acceptance_notice", "approval_decision"}
    assert f"/hall/licences/{licence.code}/" in body
    assert f"/hall/ratings/cases/{approved.number}/" in body


def test_the_applicant_downloads_an_instrument_and_another_citizen_gets_404(
    county, approved
):
    instrument = approved.instruments.order_by("id").first()
    url = f"/hall/my/{approved.number}/instruments/{instrument.pk}/"

    mine = signed_in(county.people.zhangsan).get(url)
    theirs = signed_in(county.people.chenxiaohong).get(url)
    their_page = signed_in(county.people.chenxiaohong).get(
        f"/hall/my/{approved.number}/"
    )

    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert theirs.status_code == 404
    assert their_page.status_code == 404


def test_the_accepted_case_shows_its_current_step_and_time_left(county):
    version = cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)
    case = cf.submitted_case(county, version)
    case_actions.accept_case(actor=county.people.lisi, case=case)

    listing = signed_in(county.people.zhangsan).get("/hall/my/")

    body = listing.content.decode()
    steps = list(
        cf.fresh(case)
        .process_instance.tasks.filter(state__in=["open", "claimed"])
        .values_list("node_name", flat=True)
    )
    assert steps
    assert f"当前环节：{steps[0]}" in body
    assert "剩余时限：剩余" in body


def test_a_correction_requested_by_the_window_is_answered_from_the_page(county):
    version = cf.item(county, code="000172012000-139921199", issues_licence=False)
    case = cf.submitted_case(county, version, materials=1)
    requirement = version.materials.order_by("sort_order", "id").first()
    case_actions.request_correction(
        actor=county.people.lisi,
        case=case,
        items=[{"material": requirement.pk, "reason": "申请书未签字"}],
        note="请补正后重新提交",
    )
    client = signed_in(county.people.zhangsan)

    page = client.get(f"/hall/my/{case.number}/correction/")
    client.post(
        f"/hall/my/{case.number}/upload/",
        {"requirement": requirement.pk, "file": cf.pdf_upload("已签字申请书.pdf")},
    )
    response = client.post(
        f"/hall/my/{case.number}/correction/",
        {
            "applicant_name": "张三",
            "applicant_id_number": case.applicant_id_number,
            "contact_name": "张三",
            "contact_phone": "13999211001",
            "action": "resubmit",
        },
    )

    assert "申请书未签字" in page.content.decode()
    assert response.status_code == 302
    case = cf.fresh(case)
    assert case.state == "submitted"
    assert case.corrections.get().resolved_at is not None
    current = case.materials.get(requirement=requirement, is_current=True)
    assert current.file.original_name == "已签字申请书.pdf"
    assert case.materials.filter(is_current=False).count() == 1
