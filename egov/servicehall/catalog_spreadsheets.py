"""The catalog as an Excel workbook: one sheet of items, one of materials.

The materials sheet names each material's item by its code. Reading gives the
rows of both sheets as text, with the row number a person sees in Excel, and
turns each row into typed values (`parse_item_row`, `parse_material_row`)
with a message per bad cell; the rules about what those values may be belong
to egov.servicehall.catalog_actions. Writing never lets a cell become a
formula, so an exported file is safe to open.
"""

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from egov.core.errors import ActionError
from egov.core.models import TimeUnit
from egov.servicehall.models import RequiredMaterial, ServiceItemVersion

MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_SHEET = gettext_lazy("事项")
MATERIALS_SHEET = gettext_lazy("申请材料")
NOTES_SHEET = gettext_lazy("填写说明")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    width: int = 16
    # Written on export for people to read, ignored on import.
    export_only: bool = False


ITEM_COLUMNS = [
    Column("code", gettext_lazy("事项编码"), True, 26),
    Column("name", gettext_lazy("事项名称"), True, 28),
    Column("kind", gettext_lazy("事项类型"), True, 12),
    Column("organization_code", gettext_lazy("实施机构代码"), True),
    Column(
        "organization_name", gettext_lazy("实施机构名称"), width=26, export_only=True
    ),
    Column("audience", gettext_lazy("服务对象"), True, 12),
    Column("themes", gettext_lazy("主题与生命周期"), width=20),
    Column("legal_basis", gettext_lazy("设定依据"), True, 40),
    Column("conditions", gettext_lazy("受理条件"), True, 40),
    Column("statutory_limit", gettext_lazy("法定时限"), True, 10),
    Column("statutory_limit_unit", gettext_lazy("法定时限单位"), True, 12),
    Column("promised_limit", gettext_lazy("承诺时限"), True, 10),
    Column("promised_limit_unit", gettext_lazy("承诺时限单位"), True, 12),
    Column("fee", gettext_lazy("收费标准（元）"), width=14),
    Column("fee_basis", gettext_lazy("收费依据"), width=30),
    Column("hall_address", gettext_lazy("办理地点"), True, 30),
    Column("office_hours", gettext_lazy("办理时间"), True, 30),
    Column("max_visits", gettext_lazy("最多跑动次数"), True, 12),
    Column("consultation_phone", gettext_lazy("咨询电话"), True, 16),
    Column("complaint_phone", gettext_lazy("监督投诉电话"), True, 16),
    Column("online", gettext_lazy("网上可办"), True, 10),
    Column("process_key", gettext_lazy("办理流程编码")),
    Column("form_key", gettext_lazy("申请表单标识")),
    Column("issues_licence", gettext_lazy("出具电子证照"), width=12),
    Column("licence_type", gettext_lazy("证照类型"), width=20),
    Column("change_note", gettext_lazy("修订说明"), width=24),
    Column("version", gettext_lazy("版本"), width=8, export_only=True),
    Column("status", gettext_lazy("状态"), width=12, export_only=True),
]

MATERIAL_COLUMNS = [
    Column("item_code", gettext_lazy("事项编码"), True, 26),
    Column("name", gettext_lazy("材料名称"), True, 32),
    Column("is_required", gettext_lazy("必要材料"), True, 10),
    Column("form", gettext_lazy("材料形式"), True, 14),
    Column("copies", gettext_lazy("份数"), True, 8),
    Column("audience", gettext_lazy("适用对象"), True, 12),
    Column("note", gettext_lazy("填报须知"), width=40),
    Column("template_name", gettext_lazy("空白表格"), width=24, export_only=True),
    Column("example_name", gettext_lazy("示例样表"), width=24, export_only=True),
]

NOTES = [
    gettext_lazy(
        "“事项”表每行一个事项，“申请材料”表每行一项材料，"
        "均从第2行开始填写；带 * 的列为必填。"
    ),
    gettext_lazy(
        "申请材料表的“事项编码”须是事项表中的某一行；同一事项的材料按行的先后排序。"
    ),
    gettext_lazy(
        "事项类型填写：行政许可、行政确认、行政给付、行政奖励、"
        "行政裁决、其他行政权力 或 公共服务。"
    ),
    gettext_lazy("服务对象、适用对象填写：个人、法人，或“个人、法人”。"),
    gettext_lazy("时限单位填写：工作日、自然日 或 小时；承诺时限不能长于法定时限。"),
    gettext_lazy(
        "收费标准以元为单位，不收费的事项留空或填 0；收费事项须填写收费依据。"
    ),
    gettext_lazy(
        "是否类的列填写“是”或“否”；材料形式填写：原件、复印件 或 原件和复印件。"
    ),
    gettext_lazy("主题与生命周期填写系统中已有主题的名称，多个用顿号“、”分隔。"),
    gettext_lazy(
        "导入的内容一律成为草稿，经审核后才会发布：新事项建立第1版草稿；"
        "已发布且内容有变化的事项建立新版本草稿；已有草稿的事项更新其草稿；"
        "内容没有变化的事项不做任何修改。"
    ),
    gettext_lazy("材料的空白表格和示例样表不在表格中，导入时按材料名称沿用原有文件。"),
    gettext_lazy("文件中任何一行有错误时，整个文件都不会导入。"),
]


class SpreadsheetError(ActionError):
    """The uploaded file cannot be read as a catalog workbook."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(label) -> str:
    return _text(label).rstrip("*＊").strip()


def _not_xlsx() -> SpreadsheetError:
    return SpreadsheetError(
        _("无法读取文件，请上传按模板填写的 Excel（.xlsx）文件"), code="not_xlsx"
    )


def _sheet_rows(workbook, title, columns) -> list[dict]:
    names = {sheet.title: sheet for sheet in workbook.worksheets}
    sheet = names.get(str(title))
    if sheet is None:
        raise SpreadsheetError(
            _("文件缺少“%(sheet)s”工作表，请使用下载的模板") % {"sheet": title},
            code="missing_sheet",
        )
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = [c for c in columns if not c.export_only]
    by_label = {str(c.label): c for c in wanted}
    positions = {}
    for index, label in enumerate(header):
        column = by_label.get(_header_key(label))
        if column is not None:
            positions[column.key] = index
    missing = [str(c.label) for c in wanted if c.required and c.key not in positions]
    if missing:
        raise SpreadsheetError(
            _("“%(sheet)s”工作表缺少必填列：%(cols)s。请使用下载的模板")
            % {"sheet": title, "cols": "、".join(missing)},
            code="missing_columns",
        )
    result = []
    for number, values in enumerate(rows, start=2):
        item = {
            key: _text(values[index]) if index < len(values) else ""
            for key, index in positions.items()
        }
        if not any(item.values()):
            continue
        if len(result) >= MAX_ROWS:
            raise SpreadsheetError(
                _("“%(sheet)s”工作表一次最多导入%(n)d行，请分批导入")
                % {"sheet": title, "n": MAX_ROWS},
                code="too_many_rows",
            )
        for column in wanted:
            item.setdefault(column.key, "")
        item["row"] = number
        result.append(item)
    return result


def read_catalog(fileobj) -> tuple[list[dict], list[dict]]:
    """(item rows, material rows) of an uploaded catalog workbook, as text.

    Raises SpreadsheetError for a file that is too large, not an .xlsx
    workbook, lacks a sheet or a required column, has too many rows, or has no
    item rows at all.
    """
    size = getattr(fileobj, "size", None)
    if size is not None and size > settings.EGOV_UPLOAD_MAX_BYTES:
        raise SpreadsheetError(_("文件过大，无法导入"), code="file_too_large")
    data = fileobj.read()
    if not data.startswith(b"PK"):
        raise _not_xlsx()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _not_xlsx() from None
    try:
        items = _sheet_rows(workbook, ITEMS_SHEET, ITEM_COLUMNS)
        materials = _sheet_rows(workbook, MATERIALS_SHEET, MATERIAL_COLUMNS)
    finally:
        workbook.close()
    if not items:
        raise SpreadsheetError(_("“事项”工作表中没有数据行"), code="empty_file")
    return items, materials


# --- from text to typed values ------------------------------------------------

_YES = {"是", "y", "yes", "true", "1"}
_NO = {"否", "n", "no", "false", "0", ""}
_SEPARATORS = ("、", "，", ",", "；", ";", "/")


def _labels(choices) -> dict[str, str]:
    return {str(label): code for code, label in choices}


def _yes_no(row, key, label, errors, *, default=False) -> bool:
    value = row.get(key, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return default if value == "" else False
    errors[key] = _("“%(label)s”应填写“是”或“否”") % {"label": label}
    return default


def _integer(row, key, label, errors):
    value = row.get(key, "").strip()
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        errors[key] = _("“%(label)s”应为整数，而不是“%(value)s”") % {
            "label": label,
            "value": value,
        }
        return None


def split_list(value: str) -> list[str]:
    parts = [value or ""]
    for separator in _SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


def _audience(row, key, label, errors, field) -> tuple[bool, bool]:
    names = split_list(row.get(key, ""))
    known = {str(_("个人")): "individual", str(_("法人")): "entity"}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        errors[field] = _("“%(label)s”应填写：个人、法人，或“个人、法人”") % {
            "label": label
        }
        return False, False
    chosen = {known[name] for name in names}
    return "individual" in chosen, "entity" in chosen


def fee_to_fen(text: str) -> int | None:
    """Yuan as written in a cell ("80", "80.5", "0.01") in fen; None if not money."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


def parse_item_row(row: dict) -> tuple[dict, dict]:
    """The typed values of one item row, and a message per bad cell keyed by
    the field names of catalog_actions.clean_item_fields.

    Themes come back as names under "theme_names"; the organization as its
    code. Missing required cells are left to the actions' checks, which name
    the field.
    """
    errors: dict[str, str] = {}
    data: dict = {
        key: row.get(key, "")
        for key in (
            "code",
            "name",
            "legal_basis",
            "conditions",
            "fee_basis",
            "hall_address",
            "office_hours",
            "consultation_phone",
            "complaint_phone",
            "process_key",
            "form_key",
            "licence_type",
            "change_note",
        )
    }
    data["organization_code"] = row.get("organization_code", "").strip()
    kinds = _labels(ServiceItemVersion.Kind.choices)
    kind = row.get("kind", "").strip()
    data["kind"] = kinds.get(kind)
    if kind and data["kind"] is None:
        errors["kind"] = _("“事项类型”应为：%(kinds)s") % {"kinds": "、".join(kinds)}
    units = _labels(TimeUnit.choices)
    for key, label in (
        ("statutory_limit", _("法定时限")),
        ("promised_limit", _("承诺时限")),
    ):
        data[key] = _integer(row, key, label, errors)
        unit = row.get(f"{key}_unit", "").strip()
        data[f"{key}_unit"] = units.get(unit)
        if unit and data[f"{key}_unit"] is None:
            errors[f"{key}_unit"] = _("“%(label)s单位”应为：%(units)s") % {
                "label": label,
                "units": "、".join(units),
            }
    fee = row.get("fee", "").strip()
    data["fee_fen"] = fee_to_fen(fee) if fee else 0
    if data["fee_fen"] is None:
        errors["fee_fen"] = _(
            "“收费标准（元）”应为不小于0、最多两位小数的金额，而不是“%(value)s”"
        ) % {"value": fee}
        data["fee_fen"] = 0
    data["charges_fee"] = data["fee_fen"] > 0
    data["max_visits"] = _integer(row, "max_visits", _("最多跑动次数"), errors)
    data["online"] = _yes_no(row, "online", _("网上可办"), errors)
    data["issues_licence"] = _yes_no(row, "issues_licence", _("出具电子证照"), errors)
    data["for_individuals"], data["for_entities"] = _audience(
        row, "audience", _("服务对象"), errors, "audience"
    )
    data["theme_names"] = split_list(row.get("themes", ""))
    return data, errors


def parse_material_row(row: dict) -> tuple[dict, dict]:
    """Like parse_item_row, keyed by catalog_actions.clean_material's fields."""
    errors: dict[str, str] = {}
    data = {
        "item_code": row.get("item_code", "").strip().upper(),
        "name": row.get("name", ""),
        "note": row.get("note", ""),
    }
    data["is_required"] = _yes_no(row, "is_required", _("必要材料"), errors)
    forms = _labels(RequiredMaterial.Form.choices)
    form = row.get("form", "").strip()
    data["form"] = forms.get(form)
    if data["form"] is None:
        errors["form"] = _("“材料形式”应为：%(forms)s") % {"forms": "、".join(forms)}
    data["copies"] = _integer(row, "copies", _("份数"), errors)
    data["for_individuals"], data["for_entities"] = _audience(
        row, "audience", _("适用对象"), errors, "for_individuals"
    )
    return data, errors


# --- writing -----------------------------------------------------------------


def _safe(cell, value) -> None:
    cell.value = value
    if isinstance(value, str):
        # Text stays text: a leading "=" must not turn into a formula.
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True


def _sheet(sheet, title, columns):
    sheet.title = str(title)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DBE7F6")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        _safe(cell, f"{column.label}{'*' if column.required else ''}")
        cell.font = bold
        cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        # Codes are text; Excel must not turn them into numbers.
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def _rows(sheet, columns, rows) -> None:
    for row_index, row in enumerate(rows, start=2):
        for col_index, column in enumerate(columns, start=1):
            _safe(sheet.cell(row=row_index, column=col_index), row.get(column.key, ""))


def _workbook(items, materials, *, notes: bool) -> bytes:
    workbook = Workbook()
    _rows(_sheet(workbook.active, ITEMS_SHEET, ITEM_COLUMNS), ITEM_COLUMNS, items)
    _rows(
        _sheet(workbook.create_sheet(), MATERIALS_SHEET, MATERIAL_COLUMNS),
        MATERIAL_COLUMNS,
        materials,
    )
    if notes:
        sheet = workbook.create_sheet(str(NOTES_SHEET))
        sheet.column_dimensions["A"].width = 110
        for index, line in enumerate(NOTES, start=1):
            cell = sheet.cell(row=index, column=1)
            _safe(cell, str(line))
            cell.alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """A blank import template: both sheets' headers and the instructions."""
    return _workbook([], [], notes=True)


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def _fee_text(fen: int) -> str:
    if not fen:
        return ""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}" if cents else str(yuan)


def item_row(version) -> dict:
    return {
        "code": version.item.code,
        "name": version.name,
        "kind": version.get_kind_display(),
        "organization_code": version.item.organization.code,
        "organization_name": version.item.organization.name,
        "audience": version.audience_display,
        "themes": "、".join(t.name for t in version.themes.all()),
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "statutory_limit": version.statutory_limit,
        "statutory_limit_unit": version.get_statutory_limit_unit_display(),
        "promised_limit": version.promised_limit,
        "promised_limit_unit": version.get_promised_limit_unit_display(),
        "fee": _fee_text(version.fee_fen),
        "fee_basis": version.fee_basis,
        "hall_address": version.hall_address,
        "office_hours": version.office_hours,
        "max_visits": version.max_visits,
        "consultation_phone": version.consultation_phone,
        "complaint_phone": version.complaint_phone,
        "online": _yes(version.online),
        "process_key": version.process_key,
        "form_key": version.form_key,
        "issues_licence": _yes(version.issues_licence),
        "licence_type": version.licence_type,
        "change_note": version.change_note,
        "version": version.number,
        "status": version.get_status_display(),
    }


def material_row(version, material) -> dict:
    return {
        "item_code": version.item.code,
        "name": material.name,
        "is_required": _yes(material.is_required),
        "form": material.get_form_display(),
        "copies": material.copies,
        "audience": material.audience_display,
        "note": material.note,
        "template_name": str(material.template_file or ""),
        "example_name": str(material.example_file or ""),
    }


def catalog_workbook(versions) -> bytes:
    """The given versions (with items, organizations, themes and materials
    prefetched) as a workbook that `read_catalog` reads back."""
    versions = list(versions)
    items = [item_row(v) for v in versions]
    materials = [material_row(v, m) for v in versions for m in v.materials.all()]
    return _workbook(items, materials, notes=False)
