"""The applicant's pages: starting from the guide, the draft page, uploads,
submitting by form post (twice), 我的办件, the receipt, the correction page,
withdrawal, the public lookup, and who may open what (matrix)."""

import io
import uuid

import pytest
from django.test import Client
from pypdf import PdfReader

from egov.servicehall import apply_actions as actions
from egov.servicehall.models import Case, CaseMaterial
from tests.servicehall import apply_factories as af


@pytest.fixture
def county(db, no_staff_2fa):
    return af.apply_county()


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def text(response) -> str:
    return response.content.decode()


def _applicant_post(case, **overrides) -> dict:
    data = {
        "applicant_name": case.applicant_name,
        "applicant_id_number": case.applicant_id_number,
        "contact_name": case.contact_name,
        "contact_phone": case.contact_phone,
        "contact_email": "",
        "description": "申请开办小吃店",
        "action": "save",
    }
    data.update(overrides)
    return data


# --- starting ---------------------------------------------------------------


def test_the_guide_page_offers_applying_online(county):
    page = Client().get(f"/hall/items/{af.ITEM_CODE}/")

    assert f'href="/hall/items/{af.ITEM_CODE}/apply/"' in text(page)
    assert "在线申请" in text(page)


def test_applying_needs_signing_in(county):
    page = Client().get(f"/hall/items/{af.ITEM_CODE}/apply/")

    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def test_starting_twice_with_one_token_makes_one_draft(county):
    client = signed_in(county.people.zhangsan)
    token = str(uuid.uuid4())

    first = client.post(f"/hall/items/{af.ITEM_CODE}/apply/", {"client_token": token})
    again = client.post(f"/hall/items/{af.ITEM_CODE}/apply/", {"client_token": token})

    assert first.status_code == 302
    assert first["Location"] == f"/hall/my/drafts/{token}/"
    assert again["Location"] == first["Location"]
    assert Case.objects.count() == 1


def test_the_start_page_tells_staff_to_use_the_window(county):
    page = signed_in(county.people.lisi).get(f"/hall/items/{af.ITEM_CODE}/apply/")

    assert "网上申请仅面向个人和法人用户，工作人员请通过窗口代录。" in text(page)
    assert "开始申请" not in text(page)


def test_the_public_header_links_my_cases_for_citizens_only(county):
    citizen = signed_in(county.people.zhangsan).get("/hall/")
    staff = signed_in(county.people.lisi).get("/hall/")

    assert 'href="/hall/my/"' in text(citizen)
    assert 'href="/hall/my/"' not in text(staff)


# --- the draft page ---------------------------------------------------------


def test_the_draft_page_is_prefilled_and_lists_missing_materials(county):
    case = af.new_draft(county)

    page = signed_in(county.people.zhangsan).get(
        f"/hall/my/drafts/{case.client_token}/"
    )

    body = text(page)
    assert page.status_code == 200
    assert 'value="张三"' in body
    assert f'value="{county.people.zhangsan.id_number}"' in body
    assert 'capture="environment"' in body
    assert 'accept="image/*,application/pdf"' in body
    assert "以下必交材料尚未上传" in body
    assert "申请说明" in body  # the basic form: the item has no form of its own


def test_the_draft_page_mounts_the_items_form_with_the_viewer(county):
    af.with_form(county)
    case = af.new_draft(county)
    client = signed_in(county.people.zhangsan)

    page = client.get(f"/hall/my/drafts/{case.client_token}/")
    loaded = client.get(f"/hall/my/{case.client_token}/form/").json()

    assert "data-egov-form" in text(page)
    assert "build/form-viewer.js" in text(page)
    assert "申请说明" not in text(page)
    assert loaded["schema"] == af.FORM_SCHEMA
    assert loaded["data"] == {}


def test_saving_the_draft_page_keeps_the_fields(county):
    af.with_form(county)
    case = af.new_draft(county)
    client = signed_in(county.people.zhangsan)

    response = client.post(
        f"/hall/my/drafts/{case.client_token}/",
        _applicant_post(
            case, contact_name="李梅", form_data='{"operator_name": "张三小吃店"}'
        ),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.contact_name == "李梅"
    assert case.form_data == {"operator_name": "张三小吃店"}


def test_a_wrong_id_check_digit_is_refused_at_the_form(county):
    case = af.new_draft(county)
    good = case.applicant_id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    response = signed_in(county.people.zhangsan).post(
        f"/hall/my/drafts/{case.client_token}/",
        _applicant_post(case, applicant_id_number=wrong, contact_phone="12345"),
    )

    assert response.status_code == 400
    assert "身份证号校验位不正确，请核对后重新输入" in text(response)
    assert "请输入11位中国大陆手机号码" in text(response)
    case.refresh_from_db()
    assert case.applicant_id_number == good


def test_upload_on_the_page_adds_the_material(county):
    case = af.new_draft(county)
    client = signed_in(county.people.zhangsan)

    response = client.post(
        f"/hall/my/{case.client_token}/upload/",
        {"requirement": county.requirements[0].pk, "photo": af.png_upload("IMG.png")},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/hall/my/drafts/{case.client_token}/#materials"
    assert case.materials.get().file.original_name == "IMG.png"


def test_a_disguised_upload_shows_a_clear_message(county):
    case = af.new_draft(county)
    client = signed_in(county.people.zhangsan)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "photo.png"

    response = client.post(
        f"/hall/my/{case.client_token}/upload/",
        {"requirement": county.requirements[0].pk, "file": fake},
        follow=True,
    )

    assert "文件“photo.png”的内容不是PNG格式，与扩展名不符或文件已损坏" in text(
        response
    )
    assert not CaseMaterial.objects.exists()


def test_submitting_by_form_post_twice_makes_one_case(county):
    case = af.complete_draft(county)
    client = signed_in(county.people.zhangsan)
    url = f"/hall/my/drafts/{case.client_token}/"

    first = client.post(url, _applicant_post(case, action="submit"))
    again = client.post(url, _applicant_post(case, action="submit"))

    case.refresh_from_db()
    assert first.status_code == 302
    assert first["Location"] == f"/hall/my/{case.number}/"
    assert again.status_code == 302
    assert again["Location"] == f"/hall/my/{case.number}/"
    assert Case.objects.exclude(number=None).count() == 1
    page = client.get(first["Location"])
    assert case.lookup_code in text(page)


def test_submitting_incomplete_shows_every_problem(county):
    case = af.new_draft(county)

    response = signed_in(county.people.zhangsan).post(
        f"/hall/my/drafts/{case.client_token}/",
        _applicant_post(case, action="submit", contact_name=""),
    )

    body = text(response)
    assert response.status_code == 400
    assert "申请还不完整，请按提示补充后再提交" in body
    assert "请填写联系人" in body
    assert "请上传“食品经营许可申请书”" in body
    assert "请上传“营业执照”" in body


# --- 我的办件, receipt, withdrawal -------------------------------------------


def test_my_cases_lists_drafts_and_submitted_cases_without_personal_data(county):
    draft = af.new_draft(county)
    done = af.submitted(county)

    page = signed_in(county.people.zhangsan).get("/hall/my/")

    body = text(page)
    assert f"/hall/my/drafts/{draft.client_token}/" in body
    assert f"/hall/my/{done.number}/" in body
    assert "待受理" in body
    assert county.people.zhangsan.id_number not in body
    assert "13999211001" not in body


def test_the_case_page_masks_personal_data(county):
    case = af.submitted(county)

    page = signed_in(county.people.zhangsan).get(f"/hall/my/{case.number}/")

    body = text(page)
    assert case.applicant_id_masked in body
    assert county.people.zhangsan.id_number not in body
    assert "139****1001" in body


def test_the_receipt_is_a_pdf_with_the_number_and_lookup_code(county):
    case = af.submitted(county)

    response = signed_in(county.people.zhangsan).get(f"/hall/my/{case.number}/receipt/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    content = "".join(page.extract_text() for page in pdf.pages)
    assert case.number in content
    assert case.lookup_code in content


def test_withdrawing_from_the_case_page(county):
    case = af.submitted(county)
    client = signed_in(county.people.zhangsan)

    response = client.post(f"/hall/my/{case.number}/withdraw/", {"reason": "不办了"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.WITHDRAWN


def test_the_correction_page_lists_the_request_and_resubmits(county):
    case = af.submitted(county)
    af.request_correction(case, county.people.lisi, reason="照片不清晰")
    client = signed_in(county.people.zhangsan)

    case_page = client.get(f"/hall/my/{case.number}/")
    page = client.get(f"/hall/my/{case.number}/correction/")
    client.post(
        f"/hall/my/{case.number}/upload/",
        {"requirement": county.requirements[0].pk, "file": af.png_upload("新.png")},
    )
    response = client.post(
        f"/hall/my/{case.number}/correction/", _applicant_post(case, action="resubmit")
    )

    assert f'href="/hall/my/{case.number}/correction/"' in text(case_page)
    assert "照片不清晰" in text(page)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.SUBMITTED
    assert case.materials.filter(is_current=True).count() == 2


# --- public lookup ----------------------------------------------------------


def test_public_lookup_shows_progress_to_anyone_with_the_code(county):
    case = af.submitted(county)

    page = Client().post(
        "/hall/lookup/", {"number": case.number, "code": case.lookup_code}
    )

    body = text(page)
    assert "食品经营许可" in body
    assert "示范县市场监督管理局" in body
    assert "已通过网上办事大厅提交申请，等待受理" in body
    assert "张三" not in body


def test_a_wrong_code_and_a_missing_number_read_the_same(county):
    case = af.submitted(county)
    client = Client()

    wrong = client.post("/hall/lookup/", {"number": case.number, "code": "ZZZZZZ"})
    missing = client.post("/hall/lookup/", {"number": "1", "code": case.lookup_code})

    assert "未找到该办件，请核对办件编号和查询码。" in text(wrong)
    assert "未找到该办件，请核对办件编号和查询码。" in text(missing)
    assert "食品经营许可" not in text(wrong)


def test_guessing_lookup_codes_is_stopped_after_ten_failures(county):
    case = af.submitted(county)
    client = Client()
    for guess in range(10):
        client.post("/hall/lookup/", {"number": case.number, "code": f"A{guess}"})

    page = client.post(
        "/hall/lookup/", {"number": case.number, "code": case.lookup_code}
    )

    assert page.status_code == 429
    assert "查询失败次数过多，请10分钟后再试" in text(page)
    assert "食品经营许可" not in text(page).split("<main", 1)[1]


# --- who may open what (matrix) ---------------------------------------------


def _urls(case, material) -> list[tuple[str, str]]:
    number = case.number
    return [
        ("get", f"/hall/my/{number}/"),
        ("get", f"/hall/my/{number}/receipt/"),
        ("get", f"/hall/my/{number}/materials/{material.pk}/"),
        ("get", f"/hall/my/{number}/correction/"),
        ("post", f"/hall/my/{number}/withdraw/"),
        ("post", f"/hall/my/{number}/upload/"),
        ("post", f"/hall/my/{number}/materials/{material.pk}/remove/"),
    ]


@pytest.mark.parametrize("who", ["chenxiaohong", "qingshan", "lisi", "wangwu"])
def test_nobody_else_reaches_a_citizens_case_materials_or_receipt(county, who):
    case = af.submitted(county)
    material = case.materials.first()
    client = signed_in(getattr(county.people, who))

    codes = {
        url: getattr(client, method)(url, {"reason": "x"}).status_code
        for method, url in _urls(case, material)
    }

    assert set(codes.values()) == {404}, codes
    case.refresh_from_db()
    assert case.state == Case.State.SUBMITTED


@pytest.mark.parametrize("who", ["chenxiaohong", "qingshan", "lisi"])
def test_nobody_else_reaches_a_citizens_draft(county, who):
    case = af.complete_draft(county)
    material = case.materials.first()
    token = case.client_token
    client = signed_in(getattr(county.people, who))

    codes = [
        client.get(f"/hall/my/drafts/{token}/").status_code,
        client.post(f"/hall/my/drafts/{token}/", {"action": "submit"}).status_code,
        client.get(f"/hall/my/{token}/form/").status_code,
        client.get(f"/hall/my/{token}/materials/{material.pk}/").status_code,
        client.post(f"/hall/my/drafts/{token}/discard/").status_code,
    ]

    assert codes == [404, 404, 404, 404, 404]
    assert Case.objects.get(pk=case.pk).state == Case.State.DRAFT


def test_the_applicant_reaches_everything_of_their_own(county):
    case = af.submitted(county)
    material = case.materials.first()
    client = signed_in(county.people.zhangsan)

    codes = [
        client.get(f"/hall/my/{case.number}/").status_code,
        client.get(f"/hall/my/{case.number}/receipt/").status_code,
        client.get(f"/hall/my/{case.number}/materials/{material.pk}/").status_code,
    ]

    assert codes == [200, 200, 200]


def test_a_material_of_one_case_is_not_reached_through_another(county):
    mine = af.submitted(county)
    other = af.submitted(county, county.people.chenxiaohong)
    theirs = other.materials.first()

    response = signed_in(county.people.zhangsan).get(
        f"/hall/my/{mine.number}/materials/{theirs.pk}/"
    )

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(county):
    case = af.submitted(county)

    response = Client().get(f"/hall/my/{case.number}/receipt/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_second_click_that_waited_for_the_first_shows_the_submitted_case(county):
    from django.test import RequestFactory

    from egov.servicehall.views import apply as views

    case = af.complete_draft(county)
    stale = Case.objects.get(pk=case.pk)  # read before the first click committed
    done = actions.submit_case(actor=county.people.zhangsan, case=case)
    request = RequestFactory().post(
        f"/hall/my/drafts/{case.client_token}/", _applicant_post(case, action="submit")
    )
    request.user = county.people.zhangsan

    response = views._edit(request, stale, final_action="submit")

    assert response.status_code == 302
    assert response["Location"] == f"/hall/my/{done.number}/"
    assert Case.objects.exclude(number=None).count() == 1
