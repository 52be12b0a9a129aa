"""Applying online on a phone: the demo citizen 张三 applies for 高龄津贴申领
with its form and two materials (a photo and a PDF), saves a draft, submits,
finds the case in 我的办件, downloads the receipt, and the public lookup
shows its progress; no page scrolls sideways at 375 pixels."""

import io
import struct
import zlib

import pytest
from reportlab.pdfgen import canvas

from egov.identity import demo as identity_demo
from egov.identity.models import User
from egov.servicehall import demo as hall_demo
from egov.servicehall.models import Case
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]

ITEM = "000145009000-139921109"  # 高龄津贴申领


@pytest.fixture
def zhangsan(db):
    identity_demo.load()
    hall_demo.load()
    return User.objects.get(username="zhangsan")


def _png(path):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x20\x60\xc0" * 8 for _ in range(8))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def _pdf(path):
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "social security card")
    sheet.save()
    path.write_bytes(out.getvalue())
    return path


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _upload(page, material: str, path):
    row = page.locator(f"[data-sh-material='{material}']")
    with page.expect_navigation():
        row.locator("input[name=file]").set_input_files(str(path))
    page.get_by_text(f"已上传“{material}”").wait_for()


def test_a_citizen_applies_on_a_phone_and_follows_the_case(
    phone_page, live_server, tmp_path, zhangsan
):
    page = phone_page
    sign_in(page, live_server, zhangsan)

    page.goto(f"/hall/items/{ITEM}/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_role("button", name="开始申请").click()
    page.locator("[data-egov-form-ready=true]").wait_for()
    assert page.get_by_label("申请人姓名").input_value() == "张三"
    assert page.get_by_label("身份证号").input_value() == zhangsan.id_number
    page.get_by_label("户籍所在乡镇").focus()
    page.locator(".fjs-dropdownlist-item", has_text="城关镇").click()
    page.get_by_label("户籍地址").fill("示范县城关镇人民路1号")
    page.get_by_label("与子女同住").check()
    page.get_by_label("社会保障卡").check()
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("已保存草稿").wait_for()
    page.locator("[data-egov-form-ready=true]").wait_for()
    assert page.get_by_label("户籍地址").input_value() == "示范县城关镇人民路1号"
    assert page.get_by_text("以下必交材料尚未上传").is_visible()

    _upload(page, "老年人身份证、户口簿", _png(tmp_path / "户口簿.png"))
    _upload(page, "本人银行账户（社会保障卡）", _pdf(tmp_path / "社保卡.pdf"))
    assert page.get_by_text("必交材料已齐全").is_visible()
    assert _no_sideways_scroll(page) <= 375
    page.get_by_role("button", name="提交申请").click()

    page.get_by_text("申请已提交").wait_for()
    case = Case.objects.get(applicant=zhangsan)
    assert case.state == Case.State.SUBMITTED
    assert case.form_data == {
        "township": "139921100",
        "household_address": "示范县城关镇人民路1号",
        "living": "o2",
        "payment": "o1",
        "carer": "",
        "carer_phone": "",
    }
    assert case.materials.count() == 2
    assert page.locator("[data-sh-number]").inner_text() == case.number
    assert page.locator("[data-sh-lookup-code]").inner_text() == case.lookup_code

    page.get_by_role("link", name="我的办件").first.click()
    listed = page.locator(f"[data-sh-case='{case.number}']")
    assert "高龄津贴申领" in listed.inner_text()
    assert "待受理" in listed.inner_text()
    assert _no_sideways_scroll(page) <= 375
    listed.click()
    with page.expect_download() as download:
        page.locator("[data-sh-receipt]").click()
    receipt = download.value.path().read_bytes()
    assert receipt.startswith(b"%PDF")

    page.context.clear_cookies()
    page.goto("/hall/lookup/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("查询码").fill(case.lookup_code)
    page.get_by_role("button", name="查询").click()
    progress = page.locator("[data-sh-progress]")
    assert "高龄津贴申领" in progress.inner_text()
    assert "待受理" in progress.inner_text()
    assert "已通过网上办事大厅提交申请，等待受理" in progress.inner_text()
    assert "张三" not in progress.inner_text()


def test_the_applying_pages_fit_a_375_pixel_phone(phone_page, live_server, zhangsan):
    page = phone_page
    sign_in(page, live_server, zhangsan)

    page.goto(f"/hall/items/{ITEM}/apply/")
    assert _no_sideways_scroll(page) <= 375
    page.get_by_role("button", name="开始申请").click()
    page.locator("[data-egov-form-ready=true]").wait_for()
    draft_width = _no_sideways_scroll(page)
    page.goto("/hall/my/")
    list_width = _no_sideways_scroll(page)
    page.goto("/hall/lookup/")
    lookup_width = _no_sideways_scroll(page)

    assert (draft_width, list_width, lookup_width) == (375, 375, 375)
