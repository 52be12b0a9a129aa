"""Helpers for document generation tests: DOCX files made on the spot, the
template administrator 陈静, and uploads."""

import io

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from pypdf import PdfReader

from egov.identity import roles as builtin
from egov.identity.models import Role
from tests.identity.factories import user

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    """A DOCX with these paragraphs, then optionally a table of these rows."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_upload(content: bytes, name: str = "受理通知书.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=DOCX_TYPE)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def template_admin(username: str = "chenjing", real_name: str = "陈静"):
    """A staff member whose role holds docgen.manage_templates, as the demo
    county's 流程与表单管理员 does."""
    role, _ = Role.objects.get_or_create(
        code="process_admin",
        defaults={"name": "流程与表单管理员", "data_scope": Role.DataScope.ALL},
    )
    role.permissions.add(
        Permission.objects.get(
            content_type__app_label="docgen", codename="manage_templates"
        )
    )
    builtin.ensure_builtin_roles()
    person = user(username, real_name, roles=[builtin.STAFF])
    person.roles.add(role)
    return person
