"""The licence pages: public verification, the holder's own licence and PDF,
and 证照管理 on the internal face."""

import io

import pytest
from django.test import Client, RequestFactory
from pypdf import PdfReader

from egov.audit.models import AuditEntry
from egov.datahub import licence_queries
from egov.datahub.licence_actions import revoke_licence
from egov.datahub.models import ELicense
from tests.datahub import factories
from tests.identity import factories as idf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


# --- verification ---------------------------------------------------------------


def test_a_valid_licence_shows_valid_with_public_fields_only(issued):
    response = _client().get(f"/verify/{issued.code}/")

    page = _text(response)
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert "有效" in page
    assert issued.number in page
    assert "食品经营许可证" in page
    assert "张*" in page
    assert "张三" not in page
    assert "示范县市场监督管理局" in page
    assert issued.valid_until.isoformat() in page
    assert issued.case.applicant_id_number not in page
    assert issued.holder_id_masked not in page
    assert "味道小馆" not in page


def test_a_revoked_licence_shows_revoked_with_date_and_reason(issued, county):
    revoke_licence(actor=county.people.sunqi, licence=issued, reason="经营场所已注销")
    issued.refresh_from_db()

    page = _text(_client().get(f"/verify/{issued.code}/"))

    assert 'data-status="revoked"' in page
    assert "已注销" in page
    assert "经营场所已注销" in page
    assert issued.revoked_at.astimezone().strftime("%Y") in page


def test_a_tampered_licence_shows_tampering_and_none_of_its_fields(issued):
    ELicense.objects.filter(pk=issued.pk).update(holder_name="冒名者")

    response = _client().get(f"/verify/{issued.code}/")

    page = _text(response)
    assert response.status_code == 200
    assert 'data-status="tampered"' in page
    assert "数据被篡改" in page
    assert issued.number not in page
    assert "冒*" not in page


def test_an_unknown_code_is_a_404_in_the_same_page(db):
    response = _client().get("/verify/no-such-code/")

    page = _text(response)
    assert response.status_code == 404
    assert 'data-status="not_found"' in page
    assert "电子证照核验" in page
    assert "未找到该证照" in page


def test_the_qr_code_encodes_the_absolute_verification_url(issued, settings):
    assert licence_queries.qr_payload(issued) == (
        f"https://zwfw.example.gov.cn/verify/{issued.code}/"
    )

    settings.EGOV_PUBLIC_URL = ""
    request = RequestFactory().get("/")
    assert licence_queries.qr_payload(issued, request) == (
        f"http://testserver/verify/{issued.code}/"
    )


def test_the_holder_page_shows_the_qr_code_of_the_verification_url(issued, county):
    page = _text(_client(county.people.zhangsan).get(f"/hall/licences/{issued.code}/"))

    url = licence_queries.qr_payload(issued)
    assert f'src="{licence_queries.qr_svg_data_uri(url)}"' in page
    assert f'href="{url}"' in page


# --- the holder ---------------------------------------------------------------


def test_the_holder_lists_and_opens_their_licences(issued, county):
    client = _client(county.people.zhangsan)

    listing = _text(client.get("/hall/licences/"))
    detail = client.get(f"/hall/licences/{issued.code}/")

    assert issued.number in listing
    assert detail.status_code == 200
    assert issued.holder_id_masked in _text(detail)
    assert "味道小馆" in _text(detail)


def test_the_holder_downloads_the_pdf_and_the_download_is_audited(issued, county):
    response = _client(county.people.zhangsan).get(f"/hall/licences/{issued.code}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{issued.number}.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert issued.number in text
    assert issued.code in text
    entry = AuditEntry.objects.get(action="datahub.download_licence")
    assert entry.user == county.people.zhangsan
    assert entry.target_id == issued.number


@pytest.mark.parametrize("who", ["other_citizen", "wangwu"])
@pytest.mark.parametrize("suffix", ["", "pdf/"])
def test_nobody_but_the_holder_reaches_the_licence_page_or_pdf(
    issued, county, who, suffix
):
    if who == "other_citizen":
        person = idf.user(
            "wangxiao", "王小", kind="citizen", id_number_value=idf.id_number()
        )
    else:
        person = county.people.wangwu

    response = _client(person).get(f"/hall/licences/{issued.code}/{suffix}")

    assert response.status_code == 404
    assert issued.number not in _text(_client(person).get("/hall/licences/"))


def test_an_anonymous_visitor_is_sent_to_sign_in(issued):
    response = _client().get(f"/hall/licences/{issued.code}/pdf/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- 证照管理 ---------------------------------------------------------------


def test_staff_list_licences_within_their_scope(issued, county):
    assert issued.number in _text(_client(county.people.wangwu).get("/staff/licences/"))
    listing = _client(county.people.lisi).get("/staff/licences/")
    assert listing.status_code == 200
    assert issued.number not in _text(listing)
    assert "没有符合条件的电子证照" in _text(listing)


@pytest.fixture
def two_licences(issued, county):
    """The food licence, and a revoked 公共场所卫生许可证 of 市场监管局."""
    from egov.datahub.licence_actions import issue_licence
    from tests.servicehall import factories as shf

    version = shf.published(
        county,
        code="000172012000-139921105",
        name="公共场所卫生许可",
        licence_type="公共场所卫生许可证",
    )
    other = issue_licence(
        actor=county.people.wangwu,
        case=factories.approved_case(county, version=version),
    )
    revoke_licence(actor=county.people.sunqi, licence=other, reason="停业")
    return issued, other


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"food", "hygiene"}),
        ("type=食品经营许可证", {"food"}),
        ("type=公共场所卫生许可证", {"hygiene"}),
        ("state=valid", {"food"}),
        ("state=revoked", {"hygiene"}),
        ("issuer={market}", {"food", "hygiene"}),
    ],
)
def test_the_list_filters_by_type_state_and_issuer(two_licences, county, query, shown):
    food, hygiene = two_licences
    query = query.format(market=county.orgs.market.pk)

    page = _text(_client(county.people.wangwu).get(f"/staff/licences/?{query}"))

    listed = {
        n for n, lic in (("food", food), ("hygiene", hygiene)) if lic.number in page
    }
    assert listed == shown


def test_an_unknown_filter_value_shows_everything_with_a_notice(two_licences, county):
    page = _text(_client(county.people.wangwu).get("/staff/licences/?type=营业执照"))

    assert "筛选条件无效，已显示全部证照。" in page
    assert all(lic.number in page for lic in two_licences)


def test_people_without_the_permission_get_403_and_no_menu_entry(issued, county):
    assert _client(county.people.luodan).get("/staff/licences/").status_code == 403
    assert "/staff/licences/" not in _text(_client(county.people.luodan).get("/staff/"))
    assert "/staff/licences/" in _text(_client(county.people.wangwu).get("/staff/"))


def test_the_detail_shows_the_licence_and_its_qr_code(issued, county):
    response = _client(county.people.wangwu).get(f"/staff/licences/{issued.number}/")

    page = _text(response)
    assert response.status_code == 200
    assert issued.digest in page
    assert issued.holder_id_masked in page
    assert issued.case.applicant_id_number not in page
    assert licence_queries.qr_payload(issued) in page
    assert "注销证照" not in page  # 王五 may not revoke


def test_a_licence_outside_the_scope_is_404(issued, county):
    response = _client(county.people.lisi).get(f"/staff/licences/{issued.number}/")

    assert response.status_code == 404


def test_a_leader_revokes_with_a_reason_from_the_detail_page(issued, county):
    client = _client(county.people.sunqi)
    assert "注销证照" in _text(client.get(f"/staff/licences/{issued.number}/"))

    response = client.post(
        f"/staff/licences/{issued.number}/revoke/", {"reason": "以欺骗手段取得许可"}
    )

    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.state == ELicense.State.REVOKED
    assert issued.revoke_reason == "以欺骗手段取得许可"


def test_revoking_without_a_reason_shows_the_form_again(issued, county):
    response = _client(county.people.sunqi).post(
        f"/staff/licences/{issued.number}/revoke/", {"reason": ""}
    )

    assert response.status_code == 400
    assert "该字段是必填项。" in _text(response)
    issued.refresh_from_db()
    assert issued.state == ELicense.State.VALID


def test_revoking_without_the_permission_is_403(issued, county):
    response = _client(county.people.wangwu).post(
        f"/staff/licences/{issued.number}/revoke/", {"reason": "试图注销"}
    )

    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.state == ELicense.State.VALID
    assert AuditEntry.objects.get(action="datahub.revoke_licence").outcome == "denied"


def test_an_entity_holder_name_is_masked_in_the_middle(county):
    from egov.datahub.licence_actions import issue_licence

    case = factories.approved_case(
        county, entity=True, applicant_name="示范县味道餐饮有限公司"
    )
    licence = issue_licence(actor=county.people.wangwu, case=case)

    page = _text(_client().get(f"/verify/{licence.code}/"))

    assert "示范*******公司" in page
    assert case.applicant_id_number not in page
