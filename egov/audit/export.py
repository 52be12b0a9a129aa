"""The Excel file of an audit log export (openpyxl, write-only, streamed rows)."""

import json
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from egov.audit.labels import action_label

# A spreadsheet people can still open; larger sets belong to a narrower filter.
EXPORT_ROW_LIMIT = 100_000
_BATCH = 2000


def headers() -> list[str]:
    return [
        _("序号"),
        _("时间（北京时间）"),
        _("账号"),
        _("姓名"),
        _("机构代码"),
        _("机构"),
        _("IP地址"),
        _("客户端"),
        _("操作代码"),
        _("操作"),
        _("对象类型"),
        _("对象标识"),
        _("对象"),
        _("结果"),
        _("详情"),
        _("摘要"),
    ]


def _text(sheet, value: str):
    # Logged values come from anyone (a typed account name, a user agent): keep
    # them text, never a formula, and drop characters a worksheet cannot hold.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _row(sheet, entry) -> list:
    local = timezone.localtime(entry.created_at).replace(tzinfo=None)
    detail = (
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        if entry.detail
        else ""
    )
    texts = [
        entry.username,
        entry.user.real_name if entry.user_id else "",
        entry.organization_code,
        entry.organization_name,
        entry.ip,
        entry.user_agent,
        entry.action,
        action_label(entry.action),
        entry.target_type,
        entry.target_id,
        entry.target_repr,
        str(entry.get_outcome_display()),
        detail,
        entry.hash,
    ]
    return [entry.seq, local, *(_text(sheet, value) for value in texts)]


def _batches(entries):
    # Keyset batches on seq, newest first, so memory stays bounded.
    last = None
    while True:
        page = entries if last is None else entries.filter(seq__lt=last)
        rows = list(page.order_by("-seq")[:_BATCH])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def write_workbook(entries):
    """Write the entries to a temporary .xlsx; returns (open file, row count)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("统一日志"))
    bold = Font(bold=True)
    header = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for entry in _batches(entries):
        sheet.append(_row(sheet, entry))
        count += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - caller closes
    workbook.save(handle)
    handle.seek(0)
    return handle, count
