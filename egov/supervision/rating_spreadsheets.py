"""The 好差评 report as an Excel workbook (openpyxl)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from egov.supervision.models import Level
from egov.supervision.rating_queries import LEVELS_DESC, Report, ReportRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"


def _grouping_label(grouping: str) -> str:
    return {
        "department": _("责任部门"),
        "item": _("事项"),
        "window": _("窗口"),
        "month": _("月份"),
    }[grouping]


def _row(row: ReportRow) -> list:
    return [
        row.label,
        *row.level_counts,
        row.total,
        row.satisfaction_rate,
        row.rectifications,
        row.closed,
        row.closed_on_time,
        row.overdue_open,
        row.on_time_rate,
    ]


def report_workbook(report: Report) -> bytes:
    """One sheet: a title line with the period, the header, a row per group
    and the total; rates as percentages (empty when there is nothing to rate)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("好差评统计")
    sheet.append(
        [
            _("好差评统计（%(start)s至%(end)s）")
            % {"start": report.date_from.isoformat(), "end": report.date_to.isoformat()}
        ]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    header = [
        _grouping_label(report.grouping),
        *[str(Level(level).label) for level in LEVELS_DESC],
        _("评价总数"),
        _("满意率"),
        _("整改工单"),
        _("已办结"),
        _("按期办结"),
        _("逾期未办结"),
        _("按期整改率"),
    ]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in [*report.rows, report.total]:
        sheet.append(_row(row))
    for line in sheet.iter_rows(min_row=3):
        for index in (7, 12):
            line[index].number_format = PERCENT
    for line in sheet.iter_rows(min_row=sheet.max_row, max_row=sheet.max_row):
        for cell in line:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    out = BytesIO()
    book.save(out)
    return out.getvalue()
