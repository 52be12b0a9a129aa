"""Security of the service hall, as matrices.

- Every applicant-facing URL of a case: the applicant gets it, another
  citizen who guesses it gets 404, an anonymous visitor is sent to sign in.
- Every staff URL of a case: staff whose data scope holds the case get it,
  staff outside it get 404.
- Uploads that lie about their type, are too large, are zip bombs or carry
  scripts are refused through the real upload page with a clear message.
- ID numbers and USCCs with a wrong check character are refused at the form.
- Lists show personal data masked; the full view is audited.
- The public JSON and form endpoints of the hall answer bad input with 4xx.
"""

import io
import json
import zipfile
import zlib

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from egov.audit.models import AuditEntry
from egov.datahub.models import ELicense
from egov.identity.models import User
from egov.servicehall import apply_actions
from egov.servicehall import case_actions as actions
from egov.servicehall.models import Case
from tests.datahub import factories as licence_factories
from tests.identity import factories as idf
from tests.servicehall import apply_factories
from tests.servicehall import case_factories as cf
from tests.servicehall import factories as shf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

OTHER_ID = idf.id_number("19920708", seq=2)
OWNER_PHONE = "13999211001"


@pytest.fixture(autouse=True)
def _licence_key(settings, tmp_path):
    key = tmp_path / "licence_sm2.key"
    licence_factories.write_key_file(key)
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(key)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def hall(db):
    """张三's cases of 市场监管局's licence item: one approved with its
    instruments and licence, one awaiting correction, one just submitted;
    陈小红 is another citizen."""
    county = cf.case_county()
    people = county.people
    people.chenxiaohong = idf.user(
        "chenxiaohong",
        "陈小红",
        kind=User.Kind.CITIZEN,
        id_number_value=OTHER_ID,
        phone_value="13999211002",
    )
    version = cf.item(county, materials=[shf.material(), shf.material("营业执照")])
    approved = cf.submitted_case(county, version, materials=2)
    actions.accept_case(actor=people.lisi, case=approved)
    actions.decide_case(
        actor=people.sunqi,
        case=cf.fresh(approved),
        decision="approve",
        reasons="符合条件",
    )
    correction = cf.submitted_case(county, version)
    requirement = version.materials.first()
    actions.request_correction(
        actor=people.lisi,
        case=correction,
        items=[{"material": requirement.pk, "reason": "须加盖公章"}],
    )
    county.version = version
    county.approved = cf.fresh(approved)
    county.correction = cf.fresh(correction)
    county.submitted = cf.submitted_case(county, version)
    county.licence = ELicense.objects.get(case=approved)
    return county


# --- applicant URLs × who asks ------------------------------------------------


def _applicant_urls(hall) -> dict[str, tuple[str, str, dict]]:
    """name → (method, url, POST data) of every applicant-facing URL."""
    approved, correction = hall.approved, hall.correction
    material = approved.materials.first()
    instrument = approved.instruments.first()
    code = hall.licence.code
    return {
        "my_case": ("get", f"/hall/my/{approved.number}/", {}),
        "receipt": ("get", f"/hall/my/{approved.number}/receipt/", {}),
        "material": (
            "get",
            f"/hall/my/{approved.number}/materials/{material.pk}/",
            {},
        ),
        "instrument": (
            "get",
            f"/hall/my/{approved.number}/instruments/{instrument.pk}/",
            {},
        ),
        "instrument_docx": (
            "get",
            f"/hall/my/{approved.number}/instruments/{instrument.pk}/?format=docx",
            {},
        ),
        "licence": ("get", f"/hall/licences/{code}/", {}),
        "licence_pdf": ("get", f"/hall/licences/{code}/pdf/", {}),
        "rate": ("get", f"/hall/ratings/cases/{approved.number}/", {}),
        "correction": ("get", f"/hall/my/{correction.number}/correction/", {}),
        "correction_material": (
            "get",
            f"/hall/my/{correction.number}/materials/"
            f"{correction.materials.first().pk}/",
            {},
        ),
        "upload": (
            "post",
            f"/hall/my/{correction.number}/upload/",
            {"requirement": str(hall.version.materials.first().pk)},
        ),
        "remove": (
            "post",
            f"/hall/my/{correction.number}/materials/"
            f"{correction.materials.first().pk}/remove/",
            {},
        ),
        "withdraw": (
            "post",
            f"/hall/my/{hall.submitted.number}/withdraw/",
            {"reason": "不再需要"},
        ),
    }


APPLICANT_URLS = [
    "my_case",
    "receipt",
    "material",
    "instrument",
    "instrument_docx",
    "licence",
    "licence_pdf",
    "rate",
    "correction",
    "correction_material",
    "upload",
    "remove",
    "withdraw",
]
# What the applicant gets: pages and files 200, the actions send them back.
OWNER_STATUS = {"upload": 302, "remove": 302, "withdraw": 302}


def _ask(client, method, url, data):
    if method == "get":
        return client.get(url)
    if url.endswith("/upload/"):
        data = {**data, "file": cf.pdf_upload("补正.pdf")}
    return client.post(url, data)


@pytest.mark.parametrize("name", APPLICANT_URLS)
def test_the_applicant_reaches_each_url_of_their_own_case(hall, name):
    method, url, data = _applicant_urls(hall)[name]

    response = _ask(_client(hall.people.zhangsan), method, url, data)

    assert response.status_code == OWNER_STATUS.get(name, 200)
    if name in OWNER_STATUS:
        assert "/login/" not in response["Location"]


@pytest.mark.parametrize("name", APPLICANT_URLS)
def test_another_citizen_guessing_a_case_url_gets_404(hall, name):
    method, url, data = _applicant_urls(hall)[name]
    before = (
        list(Case.objects.order_by("pk").values_list("state", flat=True)),
        hall.correction.materials.count(),
    )

    response = _ask(_client(hall.people.chenxiaohong), method, url, data)

    assert response.status_code == 404
    assert "张三" not in response.content.decode()
    after = (
        list(Case.objects.order_by("pk").values_list("state", flat=True)),
        hall.correction.materials.count(),
    )
    assert after == before


@pytest.mark.parametrize("name", APPLICANT_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(hall, name):
    method, url, data = _applicant_urls(hall)[name]

    response = _ask(_client(), method, url, data)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_guessed_case_number_is_404_like_another_persons(hall):
    citizen = _client(hall.people.zhangsan)
    other = hall.approved.number[:-1] + (
        "0" if hall.approved.number[-1] != "0" else "1"
    )

    assert citizen.get(f"/hall/my/{other}/").status_code == 404
    assert citizen.get(f"/hall/licences/{'A' * 16}/").status_code == 404


# --- staff URLs × data scope --------------------------------------------------


def _staff_urls(hall) -> dict[str, tuple[str, str]]:
    case = hall.approved
    material = case.materials.first()
    instrument = case.instruments.first()
    return {
        "detail": ("get", f"/staff/cases/{case.number}/"),
        "receipt": ("get", f"/staff/cases/{case.number}/receipt/"),
        "material": ("get", f"/staff/cases/{case.number}/materials/{material.pk}/"),
        "instrument_pdf": (
            "get",
            f"/staff/cases/{case.number}/instruments/{instrument.pk}/pdf/",
        ),
        "instrument_docx": (
            "get",
            f"/staff/cases/{case.number}/instruments/{instrument.pk}/docx/",
        ),
        "reveal": ("post", f"/staff/cases/{case.number}/reveal/"),
    }


STAFF_URLS = ["detail", "receipt", "material", "instrument_pdf", "instrument_docx"]
STAFF_URLS.append("reveal")
# 王五 approves for 市场监管局 (the case's department), 李四 is the window of
# the case's region; 孙丽 approves for 县政府办公室, which took no part, and
# 邻县窗口 is the window of the neighbouring county.
IN_SCOPE = ["wangwu", "lisi"]
OUT_OF_SCOPE = ["sunli", "neighbour_window"]


@pytest.mark.parametrize("who", IN_SCOPE)
@pytest.mark.parametrize("name", STAFF_URLS)
def test_staff_reach_each_url_of_a_case_in_their_data_scope(hall, name, who):
    method, url = _staff_urls(hall)[name]

    response = getattr(_client(getattr(hall.people, who)), method)(url)

    assert response.status_code == 200


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
@pytest.mark.parametrize("name", STAFF_URLS)
def test_staff_get_404_for_a_case_outside_their_data_scope(hall, name, who):
    method, url = _staff_urls(hall)[name]

    response = getattr(_client(getattr(hall.people, who)), method)(url)

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(
        action="servicehall.reveal_applicant", outcome="success"
    ).exists()


@pytest.mark.parametrize(
    "action,data",
    [
        ("accept", {"note": "材料齐全"}),
        ("refuse", {"reason": "不属于本机关职权范围"}),
        ("correction", {"extra": "营业执照：须加盖公章"}),
    ],
)
def test_a_window_clerk_acting_on_a_case_outside_their_region_gets_404(
    hall, action, data
):
    case = hall.submitted

    response = _client(hall.people.neighbour_window).post(
        f"/staff/cases/{case.number}/{action}/", data
    )

    assert response.status_code == 404
    assert cf.fresh(case).state == Case.State.SUBMITTED
    assert case.events.count() == 1


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_a_case_outside_the_data_scope_is_not_listed(hall, who):
    client = _client(getattr(hall.people, who))

    listed = client.get("/staff/cases/").content.decode()

    assert hall.approved.number not in listed
    assert hall.submitted.number not in listed


# --- uploads that lie ---------------------------------------------------------


def _zip_bomb() -> bytes:
    """A docx-shaped archive whose document inflates to 64 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


def _file(name: str, content: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def bomb() -> bytes:
    return _zip_bomb()


HTML_AS_PNG = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_PNG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SCRIPT_AS_PDF = b"#!/bin/sh\nrm -rf /\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_WITH_SCRIPT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R"
    b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf_with_hidden_script() -> bytes:
    """The script's dictionary compressed in an object stream, its names
    spelt with #xx escapes."""
    inner = zlib.compress(b"3 0 <</S/Java#53cript/J#53(app.launchURL('x'))>>")
    return (
        b"%PDF-1.5\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"4 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(inner)).encode()
        + b">>stream\n"
        + inner
        + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _upload_refusals(bomb):
    return [
        (
            "html_as_png",
            _file("身份证.png", HTML_AS_PNG, "image/png"),
            "文件“身份证.png”的内容不是PNG格式，与扩展名不符或文件已损坏",
        ),
        (
            "svg_as_png",
            _file("照片.png", SVG_AS_PNG, "image/png"),
            "文件“照片.png”的内容不是PNG格式，与扩展名不符或文件已损坏",
        ),
        (
            "script_as_pdf",
            _file("营业执照.pdf", SCRIPT_AS_PDF, "application/pdf"),
            "文件“营业执照.pdf”的内容不是PDF格式，与扩展名不符或文件已损坏",
        ),
        (
            "html_file",
            _file("申请书.html", HTML_AS_PNG, "text/html"),
            "不能上传“申请书.html”：只能上传PDF、JPG、PNG、DOCX、XLSX格式的文件",
        ),
        (
            "zip_bomb_as_docx",
            _file("申请书.docx", bomb, DOCX),
            "文件“申请书.docx”解压后过大，疑似压缩炸弹，已拒绝",
        ),
        (
            "zip_bomb_as_pdf",
            _file("申请书.pdf", bomb, "application/pdf"),
            "文件“申请书.pdf”解压后过大，疑似压缩炸弹，已拒绝",
        ),
        (
            "pdf_with_javascript",
            _file("营业执照.pdf", PDF_WITH_SCRIPT, "application/pdf"),
            "不能上传“营业执照.pdf”：PDF文件中含有脚本或自动运行的程序",
        ),
        (
            "pdf_with_hidden_javascript",
            _file("申请书.pdf", _pdf_with_hidden_script(), "application/pdf"),
            "不能上传“申请书.pdf”：PDF文件中含有脚本或自动运行的程序",
        ),
        (
            "empty",
            _file("空白.pdf", b"", "application/pdf"),
            "文件“空白.pdf”是空文件，请重新选择",
        ),
    ]


REFUSALS = [
    "html_as_png",
    "svg_as_png",
    "script_as_pdf",
    "html_file",
    "zip_bomb_as_docx",
    "zip_bomb_as_pdf",
    "pdf_with_javascript",
    "pdf_with_hidden_javascript",
    "empty",
]


def _draft(hall):
    return apply_actions.create_draft(
        actor=hall.people.zhangsan,
        item_code=hall.version.item.code,
        client_token="5b0e7c1e-4a43-4a4e-9d43-2d1f7c0e9a11",
    )


@pytest.mark.parametrize("kind", REFUSALS)
def test_an_upload_that_lies_is_refused_with_a_clear_message(hall, bomb, kind):
    draft = _draft(hall)
    _kind, upload, message = next(r for r in _upload_refusals(bomb) if r[0] == kind)
    client = _client(hall.people.zhangsan)

    response = client.post(
        f"/hall/my/{draft.client_token}/upload/",
        {"requirement": str(hall.version.materials.first().pk), "file": upload},
        follow=True,
    )

    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert texts == [message]
    assert draft.materials.count() == 0


def test_an_upload_over_the_size_limit_is_refused_with_the_limit(hall, settings):
    settings.EGOV_UPLOAD_MAX_BYTES = 1024
    draft = _draft(hall)
    big = cf.PDF + b"%" + b"0" * 2048 + b"\n"

    response = _client(hall.people.zhangsan).post(
        f"/hall/my/{draft.client_token}/upload/",
        {
            "requirement": str(hall.version.materials.first().pk),
            "file": _file("营业执照.pdf", big, "application/pdf"),
        },
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["文件“营业执照.pdf”大小为2.1 KB，超过了1 KB的上限"]
    assert draft.materials.count() == 0


def test_an_ordinary_compressed_pdf_with_an_image_is_accepted(hall):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    draft = _draft(hall)
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pageCompression=1)
    sheet.drawString(72, 720, "Business licence /JS /JavaScript (quoted in text)")
    sheet.drawImage(ImageReader(io.BytesIO(apply_factories.png_bytes(64, 64))), 72, 72)
    sheet.save()

    response = _client(hall.people.zhangsan).post(
        f"/hall/my/{draft.client_token}/upload/",
        {
            "requirement": str(hall.version.materials.first().pk),
            "file": _file("营业执照.pdf", out.getvalue(), "application/pdf"),
        },
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["已上传“食品经营许可申请书”：营业执照.pdf"]
    assert draft.materials.count() == 1


def test_a_stored_material_is_served_as_a_sandboxed_download(hall):
    material = hall.approved.materials.first()

    response = _client(hall.people.zhangsan).get(
        f"/hall/my/{hall.approved.number}/materials/{material.pk}/"
    )

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


# --- check characters at the form ---------------------------------------------


def _wrong_check_char(valid: str) -> str:
    last = valid[-1]
    return valid[:-1] + ("1" if last != "1" else "2")


def test_an_id_number_with_a_wrong_check_character_is_refused_at_the_form(hall):
    draft = _draft(hall)
    wrong = _wrong_check_char(hall.people.zhangsan.id_number)

    response = _client(hall.people.zhangsan).post(
        f"/hall/my/drafts/{draft.client_token}/",
        {
            "applicant_name": "张三",
            "applicant_id_number": wrong,
            "contact_name": "张三",
            "contact_phone": OWNER_PHONE,
            "action": "save",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["applicant_id_number"] == [
        "身份证号校验位不正确，请核对后重新输入"
    ]
    assert cf.fresh(draft).applicant_id_number != wrong


def test_a_uscc_with_a_wrong_check_character_is_refused_at_the_form(hall):
    company = idf.user(
        "qingshan",
        "示范县青山农业科技有限公司",
        kind=User.Kind.ENTITY,
        uscc_value=idf.uscc("91139921MA0QC0016"),
        phone_value="13999212001",
    )
    draft = apply_actions.create_draft(
        actor=company,
        item_code=hall.version.item.code,
        client_token="0f7e8a2c-6a31-4bd2-8e0c-7e2d3c4b5a69",
    )
    wrong = _wrong_check_char(company.uscc)

    response = _client(company).post(
        f"/hall/my/drafts/{draft.client_token}/",
        {
            "applicant_name": "示范县青山农业科技有限公司",
            "applicant_id_number": wrong,
            "contact_name": "王青山",
            "contact_phone": "13999212001",
            "action": "save",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["applicant_id_number"] == [
        "统一社会信用代码校验位不正确，请核对后重新输入"
    ]


def test_the_window_entry_refuses_an_id_number_with_a_wrong_check_character(hall):
    wrong = _wrong_check_char(OTHER_ID)

    response = _client(hall.people.lisi).post(
        f"/staff/cases/window/enter/?item={hall.version.item.code}",
        {
            "item": hall.version.item.code,
            "applicant_kind": "individual",
            "applicant_name": "陈小红",
            "applicant_id_number": wrong,
            "contact_name": "陈小红",
            "contact_phone": "13999211002",
        },
    )

    assert response.status_code == 400
    assert "身份证号校验位不正确，请核对后重新输入" in response.content.decode()
    assert not Case.objects.filter(applicant_name="陈小红").exists()


# --- masking and the audited full view ----------------------------------------


def _full_personal_data(hall) -> list[str]:
    return [
        hall.approved.applicant_id_number,
        hall.approved.contact_phone,
        hall.submitted.applicant_id_number,
    ]


@pytest.mark.parametrize(
    "who,url",
    [
        ("lisi", "/staff/cases/window/"),
        ("lisi", "/staff/cases/"),
        ("wangwu", "/staff/cases/"),
        ("zhangsan", "/hall/my/"),
    ],
)
def test_lists_show_no_full_id_number_or_phone(hall, who, url):
    response = _client(getattr(hall.people, who)).get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert hall.submitted.number in html
    assert [value for value in _full_personal_data(hall) if value in html] == []


def test_the_case_page_masks_until_the_audited_full_view(hall):
    client = _client(hall.people.wangwu)
    case = hall.approved
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert case.applicant_id_number not in page
    assert case.applicant_id_masked in page

    revealed = client.post(f"/staff/cases/{case.number}/reveal/").content.decode()

    assert case.applicant_id_number in revealed
    assert case.contact_phone in revealed
    entries = AuditEntry.objects.filter(action="servicehall.reveal_applicant")
    assert [(e.username, e.outcome) for e in entries] == [("wangwu", "success")]
    assert case.number in entries.get().target_repr


def test_the_printable_licence_with_the_full_id_number_is_audited(hall):
    licence = hall.licence

    response = _client(hall.people.zhangsan).get(f"/hall/licences/{licence.code}/pdf/")

    assert response.status_code == 200
    entries = AuditEntry.objects.filter(action="datahub.download_licence")
    assert [(e.username, e.outcome) for e in entries] == [("zhangsan", "success")]


# --- bad input to the hall's endpoints: 4xx, never 5xx ------------------------


def test_the_service_hall_adds_no_rest_api_to_the_schema(hall):
    schema = json.loads(
        _client(hall.people.wangwu)
        .get("/api/schema/", HTTP_ACCEPT="application/json")
        .content
    )

    hall_paths = [
        path
        for path in schema["paths"]
        if any(part in path for part in ("/hall", "/cases", "/licences", "/ratings"))
    ]
    assert hall_paths == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
BODIES = (
    st.binary(max_size=200)
    | JSON.map(lambda value: json.dumps(value).encode())
    | JSON.map(lambda value: json.dumps({"data": value}).encode())
)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=BODIES)
def test_anything_posted_to_the_form_endpoint_is_saved_as_an_object_or_refused(
    hall, body
):
    client = _client(hall.people.zhangsan)
    if not hall.version.form_key:
        apply_factories.with_form(hall)
    draft = _draft(hall)

    response = client.post(
        f"/hall/my/{draft.client_token}/form/",
        body,
        content_type="application/json",
    )

    assert response.status_code in (200, 400)
    assert isinstance(cf.fresh(draft).form_data, dict)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    number=st.text(max_size=80),
    code=st.text(max_size=40),
)
def test_any_lookup_input_is_answered_without_a_server_error(hall, number, code):
    response = Client().post("/hall/lookup/", {"number": number, "code": code})

    assert response.status_code < 500


def test_a_form_holding_infinity_is_refused_not_a_server_error(hall):
    apply_factories.with_form(hall)
    draft = _draft(hall)
    client = _client(hall.people.zhangsan)
    client.post(
        f"/hall/my/{draft.client_token}/form/",
        json.dumps({"data": {"premises": "示范县人民路12号"}}),
        content_type="application/json",
    )

    response = client.post(
        f"/hall/my/{draft.client_token}/form/",
        b'{"data": {"premises": Infinity}}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["message"] == "申请表数据格式不正确"
    assert cf.fresh(draft).form_data == {"premises": "示范县人民路12号"}


def test_a_save_without_form_data_keeps_what_was_saved(hall):
    apply_factories.with_form(hall)
    draft = _draft(hall)
    client = _client(hall.people.zhangsan)
    client.post(
        f"/hall/my/{draft.client_token}/form/",
        json.dumps({"data": {"premises": "示范县人民路12号"}}),
        content_type="application/json",
    )

    response = client.post(
        f"/hall/my/{draft.client_token}/form/", b"{}", content_type="application/json"
    )

    assert response.status_code == 200
    assert cf.fresh(draft).form_data == {"premises": "示范县人民路12号"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"premises": "\\u0000"}}',
        b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["nul", "deeply_nested"],
)
def test_form_data_the_database_cannot_hold_is_refused_not_a_server_error(hall, body):
    apply_factories.with_form(hall)
    draft = _draft(hall)

    response = _client(hall.people.zhangsan).post(
        f"/hall/my/{draft.client_token}/form/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert cf.fresh(draft).form_data == {}


def test_the_draft_page_refuses_deeply_nested_form_data(hall):
    apply_factories.with_form(hall)
    draft = _draft(hall)

    response = _client(hall.people.zhangsan).post(
        f"/hall/my/drafts/{draft.client_token}/",
        {
            "applicant_name": "张三",
            "applicant_id_number": hall.people.zhangsan.id_number,
            "contact_name": "张三",
            "contact_phone": OWNER_PHONE,
            "form_data": "[" * 100_000 + "]" * 100_000,
            "action": "save",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["form_data"] == ["申请表数据格式不正确"]
