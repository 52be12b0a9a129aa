"""一窗受理 and 办件管理 pages: the queue with its correction deadline, window
entry, the case page with its buttons, refusals shown as 400, downloads and
the applicant's own instruments."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.servicehall import case_actions as actions
from egov.servicehall.models import Case, CaseMaterial
from tests.identity import factories as idf
from tests.servicehall import case_factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def county(db):
    return cf.case_county()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _numbers(response, table: str) -> list[str]:
    html = response.content.decode()
    part = html[html.index(f'id="{table}"') :]
    return re.findall(r'class="font-monospace">(\d+)</a>', part)


def test_the_menu_shows_the_window_to_clerks_and_the_case_list_to_approvers(county):
    clerk = _client(county.people.lisi).get("/staff/").content.decode()
    approver = _client(county.people.wangwu).get("/staff/").content.decode()

    assert "/staff/cases/window/" in clerk
    assert "/staff/cases/window/" not in approver
    assert "/staff/cases/" in approver


def test_the_window_queue_lists_waiting_cases_oldest_first_with_the_warning(county):
    version = cf.item(county)
    old = cf.submitted_case(
        county, version, submitted_at=timezone.now() - timedelta(days=20)
    )
    new = cf.submitted_case(county, version)
    accepted = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=accepted)

    response = _client(county.people.lisi).get("/staff/cases/window/")

    assert response.status_code == 200
    assert _numbers(response, "case-window-table") == [old.number, new.number]
    assert response.content.decode().count("已超过5个工作日，依法视为受理") == 1


def test_the_window_queue_filters_by_channel(county):
    version = cf.item(county)
    cf.submitted_case(county, version)

    response = _client(county.people.lisi).get("/staff/cases/window/?channel=window")

    assert _numbers(response, "case-window-table") == []


def test_staff_without_the_accept_permission_get_403_on_the_window(county):
    response = _client(county.people.wangwu).get("/staff/cases/window/")

    assert response.status_code == 403


def test_a_clerk_enters_an_in_person_application_with_a_scanned_material(county):
    version = cf.item(county)
    requirement = version.materials.first()
    client = _client(county.people.lisi)

    picker = client.get(f"/staff/cases/window/enter/?item={version.item.code}")
    response = client.post(
        "/staff/cases/window/enter/",
        {
            "item": version.item.code,
            "applicant_kind": "individual",
            "applicant_name": "钱多多",
            "applicant_id_number": idf.id_number("19700101", seq=55),
            "contact_phone": "13999219999",
            f"material_{requirement.pk}": cf.pdf_upload(),
        },
    )

    assert picker.status_code == 200
    case = Case.objects.get(applicant_name="钱多多")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{case.number}/"
    assert (case.channel, case.entered_by, case.state) == (
        "window",
        county.people.lisi,
        "submitted",
    )
    assert CaseMaterial.objects.filter(case=case, requirement=requirement).count() == 1
    receipt = client.get(f"/staff/cases/{case.number}/receipt/")
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_entering_with_a_wrong_id_checksum_is_refused_at_the_form(county):
    version = cf.item(county)
    good = idf.id_number("19700101", seq=55)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = _client(county.people.lisi).post(
        "/staff/cases/window/enter/",
        {
            "item": version.item.code,
            "applicant_kind": "individual",
            "applicant_name": "钱多多",
            "applicant_id_number": bad,
            "contact_phone": "13999219999",
        },
    )

    assert response.status_code == 400
    assert "身份证号校验位不正确，请核对后重新输入" in response.content.decode()
    assert not Case.objects.filter(applicant_name="钱多多").exists()


def _entry(version, **extra) -> dict:
    return {
        "item": version.item.code,
        "applicant_kind": "individual",
        "applicant_name": "钱多多",
        "applicant_id_number": idf.id_number("19700101", seq=55),
        "contact_phone": "13999219999",
        **extra,
    }


def test_the_clerk_fills_the_items_application_form_at_the_window(county):
    import json

    from tests.servicehall.apply_factories import FORM_DATA, FORM_SCHEMA

    version = cf.item(county)
    cf.with_application_form(county, version)
    client = _client(county.people.lisi)

    page = client.get(f"/staff/cases/window/enter/?item={version.item.code}")
    viewer = client.get(f"/staff/cases/window/enter/form/?item={version.item.code}")
    response = client.post(
        "/staff/cases/window/enter/",
        _entry(version, form_data=json.dumps(FORM_DATA, ensure_ascii=False)),
    )

    assert "data-sh-item-form" in page.content.decode()
    assert viewer.json() == {"schema": FORM_SCHEMA, "data": {}}
    assert response.status_code == 302
    case = Case.objects.get(applicant_name="钱多多")
    assert case.form_data == FORM_DATA


@pytest.mark.parametrize(
    ("form_data", "message"),
    [
        ("", "申请表填写有误"),
        ('{"operator_name": "张三小吃店"}', "申请表填写有误"),
        (
            '{"operator_name": "店", "premises": "路", "business_form": "bar"}',
            "申请表填写有误",
        ),
        ('{"operator_name": ', "申请表数据格式不正确"),
        ("[1, 2]", "申请表数据格式不正确"),
    ],
)
def test_a_wrong_or_incomplete_application_form_enters_nothing(
    county, form_data, message
):
    version = cf.item(county)
    cf.with_application_form(county, version)

    response = _client(county.people.lisi).post(
        "/staff/cases/window/enter/", _entry(version, form_data=form_data)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.filter(applicant_name="钱多多").exists()


def test_the_window_form_viewer_answers_only_clerks_and_only_items_with_a_form(
    county,
):
    version = cf.item(county)
    url = f"/staff/cases/window/enter/form/?item={version.item.code}"

    assert _client(county.people.lisi).get(url).status_code == 404
    cf.with_application_form(county, version)
    assert _client(county.people.wangwu).get(url).status_code == 403
    assert _client(county.people.lisi).get(url).status_code == 200
    assert _client(county.people.lisi).get(url + "x").status_code == 404


def test_the_case_page_masks_the_applicant_and_offers_the_window_buttons(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)

    html = _client(county.people.lisi).get(f"/staff/cases/{case.number}/").content
    html = html.decode()

    assert case.applicant_id_masked in html
    assert case.applicant_id_number not in html
    assert 'id="case-accept"' in html
    assert 'id="case-refuse"' in html
    assert 'id="case-correction"' in html
    assert 'id="case-decide"' not in html


def test_revealing_the_applicant_shows_the_full_number_and_is_audited(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)

    response = _client(county.people.lisi).post(
        f"/staff/cases/{case.number}/reveal/", HTTP_HX_REQUEST="true"
    )

    assert case.applicant_id_number in response.content.decode()
    entry = AuditEntry.objects.filter(action="servicehall.reveal_applicant").get()
    assert (entry.username, entry.target_id) == ("lisi", case.number)


def test_accepting_through_the_page_redirects_with_the_notice(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)
    client = _client(county.people.lisi)

    response = client.post(f"/staff/cases/{case.number}/accept/", {"note": ""})

    assert response.status_code == 302
    assert cf.fresh(case).state == Case.State.ACCEPTED
    instrument = cf.fresh(case).instruments.get()
    pdf = client.get(f"/staff/cases/{case.number}/instruments/{instrument.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_refusing_without_a_reason_answers_400_with_the_message(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)

    response = _client(county.people.lisi).post(
        f"/staff/cases/{case.number}/refuse/", {"reason": " "}
    )

    assert response.status_code == 400
    assert "请填写不予受理理由" in response.content.decode()
    assert cf.fresh(case).state == Case.State.SUBMITTED


def test_the_correction_form_sends_every_ticked_material_and_free_items(county):
    version = cf.item(county)
    requirement = version.materials.first()
    case = cf.submitted_case(county, version)

    response = _client(county.people.lisi).post(
        f"/staff/cases/{case.number}/correction/",
        {
            f"m_{requirement.pk}": "on",
            f"r_{requirement.pk}": "签字不全",
            "extra": "场所平面图：请标注面积\n租赁合同",
            "note": "请于三日内补正",
        },
    )

    assert response.status_code == 302
    correction = cf.fresh(case).corrections.get()
    assert correction.items == [
        {"material": requirement.pk, "name": requirement.name, "reason": "签字不全"},
        {"material": None, "name": "场所平面图", "reason": "请标注面积"},
        {"material": None, "name": "租赁合同", "reason": ""},
    ]


def test_a_material_downloads_for_staff_in_scope_and_404_outside(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)
    material = case.materials.get()
    url = f"/staff/cases/{case.number}/materials/{material.pk}/"

    mine = _client(county.people.lisi).get(url)
    theirs = _client(county.people.neighbour_window).get(url)

    assert mine.status_code == 200
    assert theirs.status_code == 404


def test_the_case_list_filters_by_state_and_shows_awaiting_decision(county):
    version = cf.item(county)
    waiting = cf.submitted_case(county, version)
    accepted = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=accepted)
    client = _client(county.people.sunqi)

    everything = client.get("/staff/cases/")
    deciding = client.get("/staff/cases/?state=awaiting_decision")

    assert _numbers(everything, "case-table") == [accepted.number, waiting.number]
    assert _numbers(deciding, "case-table") == [accepted.number]
    assert "待决定" in deciding.content.decode()


def test_the_applicant_downloads_their_instrument_others_get_404_strangers_sign_in(
    county,
):
    version = cf.item(county)
    case = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=case)
    instrument = cf.fresh(case).instruments.get()
    other = idf.user("wangxiao", "王小", kind="citizen")
    url = f"/hall/my/{case.number}/instruments/{instrument.pk}/"

    own = _client(county.people.zhangsan).get(url)
    someone_else = _client(other).get(url)
    anonymous = Client().get(url)

    assert own.status_code == 200
    assert b"".join(own.streaming_content).startswith(b"%PDF")
    assert someone_else.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/?next=")


def _accepted_with_review(county):
    version = cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)
    case = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=case)
    return cf.fresh(case)


def test_an_extension_is_requested_and_approved_through_the_page(county):
    case = _accepted_with_review(county)
    base = f"/staff/cases/{case.number}/"

    asked = _client(county.people.sunqi).post(
        base + "extension/", {"amount": "5", "reason": "需组织专家评审"}
    )
    page = _client(county.people.sunqi).get(base).content.decode()
    pending = cf.fresh(case).extension_requests.get()
    decided = _client(county.people.sunqi).post(
        base + f"extension/{pending.pk}/", {"approve": "1", "note": "同意"}
    )

    assert asked.status_code == 302
    assert 'id="case-extension-decide"' in page
    assert decided.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "approved"
    assert cf.fresh(case).instruments.last().kind == "extension_notice"


def test_suspending_and_resuming_through_the_page(county):
    case = _accepted_with_review(county)
    client = _client(county.people.sunqi)
    base = f"/staff/cases/{case.number}/"

    suspended = client.post(base + "suspend/", {"kind": "hearing", "reason": "听证"})
    state_after_suspend = cf.fresh(case).state
    resumed = client.post(base + "resume/", {"note": "听证结束"})

    assert (suspended.status_code, resumed.status_code) == (302, 302)
    assert state_after_suspend == Case.State.SUSPENDED
    assert cf.fresh(case).state == Case.State.ACCEPTED


def test_deciding_while_the_process_runs_answers_400_with_the_message(county):
    case = _accepted_with_review(county)

    response = _client(county.people.sunqi).post(
        f"/staff/cases/{case.number}/decide/", {"decision": "approve"}
    )

    assert response.status_code == 400
    assert "审批流程尚未办结，不能作出决定" in response.content.decode()
    assert cf.fresh(case).state == Case.State.ACCEPTED


def test_an_approver_posting_an_acceptance_is_refused_with_403(county):
    version = cf.item(county)
    case = cf.submitted_case(county, version)

    response = _client(county.people.wangwu).post(f"/staff/cases/{case.number}/accept/")

    assert response.status_code == 403
    assert cf.fresh(case).state == Case.State.SUBMITTED


def test_the_case_page_shows_the_deadlines_and_the_process_tasks(county):
    case = _accepted_with_review(county)

    html = _client(county.people.sunqi).get(f"/staff/cases/{case.number}/")
    html = html.content.decode()

    assert 'id="case-deadlines"' in html
    assert "法定时限" in html and "承诺时限" in html
    task = case.process_instance.tasks.get()
    assert f'href="/staff/workflow/tasks/{task.pk}/"' in html
    assert "承办科室审查" in html


def test_the_case_page_masks_personal_fields_of_the_form_until_the_full_view(county):
    case = cf.submitted_case(county, cf.item(county))
    case.form_data = {"经营场所": "示范县城关镇人民路1号", "联系电话": "13999218888"}
    case.save(update_fields=["form_data"])
    clerk = _client(county.people.lisi)

    page = clerk.get(f"/staff/cases/{case.number}/").content.decode()

    assert "示范县城关镇人民路1号" in page
    assert "13999218888" not in page
    assert "139****8888" in page

    revealed = clerk.post(f"/staff/cases/{case.number}/reveal/").content.decode()

    assert "13999218888" in revealed
    assert AuditEntry.objects.filter(action="servicehall.reveal_applicant").exists()
