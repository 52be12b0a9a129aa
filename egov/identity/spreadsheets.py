"""Excel (.xlsx) files for importing and exporting users and organizations.

Reading turns the first sheet into dicts keyed by column, with the row number a
person sees in Excel; writing never lets a cell become a formula (a name such
as "=HYPERLINK(...)" stays text), so exports are safe to open.
"""

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from egov.core.errors import ActionError

MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    width: int = 16


USER_COLUMNS = [
    Column("username", gettext_lazy("账号"), True),
    Column("real_name", gettext_lazy("姓名/名称"), True),
    Column("kind", gettext_lazy("用户类型"), True, 12),
    Column("id_number", gettext_lazy("身份证号"), width=22),
    Column("phone", gettext_lazy("手机号"), width=14),
    Column("uscc", gettext_lazy("统一社会信用代码"), width=22),
    Column("email", gettext_lazy("电子邮箱"), width=24),
    Column("organization_code", gettext_lazy("机构代码")),
    Column("post_code", gettext_lazy("岗位代码")),
]

ORGANIZATION_COLUMNS = [
    Column("code", gettext_lazy("机构代码"), True),
    Column("name", gettext_lazy("机构名称"), True, 28),
    Column("short_name", gettext_lazy("简称")),
    Column("kind", gettext_lazy("机构类型"), True, 12),
    Column("region_code", gettext_lazy("区划代码"), True),
    Column("parent_code", gettext_lazy("上级机构代码")),
    Column("uscc", gettext_lazy("统一社会信用代码"), width=22),
    Column("sort_order", gettext_lazy("排序"), width=8),
]


class SpreadsheetError(ActionError):
    """The uploaded file cannot be read as an import file."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(label: str) -> str:
    return _text(label).rstrip("*＊").strip()


def read_rows(fileobj, columns: list[Column]) -> list[dict]:
    """Rows of the first sheet as {key: text, "row": n}; empty rows skipped.

    Raises SpreadsheetError with a clear message for a file that is too large,
    not an .xlsx workbook, missing a required column or holding too many rows.
    """
    size = getattr(fileobj, "size", None)
    if size is not None and size > settings.EGOV_UPLOAD_MAX_BYTES:
        raise SpreadsheetError(_("文件过大，无法导入"), code="file_too_large")
    data = fileobj.read()
    if not data.startswith(b"PK"):
        raise SpreadsheetError(
            _("无法读取文件，请上传按模板填写的 Excel（.xlsx）文件"),
            code="not_xlsx",
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError(
            _("无法读取文件，请上传按模板填写的 Excel（.xlsx）文件"),
            code="not_xlsx",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        by_label = {str(c.label): c for c in columns}
        positions = {}
        for index, label in enumerate(header):
            column = by_label.get(_header_key(label))
            if column is not None:
                positions[column.key] = index
        missing = [
            str(c.label) for c in columns if c.required and c.key not in positions
        ]
        if missing:
            raise SpreadsheetError(
                _("文件缺少必填列：%(cols)s。请使用下载的模板")
                % {"cols": "、".join(missing)},
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
                    _("一次最多导入%(n)d行，请分批导入") % {"n": MAX_ROWS},
                    code="too_many_rows",
                )
            for column in columns:
                item.setdefault(column.key, "")
            item["row"] = number
            result.append(item)
    finally:
        workbook.close()
    if not result:
        raise SpreadsheetError(_("文件中没有数据行"), code="empty_file")
    return result


def _safe(cell, value) -> None:
    cell.value = value
    if isinstance(value, str):
        # Text stays text: a leading "=" must not turn into a formula.
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True


def _sheet(workbook, title: str, columns: list[Column]):
    sheet = workbook.active
    sheet.title = title
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DBE7F6")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        _safe(cell, f"{column.label}{'*' if column.required else ''}")
        cell.font = bold
        cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        # ID numbers and codes are text; Excel must not turn them into numbers.
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(title: str, columns: list[Column], notes: list[str]) -> bytes:
    """A blank import template: the header row and a sheet of instructions."""
    workbook = Workbook()
    _sheet(workbook, title, columns)
    help_sheet = workbook.create_sheet(_("填写说明"))
    help_sheet.column_dimensions["A"].width = 100
    for index, line in enumerate(notes, start=1):
        _safe(help_sheet.cell(row=index, column=1), str(line))
    return _bytes(workbook)


def export_workbook(title: str, columns: list[Column], rows) -> bytes:
    """A workbook with the header and one row per item (dicts keyed by column)."""
    workbook = Workbook()
    sheet = _sheet(workbook, title, columns)
    for row_index, row in enumerate(rows, start=2):
        for col_index, column in enumerate(columns, start=1):
            _safe(sheet.cell(row=row_index, column=col_index), row.get(column.key, ""))
    return _bytes(workbook)
