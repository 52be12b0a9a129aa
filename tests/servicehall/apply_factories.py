"""Test data for applying online: the catalog county with its citizens (张三,
and 陈小红 who must never see 张三's cases) and a company (青山农业), a
published item with two required materials and an optional one, its
application form, and small valid PNG and PDF files."""

import io
import struct
import uuid
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from egov.eforms.models import FormDefinition
from egov.identity.models import User
from egov.servicehall import apply_actions
from egov.servicehall.models import Case, CorrectionRequest
from tests.identity import factories as idf
from tests.servicehall import factories

ITEM_CODE = "000172012000-139921104"
FORM_KEY = "food-licence-application"

FORM_SCHEMA = {
    "type": "default",
    "id": "Form_food",
    "schemaVersion": 18,
    "components": [
        {
            "type": "textfield",
            "key": "operator_name",
            "label": "经营者名称",
            "validate": {"required": True, "maxLength": 100},
        },
        {
            "type": "textfield",
            "key": "premises",
            "label": "经营场所",
            "validate": {"required": True, "maxLength": 200},
        },
        {
            "type": "select",
            "key": "business_form",
            "label": "主体业态",
            "values": [
                {"label": "食品销售经营者", "value": "retail"},
                {"label": "餐饮服务经营者", "value": "catering"},
            ],
            "validate": {"required": True},
        },
    ],
}
FORM_DATA = {
    "operator_name": "张三小吃店",
    "premises": "示范县人民路12号",
    "business_form": "catering",
}


def apply_county():
    """The catalog county plus 陈小红 (a second citizen) and 青山农业 (a
    company), and item ITEM_CODE published with materials 申请书 and 营业执照
    (required) and 健康证明 (optional)."""
    county = factories.catalog_county()
    people = county.people
    people.chenxiaohong = idf.user(
        "chenxiaohong",
        "陈小红",
        kind=User.Kind.CITIZEN,
        id_number_value=idf.id_number("19920708", seq=2),
        phone_value="13999211002",
    )
    people.qingshan = idf.user(
        "qingshan",
        "示范县青山农业科技有限公司",
        kind=User.Kind.ENTITY,
        uscc_value=idf.uscc(),
        phone_value="13999212001",
    )
    county.version = factories.published(
        county,
        code=ITEM_CODE,
        materials=[
            factories.material("食品经营许可申请书"),
            factories.material("营业执照", form="copy"),
            factories.material("健康证明", is_required=False),
        ],
    )
    county.requirements = list(county.version.materials.order_by("sort_order", "id"))
    return county


def with_form(county, schema=None) -> FormDefinition:
    """Publish the application form and name it on the item's version."""
    form = FormDefinition.objects.create(
        key=FORM_KEY,
        name="食品经营许可申请表",
        version=1,
        schema=schema or FORM_SCHEMA,
        published=True,
        created_by=county.people.xuli,
        published_by=county.people.xuli,
        published_at=timezone.now(),
    )
    county.version.form_key = FORM_KEY
    county.version.save(update_fields=["form_key"])
    return form


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data))
            + body
            + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A real one-page PDF."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "business licence")
    page.save()
    return out.getvalue()


def png_upload(name: str = "申请书.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_upload(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def new_draft(county, person=None) -> Case:
    return apply_actions.create_draft(
        actor=person or county.people.zhangsan,
        item_code=ITEM_CODE,
        client_token=uuid.uuid4(),
    )


def complete_draft(county, person=None) -> Case:
    """A draft with every required material uploaded, ready to submit."""
    person = person or county.people.zhangsan
    case = new_draft(county, person)
    first, second = county.requirements[:2]
    apply_actions.upload_material(
        actor=person, case=case, requirement=first, upload=png_upload()
    )
    apply_actions.upload_material(
        actor=person, case=case, requirement=second, upload=pdf_upload()
    )
    return case


def submitted(county, person=None) -> Case:
    person = person or county.people.zhangsan
    return apply_actions.submit_case(actor=person, case=complete_draft(county, person))


def request_correction(case: Case, clerk, *, reason="照片不清晰") -> CorrectionRequest:
    """What the window does for 补正 (the CASE side's action does this and
    more): list the material, put the case into 待补正."""
    requirement = case.item_version.materials.order_by("sort_order", "id").first()
    request = CorrectionRequest.objects.create(
        case=case,
        items=[
            {"material": requirement.pk, "name": requirement.name, "reason": reason}
        ],
        note="请一次性补正",
        requested_by=clerk,
    )
    case.state = Case.State.CORRECTION
    case.save(update_fields=["state"])
    return request
