"""Excel export and import of the whole catalog: round trips, drafts from
imports, and the row-by-row error report that leaves everything untouched."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.servicehall import catalog_actions as actions
from egov.servicehall import catalog_spreadsheets as sheets
from egov.servicehall.models import ServiceItem, ServiceItemVersion
from tests.servicehall.factories import docx_upload, material, published

pytestmark = pytest.mark.django_db
Status = ServiceItemVersion.Status
XLSX = sheets.XLSX_CONTENT_TYPE


def _export(actor) -> bytes:
    return sheets.catalog_workbook(actions.export_catalog(actor=actor))


def _upload(content: bytes, name: str = "事项.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def _import(actor, content: bytes):
    item_rows, material_rows = sheets.read_catalog(_upload(content))
    return actions.import_catalog(
        actor=actor, item_rows=item_rows, material_rows=material_rows
    )


def _sheet_rows(content: bytes, title: str) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def _edit_cell(content: bytes, title: str, row: int, column: str, value) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[title]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=row, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _workbook(items: list[dict], materials: list[dict]) -> bytes:
    return sheets._workbook(items, materials, notes=False)


def _item_row(**overrides) -> dict:
    row = {
        "code": "000131001000-139921104",
        "name": "公共场所卫生许可",
        "kind": "行政许可",
        "organization_code": "139921-104",
        "audience": "个人、法人",
        "themes": "医疗卫生",
        "legal_basis": "《公共场所卫生管理条例》第八条",
        "conditions": "场所布局和卫生设施符合卫生标准。",
        "statutory_limit": 20,
        "statutory_limit_unit": "工作日",
        "promised_limit": 7,
        "promised_limit_unit": "工作日",
        "fee": "",
        "fee_basis": "",
        "hall_address": "示范县政务服务中心6号窗口",
        "office_hours": "工作日 9:00—17:00",
        "max_visits": 1,
        "consultation_phone": "0399-8123110",
        "complaint_phone": "12345",
        "online": "是",
        "issues_licence": "是",
        "licence_type": "公共场所卫生许可证",
    }
    row.update(overrides)
    return row


def _material_row(**overrides) -> dict:
    row = {
        "item_code": "000131001000-139921104",
        "name": "公共场所卫生许可申请表",
        "is_required": "是",
        "form": "原件",
        "copies": 1,
        "audience": "个人、法人",
        "note": "",
    }
    row.update(overrides)
    return row


# --- export ----------------------------------------------------------------------


def test_the_export_lists_each_items_newest_version_and_its_materials(county):
    published(
        county,
        materials=[
            material("申请书", template_upload=docx_upload("申请书.docx")),
            material("营业执照", form="copy", copies=2, for_entities=True),
        ],
        themes=[county.themes.business, county.themes.health],
        charges_fee=True,
        fee_fen=8050,
        fee_basis="发改价格规〔2016〕2559号",
    )

    content = _export(county.people.xuli)

    items = _sheet_rows(content, "事项")
    header = [cell.rstrip("*") for cell in items[0]]
    row = dict(zip(header, items[1], strict=True))
    assert len(items) == 2
    assert row["事项编码"] == "000172012000-139921104"
    assert row["事项类型"] == "行政许可"
    assert row["实施机构代码"] == "139921-104"
    assert row["实施机构名称"] == "示范县市场监督管理局"
    assert row["服务对象"] == "个人、法人"
    assert row["主题与生命周期"] in ("开办企业、医疗卫生", "医疗卫生、开办企业")
    assert row["法定时限单位"] == "工作日"
    assert row["收费标准（元）"] == "80.50"
    assert row["网上可办"] == "是"
    assert row["状态"] == "已发布"
    materials = _sheet_rows(content, "申请材料")
    assert materials[1][:6] == [
        "000172012000-139921104",
        "申请书",
        "是",
        "原件",
        1,
        "个人、法人",
    ]
    assert materials[1][7] == "申请书.docx"
    assert materials[2][3:5] == ["复印件", 2]
    entry = AuditEntry.objects.get(action="servicehall.export_catalog")
    assert entry.detail == {"rows": 1}


def test_the_export_keeps_to_the_exporters_scope(county):
    published(county)

    assert actions.export_catalog(actor=county.people.wangwu) != []
    with pytest.raises(PermissionDenied):
        actions.export_catalog(actor=county.people.neighbour)


def test_a_cell_that_looks_like_a_formula_stays_text(county):
    published(county, conditions='=HYPERLINK("http://evil")')

    workbook = load_workbook(io.BytesIO(_export(county.people.xuli)))
    header = [c.value.rstrip("*") for c in workbook["事项"][1]]
    cell = workbook["事项"].cell(row=2, column=header.index("受理条件") + 1)

    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil")'


def test_the_template_has_both_sheets_and_instructions():
    workbook = load_workbook(io.BytesIO(sheets.template_workbook()))

    assert workbook.sheetnames == ["事项", "申请材料", "填写说明"]
    assert workbook["事项"]["A1"].value == "事项编码*"
    assert workbook["申请材料"]["A1"].value == "事项编码*"
    assert (
        workbook["填写说明"]["A11"].value
        == "文件中任何一行有错误时，整个文件都不会导入。"
    )


# --- round trips ----------------------------------------------------------------


def test_importing_an_unchanged_export_changes_nothing(county):
    published(county)
    content = _export(county.people.xuli)

    result = _import(county.people.xuli, content)

    assert result.unchanged == ["000172012000-139921104"]
    assert (result.created, result.new_versions, result.updated_drafts) == ([], [], [])
    assert ServiceItemVersion.objects.count() == 1


def test_an_edited_export_becomes_a_new_version_draft_keeping_files(county):
    first = published(
        county, materials=[material("申请书", template_upload=docx_upload())]
    )
    content = _edit_cell(_export(county.people.xuli), "事项", 2, "承诺时限*", 3)

    result = _import(county.people.xuli, content)

    assert result.new_versions == ["000172012000-139921104"]
    second = first.item.versions.get(number=2)
    assert second.status == Status.DRAFT
    assert second.promised_limit == 3
    assert second.created_by == county.people.xuli
    assert second.materials.get().template_file == first.materials.get().template_file
    first.refresh_from_db()
    assert first.status == Status.PUBLISHED


def test_importing_into_an_items_draft_updates_that_draft(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    content = _edit_cell(
        _export(county.people.xuli), "事项", 2, "事项名称*", "食品经营许可（新）"
    )

    result = _import(county.people.xuli, content)

    assert result.updated_drafts == ["000172012000-139921104"]
    second.refresh_from_db()
    assert second.name == "食品经营许可（新）"
    assert first.item.versions.count() == 2


def test_an_export_imported_into_an_empty_catalog_recreates_it_as_drafts(county):
    first = published(
        county,
        materials=[
            material("申请书"),
            material("营业执照", form="both", copies=3, is_required=False),
        ],
        themes=[county.themes.health],
        charges_fee=True,
        fee_fen=8000,
        fee_basis="收费依据",
    )
    content = _export(county.people.xuli)
    before = actions.snapshot(first)
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()

    result = _import(county.people.xuli, content)

    assert result.created == ["000172012000-139921104"]
    again = ServiceItemVersion.objects.get()
    assert again.status == Status.DRAFT
    assert actions.snapshot(again) == before


def test_a_new_item_in_the_file_becomes_a_first_draft(county):
    content = _workbook(
        [_item_row()], [_material_row(), _material_row(name="营业执照")]
    )

    result = _import(county.people.xuli, content)

    assert result.created == ["000131001000-139921104"]
    version = ServiceItemVersion.objects.get()
    assert (version.number, version.status) == (1, Status.DRAFT)
    assert version.item.organization == county.orgs.market
    assert [t.code for t in version.themes.all()] == ["health"]
    assert [m.name for m in version.materials.all()] == [
        "公共场所卫生许可申请表",
        "营业执照",
    ]
    entry = AuditEntry.objects.get(action="servicehall.import_catalog")
    assert entry.detail["created"] == ["000131001000-139921104"]


# --- the error report ------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(county):
    content = _workbook(
        [
            _item_row(),
            _item_row(
                code="SECOND-0001",
                kind="许可",
                statutory_limit="十",
                promised_limit_unit="周",
                online="可以",
                themes="不存在的主题",
            ),
            _item_row(code="000131001000-139921104"),
            _item_row(code="THIRD-0001", organization_code="999999-999", fee="12.345"),
        ],
        [
            _material_row(),
            _material_row(item_code="NOPE-0001"),
            _material_row(name="营业执照", form="扫描件", copies=0, audience="企业"),
            _material_row(),
        ],
    )

    with pytest.raises(actions.CatalogImportRejected) as info:
        _import(county.people.xuli, content)

    assert info.value.errors == [
        (
            "事项",
            3,
            "“事项类型”应为：行政许可、行政确认、行政给付、行政奖励、行政裁决、"
            "其他行政权力、公共服务",
        ),
        ("事项", 3, "“法定时限”应为整数，而不是“十”"),
        ("事项", 3, "“承诺时限单位”应为：工作日、自然日、小时"),
        ("事项", 3, "“网上可办”应填写“是”或“否”"),
        ("事项", 3, "主题“不存在的主题”不存在"),
        ("事项", 4, "事项编码“000131001000-139921104”与第2行重复"),
        (
            "事项",
            5,
            "“收费标准（元）”应为不小于0、最多两位小数的金额，而不是“12.345”",
        ),
        ("事项", 5, "实施机构“999999-999”不存在、已停用或不在您可管理的范围内"),
        ("申请材料", 3, "事项编码“NOPE-0001”不在“事项”工作表中"),
        ("申请材料", 4, "“材料形式”应为：原件、复印件、原件和复印件"),
        ("申请材料", 4, "“适用对象”应填写：个人、法人，或“个人、法人”"),
        ("申请材料", 4, "份数应为1到99之间的整数"),
        ("申请材料", 5, "材料“公共场所卫生许可申请表”在该事项中重复"),
    ]
    assert (
        info.value.message == "导入文件中有13处错误，未导入任何数据，请修改后重新导入"
    )
    assert not ServiceItem.objects.exists()
    entry = AuditEntry.objects.get(action="servicehall.import_catalog")
    assert entry.outcome == AuditEntry.Outcome.FAILED


def test_an_item_in_review_or_retired_cannot_be_changed_by_import(county):
    first = published(county)
    content = _edit_cell(_export(county.people.xuli), "事项", 2, "承诺时限*", 2)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.submit_item(actor=county.people.wangwu, version=second)

    with pytest.raises(actions.CatalogImportRejected) as info:
        _import(county.people.xuli, content)

    assert info.value.errors == [
        ("事项", 2, "事项“000172012000-139921104”正在审核中，不能导入修改")
    ]


def test_importing_needs_the_import_permission(county):
    content = _workbook([_item_row()], [_material_row()])

    with pytest.raises(PermissionDenied):
        _import(county.people.wangwu, content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,code\n", "无法读取文件，请上传按模板填写的 Excel（.xlsx）文件"),
        (b"PK\x03\x04broken", "无法读取文件，请上传按模板填写的 Excel（.xlsx）文件"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(content, message):
    with pytest.raises(ActionError) as info:
        sheets.read_catalog(_upload(content))

    assert info.value.message == message


def test_a_workbook_without_the_materials_sheet_is_refused():
    workbook = load_workbook(io.BytesIO(sheets.template_workbook()))
    del workbook["申请材料"]
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ActionError) as info:
        sheets.read_catalog(_upload(buffer.getvalue()))

    assert info.value.message == "文件缺少“申请材料”工作表，请使用下载的模板"


def test_a_workbook_missing_required_columns_is_refused():
    content = sheets._workbook([], [], notes=False)
    workbook = load_workbook(io.BytesIO(content))
    workbook["事项"].delete_cols(2)
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ActionError) as info:
        sheets.read_catalog(_upload(buffer.getvalue()))

    assert info.value.message == "“事项”工作表缺少必填列：事项名称。请使用下载的模板"


def test_a_template_with_no_item_rows_is_refused():
    with pytest.raises(ActionError) as info:
        sheets.read_catalog(_upload(sheets.template_workbook()))

    assert info.value.message == "“事项”工作表中没有数据行"


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("80", 8000),
        ("80.5", 8050),
        ("0.01", 1),
        ("0", 0),
        ("-1", None),
        ("abc", None),
        ("NaN", None),
    ],
)
def test_fees_in_yuan_become_fen(text, fen):
    assert sheets.fee_to_fen(text) == fen


def test_a_retired_item_in_the_file_is_revised_as_a_new_draft(county):
    first = published(county)
    content = _edit_cell(_export(county.people.xuli), "事项", 2, "承诺时限*", 2)
    actions.retire_item(actor=county.people.sunqi, item=first.item, reason="暂停")

    result = _import(county.people.xuli, content)

    assert result.new_versions == ["000172012000-139921104"]
    second = first.item.versions.get(number=2)
    assert (second.status, second.promised_limit) == (Status.DRAFT, 2)


def test_list_cells_split_on_list_marks_but_keep_labels_with_spaces():
    from egov.servicehall.catalog_spreadsheets import split_list

    assert split_list("Individual, Legal entity") == ["Individual", "Legal entity"]
    assert split_list("个人、法人；开办企业/就业") == [
        "个人",
        "法人",
        "开办企业",
        "就业",
    ]
