"""政务服务 → 事项管理 pages: list and filters within the data scope, drafting
with a materials formset, review, history, retirement, and Excel pages."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from egov.servicehall import catalog_actions as actions
from egov.servicehall import catalog_spreadsheets as sheets
from egov.servicehall.models import ServiceItem, ServiceItemVersion
from tests.servicehall.factories import (
    docx_upload,
    draft,
    item_fields,
    material,
    published,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]
Status = ServiceItemVersion.Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response) -> list[str]:
    html = response.content.decode()
    table = html[html.index('id="sh-item-table"') :]
    return re.findall(r'/staff/catalog/items/[^/]+/">([^<]+)</a>', table)


def _form_data(**overrides) -> dict:
    data = {
        "code": "000131001000-139921104",
        "organization": "",
        "name": "公共场所卫生许可",
        "kind": "licensing",
        "audience": ["individual", "entity"],
        "legal_basis": "《公共场所卫生管理条例》第八条",
        "conditions": "场所布局符合卫生标准。",
        "statutory_limit": "20",
        "statutory_limit_unit": "workdays",
        "promised_limit": "7",
        "promised_limit_unit": "workdays",
        "fee_yuan": "",
        "fee_basis": "",
        "hall_address": "示范县政务服务中心6号窗口",
        "office_hours": "工作日 9:00—17:00",
        "max_visits": "1",
        "online": "on",
        "consultation_phone": "0399-8123110",
        "complaint_phone": "12345",
        "process_key": "",
        "form_key": "",
        "issues_licence": "on",
        "licence_type": "公共场所卫生许可证",
        "change_note": "",
        "materials-TOTAL_FORMS": "2",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "100",
        "materials-0-name": "公共场所卫生许可申请表",
        "materials-0-is_required": "on",
        "materials-0-form": "original",
        "materials-0-copies": "1",
        "materials-0-audience": ["individual", "entity"],
        "materials-0-template_upload": docx_upload(),
        "materials-1-name": "营业执照",
        "materials-1-form": "copy",
        "materials-1-copies": "1",
        "materials-1-audience": ["entity"],
    }
    data.update(overrides)
    return data


# --- the list and data scope -----------------------------------------------------


def test_the_menu_shows_item_management_to_catalog_staff(county):
    html = _client(county.people.wangwu).get("/staff/").content.decode()

    assert "政务服务" in html
    assert 'href="/staff/catalog/"' in html


def test_staff_see_only_the_items_of_their_scope(county):
    published(county)
    actions.create_item(
        actor=county.people.xuli,
        code="CENTER-0001",
        organization=county.orgs.center,
        fields=item_fields(name="中心的事项"),
        materials=[material()],
    )

    assert _rows(_client(county.people.wangwu).get("/staff/catalog/")) == [
        "食品经营许可"
    ]
    assert sorted(_rows(_client(county.people.xuli).get("/staff/catalog/"))) == [
        "中心的事项",
        "食品经营许可",
    ]
    assert (
        _client(county.people.wangwu)
        .get("/staff/catalog/items/CENTER-0001/")
        .status_code
        == 404
    )


def test_someone_without_catalog_permissions_is_refused(county):
    response = _client(county.people.luodan).get("/staff/catalog/")

    assert response.status_code == 403


def test_the_list_filters_by_department_kind_status_and_text(county):
    published(county)
    draft(county, code="DRAFT-0001", name="个体工商户设立登记", kind="confirmation")
    client = _client(county.people.xuli)

    assert _rows(client.get("/staff/catalog/?status=draft")) == ["个体工商户设立登记"]
    assert _rows(client.get("/staff/catalog/?kind=licensing")) == ["食品经营许可"]
    assert _rows(client.get("/staff/catalog/?q=draft-0001")) == ["个体工商户设立登记"]
    market = county.orgs.market.pk
    assert len(_rows(client.get(f"/staff/catalog/?org={market}"))) == 2
    center = county.orgs.center.pk
    assert _rows(client.get(f"/staff/catalog/?org={center}")) == []


def test_bad_filters_show_everything_with_a_notice(county):
    published(county)

    response = _client(county.people.xuli).get("/staff/catalog/?org=abc&status=zzz")

    assert response.status_code == 200
    assert _rows(response) == ["食品经营许可"]
    assert "筛选条件无效，已显示全部事项。" in response.content.decode()


# --- drafting through the form ----------------------------------------------------


def test_creating_an_item_through_the_form_saves_a_draft_with_materials(county):
    client = _client(county.people.wangwu)

    response = client.post(
        "/staff/catalog/new/", _form_data(organization=str(county.orgs.market.pk))
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/catalog/items/000131001000-139921104/"
    version = ServiceItemVersion.objects.get()
    assert version.status == Status.DRAFT
    assert version.for_entities and version.for_individuals
    names = [(m.name, bool(m.template_file)) for m in version.materials.all()]
    assert names == [("公共场所卫生许可申请表", True), ("营业执照", False)]


def test_the_form_shows_each_refusal_beside_its_field(county):
    client = _client(county.people.wangwu)

    response = client.post(
        "/staff/catalog/new/",
        _form_data(
            organization=str(county.orgs.market.pk),
            name="",
            promised_limit="30",
            **{"materials-1-audience": [], "materials-1-copies": "x"},
        ),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "份数应为整数" in html
    assert not ServiceItem.objects.exists()

    response = client.post(
        "/staff/catalog/new/",
        _form_data(
            organization=str(county.orgs.market.pk),
            name="",
            promised_limit="30",
            **{"materials-1-audience": []},
        ),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写事项名称" in html
    assert "承诺时限不能长于法定时限" in html
    assert "请至少选择一类适用对象（个人或法人）" in html
    assert not ServiceItem.objects.exists()


def test_an_organization_outside_the_scope_cannot_be_chosen(county):
    response = _client(county.people.wangwu).post(
        "/staff/catalog/new/", _form_data(organization=str(county.orgs.center.pk))
    )

    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_editing_a_draft_keeps_existing_materials_and_their_files(county):
    version = draft(
        county,
        materials=[
            material("申请书", template_upload=docx_upload()),
            material("营业执照"),
        ],
    )
    first, second = version.materials.all()
    client = _client(county.people.wangwu)
    page = client.get("/staff/catalog/items/000172012000-139921104/edit/")
    assert page.status_code == 200
    assert "现有文件：申请书.docx" in page.content.decode()

    response = client.post(
        "/staff/catalog/items/000172012000-139921104/edit/",
        _form_data(
            code="000172012000-139921104",
            organization=str(county.orgs.market.pk),
            name="食品经营许可（新办）",
            **{
                "materials-INITIAL_FORMS": "2",
                "materials-0-id": str(first.pk),
                "materials-0-name": "食品经营许可申请书",
                "materials-0-template_upload": "",
                "materials-1-id": str(second.pk),
                "materials-1-DELETE": "on",
            },
        ),
    )

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.name == "食品经营许可（新办）"
    kept = version.materials.get()
    assert (kept.pk, kept.name) == (first.pk, "食品经营许可申请书")
    assert kept.template_file.original_name == "申请书.docx"


def test_a_version_in_review_cannot_be_edited(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)
    client = _client(county.people.wangwu)

    response = client.get(
        "/staff/catalog/items/000172012000-139921104/edit/", follow=True
    )

    assert "只有草稿状态的事项可以修改" in response.content.decode()


# --- review -------------------------------------------------------------------------


def test_submitting_and_approving_through_the_pages(county):
    draft(county)
    drafter = _client(county.people.wangwu)
    reviewer = _client(county.people.sunqi)

    response = drafter.post(
        "/staff/catalog/items/000172012000-139921104/submit/", follow=True
    )
    assert "已提交审核，审核通过后将在网上办事大厅发布。" in response.content.decode()
    queue = reviewer.get("/staff/catalog/review/").content.decode()
    assert "食品经营许可" in queue
    assert 'href="/staff/catalog/items/000172012000-139921104/v1/#sh-review"' in queue

    response = reviewer.post(
        "/staff/catalog/items/000172012000-139921104/v1/approve/",
        {"comment": "同意发布"},
        follow=True,
    )

    assert "已审核通过并发布“食品经营许可”第1版。" in response.content.decode()
    version = ServiceItemVersion.objects.get()
    assert (version.status, version.review_comment) == (Status.PUBLISHED, "同意发布")


def test_the_drafter_sees_no_review_buttons_and_is_refused_when_trying(county):
    version = draft(county, actor=county.people.zhaoliu)
    actions.submit_item(actor=county.people.zhaoliu, version=version)
    client = _client(county.people.zhaoliu)

    page = client.get("/staff/catalog/items/000172012000-139921104/").content.decode()
    assert "审核通过并发布" not in page
    assert "此版本由您起草、修改或提交，须由其他审核人审核。" in page
    queue = client.get("/staff/catalog/review/").content.decode()
    assert "本人提交，须由他人审核" in queue

    response = client.post(
        "/staff/catalog/items/000172012000-139921104/v1/approve/", follow=True
    )

    assert "不能审核本人起草、修改或提交的事项，请由其他审核人审核" in (
        response.content.decode()
    )
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW


def test_rejecting_asks_for_a_reason(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)
    client = _client(county.people.sunqi)
    url = "/staff/catalog/items/000172012000-139921104/v1/reject/"

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert "请填写退回理由" in empty.content.decode()

    response = client.post(url, {"reason": "请补充收费依据"})

    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.review_comment) == (Status.DRAFT, "请补充收费依据")
    page = _client(county.people.wangwu).get(
        "/staff/catalog/items/000172012000-139921104/"
    )
    assert "请补充收费依据" in page.content.decode()


def test_history_lists_every_version_and_each_can_be_opened(county):
    first = published(county)
    actions.new_item_version(actor=county.people.wangwu, item=first.item)
    client = _client(county.people.wangwu)

    page = client.get("/staff/catalog/items/000172012000-139921104/").content.decode()
    old = client.get("/staff/catalog/items/000172012000-139921104/v1/")

    history = page[page.index('id="sh-versions"') :]
    assert history.count("/staff/catalog/items/000172012000-139921104/v") == 2
    assert "已发布" in history and "草稿" in history
    assert old.status_code == 200
    assert (
        client.get("/staff/catalog/items/000172012000-139921104/v9/").status_code == 404
    )


def test_new_version_and_retirement_through_the_pages(county):
    published(county)
    drafter = _client(county.people.wangwu)
    reviewer = _client(county.people.sunqi)

    response = drafter.post("/staff/catalog/items/000172012000-139921104/new-version/")
    assert response["Location"] == "/staff/catalog/items/000172012000-139921104/edit/"

    empty = reviewer.post("/staff/catalog/items/000172012000-139921104/retire/", {})
    assert empty.status_code == 400
    assert "请填写废止理由" in empty.content.decode()
    response = reviewer.post(
        "/staff/catalog/items/000172012000-139921104/retire/",
        {"reason": "事项已取消"},
        follow=True,
    )
    assert "事项已废止，网上办事大厅不再显示。" in response.content.decode()
    assert Client().get("/hall/items/000172012000-139921104/").status_code == 404


def test_draft_material_files_download_for_staff_in_scope_only(county):
    version = draft(county, materials=[material(template_upload=docx_upload())])
    pk = version.materials.get().pk
    url = f"/staff/catalog/items/000172012000-139921104/v1/materials/{pk}/template/"

    assert _client(county.people.wangwu).get(url).status_code == 200
    assert _client(county.people.xuli).get(url).status_code == 200
    assert _client(county.people.lisi).get(url).status_code == 404


# --- Excel -------------------------------------------------------------------------


def test_exporting_downloads_the_catalog_workbook(county):
    published(county)

    response = _client(county.people.wangwu).get("/staff/catalog/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == sheets.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["事项", "申请材料"]


def test_the_import_page_reports_row_errors_and_imports_good_files(county):
    client = _client(county.people.xuli)
    assert client.get("/staff/catalog/import/template/").status_code == 200
    published(county)
    content = _client(county.people.xuli).get("/staff/catalog/export/").content
    workbook = load_workbook(io.BytesIO(content))
    workbook["事项"]["C2"] = "不知道"
    buffer = io.BytesIO()
    workbook.save(buffer)

    bad = client.post(
        "/staff/catalog/import/",
        {"file": SimpleUploadedFile("事项.xlsx", buffer.getvalue())},
    )

    html = bad.content.decode()
    assert bad.status_code == 400
    assert "导入文件中有1处错误，未导入任何数据，请修改后重新导入" in html
    assert "第 2 行" in html
    assert "“事项类型”应为：" in html

    good = client.post(
        "/staff/catalog/import/",
        {"file": SimpleUploadedFile("事项.xlsx", content)},
        follow=True,
    )
    assert "内容未变1项" in good.content.decode()


def test_the_import_page_explains_an_unreadable_file(county):
    response = _client(county.people.xuli).post(
        "/staff/catalog/import/",
        {"file": SimpleUploadedFile("事项.xlsx", b"not a workbook")},
    )

    assert response.status_code == 400
    assert "无法读取文件，请上传按模板填写的 Excel（.xlsx）文件" in (
        response.content.decode()
    )


def test_the_import_page_asks_for_a_file(county):
    response = _client(county.people.xuli).post("/staff/catalog/import/", {})

    assert response.status_code == 400
    assert "请选择要导入的 Excel 文件" in response.content.decode()


def test_the_import_pages_are_refused_without_the_import_permission(county):
    client = _client(county.people.wangwu)

    assert client.get("/staff/catalog/import/").status_code == 403
    assert client.get("/staff/catalog/import/template/").status_code == 403


def test_nul_characters_in_any_input_are_refused_not_crashed(county):
    client = _client(county.people.wangwu)

    listing = client.get("/staff/catalog/?q=%00")
    created = client.post(
        "/staff/catalog/new/",
        _form_data(organization=str(county.orgs.market.pk), name="食品\x00许可"),
    )

    assert listing.status_code == 200
    assert created.status_code == 400
    assert not ServiceItem.objects.exists()


# --- themes ------------------------------------------------------------------------


def _theme_data(**overrides) -> dict:
    data = {
        "name": "婚育",
        "code": "marriage",
        "kind": "life_event",
        "audience": ["individual"],
        "icon": "heart",
        "sort_order": "5",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_catalog_administrator_adds_and_changes_a_life_event(county):
    from egov.audit.models import AuditEntry
    from egov.servicehall.models import Theme

    client = _client(county.people.xuli)

    created = client.post("/staff/catalog/themes/new/", _theme_data())
    changed = client.post(
        "/staff/catalog/themes/marriage/",
        _theme_data(name="婚姻登记", is_active=""),
    )

    assert created.status_code == changed.status_code == 302
    theme = Theme.objects.get(code="marriage")
    assert (theme.name, theme.kind, theme.is_active) == (
        "婚姻登记",
        "life_event",
        False,
    )
    listing = client.get("/staff/catalog/themes/").content.decode()
    assert "婚姻登记" in listing and "停用" in listing
    entries = AuditEntry.objects.filter(action="servicehall.save_theme")
    assert entries.count() == 2
    assert entries.order_by("seq").last().detail["changes"]["name"] == [
        "婚育",
        "婚姻登记",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "Birth Day"}, "编码应为50位以内的小写字母、数字或连字符"),
        ({"code": "birth"}, "编码“birth”已被使用"),
        ({"name": ""}, "请填写名称"),
        ({"audience": []}, "请至少选择一类服务对象（个人或法人）"),
        ({"icon": "<svg>"}, "图标应为 bootstrap-icons 的图标名称，如 balloon-heart"),
    ],
)
def test_bad_theme_input_is_refused_with_a_message(county, overrides, message):
    response = _client(county.people.xuli).post(
        "/staff/catalog/themes/new/", _theme_data(**overrides)
    )

    assert response.status_code == 400
    assert message in response.content.decode()


def test_theme_pages_need_the_theme_permission(county):
    client = _client(county.people.wangwu)

    assert client.get("/staff/catalog/themes/").status_code == 403
    assert client.post("/staff/catalog/themes/new/", _theme_data()).status_code == 403
    assert (
        _client(county.people.xuli).get("/staff/catalog/themes/no-such/").status_code
        == 404
    )
