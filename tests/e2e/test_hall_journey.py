"""The service hall from end to end through the real pages.

On a 375-pixel phone 张三 applies for 个人自建住房施工许可 (a 住建局 item on
the demo's joint-approval process 建筑工程施工许可并联审批 that issues a
licence) with its two materials. At the desktop 李四 at the window asks once
for a correction; 张三 replaces the material and resubmits; 李四 accepts.
住建局 (马超), 自然资源局 (郭婷) and 行政审批局 (黄磊) review in parallel in
their workbenches; 孙七 approves and decides 准予, which issues the licence.
张三 opens his licence, follows the verification link next to its QR code
(the QR code encodes that same link) and reads 有效; he rates the case 不满意,
马超 replies to him in the rectification, and 张三 reads the reply on his
case page and in 我的消息.

The demo has no item for individuals on the joint process, so the test adds
one through the catalog's own actions (drafted by 马超, published by 孙七).
"""

import io
import struct
import zlib

import pytest
from playwright.sync_api import expect
from reportlab.pdfgen import canvas

from egov.datahub import licence_queries
from egov.datahub.models import ELicense
from egov.identity import demo as identity_demo
from egov.identity.models import Organization, User
from egov.servicehall import case_demo, catalog_actions
from egov.servicehall import demo as hall_demo
from egov.servicehall.models import Case
from egov.supervision.models import Rectification
from tests.datahub import factories as licence_factories
from tests.e2e.session import sign_in
from tests.e2e.test_designers import Problems
from tests.identity.factories import no_staff_2fa
from tests.servicehall.factories import item_fields, material

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]

CODE = "000149099000-139921106"
ITEM = "个人自建住房施工许可"
PLAN = "宅基地使用权证明"
DRAWINGS = "住房设计图纸"
REPLY = "已请设计单位当面指导图纸要求，今后一次告知清楚。"


@pytest.fixture(autouse=True)
def _hall_settings(settings, tmp_path, live_server):
    key = tmp_path / "licence_sm2.key"
    licence_factories.write_key_file(key)
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(key)
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"
    settings.EGOV_PUBLIC_URL = live_server.url


@pytest.fixture
def demo(db):
    identity_demo.load()
    hall_demo.load()
    people = {u.username: u for u in User.objects.filter(is_demo=True)}
    # 住建局's item for individuals on the demo's joint process, drafted and
    # published through the catalog like any other.
    draft = catalog_actions.create_item(
        actor=people["machao"],
        code=CODE,
        organization=Organization.objects.get(code="139921-106"),
        fields=item_fields(
            name=ITEM,
            legal_basis="《中华人民共和国建筑法》第七条",
            conditions="已取得宅基地使用权，住房设计符合村庄规划。",
            consultation_phone="0399-8123106",
            for_entities=False,
            process_key=case_demo.JOINT_KEY,
            issues_licence=True,
            licence_type="建筑工程施工许可证",
        ),
        materials=[
            material(PLAN, form="copy", for_entities=False),
            material(DRAWINGS, for_entities=False),
        ],
    )
    catalog_actions.submit_item(actor=people["machao"], version=draft)
    catalog_actions.approve_item(actor=people["sunqi"], version=draft)
    return people


def _png(path):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x40\x80\x20" * 8 for _ in range(8))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def _pdf(path, text):
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, text)
    sheet.save()
    path.write_bytes(out.getvalue())
    return path


def _upload(page, name, path):
    row = page.locator(f"[data-sh-material='{name}']")
    with page.expect_navigation():
        row.locator("input[name=file]").set_input_files(str(path))
    page.get_by_text(f"已上传“{name}”").wait_for()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _review(desk, subject, node, opinion):
    """Approve `node` of the case from the workbench, claiming it first when
    it is pooled."""
    desk.goto("/staff/workflow/todo/")
    row = desk.locator("tbody tr", has_text=subject).filter(has_text=node)
    row.get_by_role("link", name=subject).click()
    claim = desk.get_by_role("button", name="签收")
    if claim.count():
        claim.click()
        expect(desk.locator(".alert-success")).to_contain_text("已签收")
    desk.get_by_label("审批意见").fill(opinion)
    desk.locator('button[name="outcome"][value="approve"]').click()
    expect(desk.locator(".alert-success")).to_contain_text(f"已办理：{node}")


def test_a_citizen_on_a_phone_goes_from_application_to_licence_rating_and_reply(
    browser, phone_page, live_server, tmp_path, demo
):
    phone = phone_page
    zhangsan = demo["zhangsan"]
    desk_context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
    )
    desk = desk_context.new_page()
    desk.set_default_timeout(10_000)
    problems = Problems(phone).seen
    desk_problems = Problems(desk).seen

    # 张三 applies on his phone with the two materials
    sign_in(phone, live_server, zhangsan)
    phone.goto(f"/hall/items/{CODE}/")
    phone.get_by_role("link", name="在线申请").click()
    phone.get_by_role("button", name="开始申请").click()
    assert phone.get_by_label("申请人姓名").input_value() == "张三"
    assert phone.get_by_label("身份证号").input_value() == zhangsan.id_number
    phone.get_by_label("申请说明").fill("在本人宅基地上新建两层住房")
    _upload(phone, PLAN, _png(tmp_path / "宅基地证.png"))
    _upload(phone, DRAWINGS, _pdf(tmp_path / "图纸.pdf", "drawings v1"))
    # what he typed was saved before each upload left the page
    assert phone.get_by_label("申请说明").input_value() == "在本人宅基地上新建两层住房"
    assert phone.get_by_text("必交材料已齐全").is_visible()
    assert _width(phone) <= 375
    phone.get_by_role("button", name="提交申请").click()
    phone.get_by_text("申请已提交").wait_for()
    case = Case.objects.get(applicant=zhangsan, item__code=CODE)
    number = case.number
    assert case.state == Case.State.SUBMITTED
    assert phone.locator("[data-sh-number]").inner_text() == number
    subject = f"{ITEM} · 张三 · {number}"

    # 李四 at the window asks once for better drawings
    sign_in(desk, live_server, demo["lisi"])
    desk.goto("/staff/")
    desk.get_by_role("link", name="一窗受理").click()
    desk.locator("#case-window-table").get_by_role("link", name=number).click()
    expect(desk.locator("#case-applicant-id")).to_have_text(case.applicant_id_masked)
    drawings = case.item_version.materials.get(name=DRAWINGS)
    desk.get_by_text("一次性告知补正", exact=True).click()
    desk.get_by_label(DRAWINGS).check()
    desk.locator(f"input[name=r_{drawings.pk}]").fill("图纸须有设计单位盖章")
    desk.locator("#case-correction").click()
    expect(desk.locator(".alert-success")).to_contain_text("补正")
    assert Case.objects.get(pk=case.pk).state == Case.State.CORRECTION

    # 张三 sees the request on his phone, replaces the drawings, resubmits
    phone.goto(f"/hall/my/{number}/")
    expect(phone.locator(".alert-warning")).to_contain_text("图纸须有设计单位盖章")
    phone.get_by_role("link", name="去补正").click()
    expect(phone.locator("[data-sh-correction]")).to_contain_text(DRAWINGS)
    row = phone.locator(f"[data-sh-material='{DRAWINGS}']")
    with phone.expect_navigation():
        row.get_by_role("button", name="删除 图纸.pdf").click()
    _upload(phone, DRAWINGS, _pdf(tmp_path / "盖章图纸.pdf", "drawings v2 stamped"))
    assert _width(phone) <= 375
    phone.get_by_role("button", name="提交补正材料").click()
    phone.get_by_text("补正材料已提交").wait_for()
    assert Case.objects.get(pk=case.pk).state == Case.State.SUBMITTED

    # 李四 accepts; the joint process starts in three departments at once
    desk.goto(f"/staff/cases/{number}/")
    expect(desk.locator("#case-materials")).to_contain_text("盖章图纸.pdf")
    desk.locator("#case-accept-open").click()
    desk.locator("#case-accept").click()
    expect(desk.locator(".alert-success")).to_have_text("已受理，受理通知书已出具")
    expect(desk.locator("#case-tasks tbody tr")).to_have_count(3)

    # The departments approve in parallel; the leader's step waits for all
    sign_in(desk, live_server, demo["guoting"])
    _review(desk, subject, "自然资源局规划核验", "符合村庄规划")
    sign_in(desk, live_server, demo["huanglei"])
    _review(desk, subject, "行政审批局施工图审查", "图纸符合要求")
    sign_in(desk, live_server, demo["machao"])
    _review(desk, subject, "住建局承办科室审查", "材料齐全，同意")

    # 孙七 approves and decides 准予: the licence is issued
    sign_in(desk, live_server, demo["sunqi"])
    _review(desk, subject, "分管领导审核", "同意")
    desk.goto(f"/staff/cases/{number}/")
    expect(desk.locator("#case-opinions")).to_contain_text("符合村庄规划")
    desk.get_by_label("准予许可").check()
    desk.get_by_label("决定理由").fill("经审查符合条件")
    desk.locator("#case-decide").click()
    expect(desk.locator(".alert-success")).to_have_text("决定已作出，决定书已出具")
    expect(desk.locator("#case-state")).to_have_text("准予")
    licence = ELicense.objects.get(case=case)

    # 张三 opens the licence and verifies it through its QR URL
    phone.goto(f"/hall/my/{number}/")
    phone.get_by_role("link", name=f"建筑工程施工许可证（{licence.number}）").click()
    assert _width(phone) <= 375
    verify_link = phone.get_by_role("link", name="/verify/")
    url = verify_link.get_attribute("href")
    assert url == f"{live_server.url}/verify/{licence.code}/"
    # the QR code next to it encodes the same URL
    qr = phone.locator("#licence-qr").get_attribute("src")
    assert qr == licence_queries.qr_svg_data_uri(url)
    phone.goto(url)
    result = phone.locator("#licence-verification")
    result.get_by_text("有效", exact=True).wait_for()
    assert result.get_attribute("data-status") == "valid"
    assert licence.number in result.inner_text()

    # 张三 rates the case 不满意
    phone.goto(f"/hall/my/{number}/")
    phone.get_by_role("link", name="去评价").click()
    phone.get_by_text("不满意", exact=True).click()
    phone.get_by_label("评价内容（选填，500字以内）").fill("图纸要求没有提前说明")
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("感谢您的评价！").wait_for()
    rectification = Rectification.objects.get(rating__case=case)
    assert rectification.organization.code == "139921-106"

    # 住建局's 马超 replies to the rater
    sign_in(desk, live_server, demo["machao"])
    desk.goto("/staff/ratings/rectifications/")
    desk.get_by_role("link", name=number).click()
    desk.locator("#sv-reply-form").get_by_label("整改答复").fill(REPLY)
    desk.get_by_role("button", name="发送答复").click()
    desk.get_by_text("已答复评价人").wait_for()
    assert desk_problems == []
    desk_context.close()

    # 张三 reads the reply on his case page and in 我的消息
    phone.goto(f"/hall/my/{number}/")
    reply = phone.locator("[data-sh-rating-reply]")
    expect(reply).to_contain_text(REPLY)
    expect(reply).to_contain_text("示范县住房和城乡建设局")
    phone.goto("/hall/messages/")
    newest = phone.locator("[data-message]").first
    expect(newest).to_contain_text("示范县住房和城乡建设局已答复您的评价")
    expect(newest).to_contain_text(REPLY)
    assert _width(phone) <= 375
    # opening the message leads to the case
    newest.get_by_role("button").click()
    phone.wait_for_url(f"**/hall/my/{number}/")
    assert problems == []
