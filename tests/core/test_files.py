"""Storing uploads safely and serving them back, with files made in the test."""

import io
import random
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, JsonResponse
from django.test import RequestFactory
from django.urls import path

from egov.audit.models import AuditEntry
from egov.core.crypto import sm3_hex
from egov.core.errors import ActionError
from egov.core.files import (
    IMAGES,
    KINDS,
    clean_name,
    file_response,
    format_size,
    open_stored_file,
    store_upload,
)
from egov.core.models import StoredFile
from egov.identity.models import User

pytestmark = pytest.mark.django_db


# ---- files made here -----------------------------------------------------------


def png_bytes() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT and IEND with their CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
    )


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_ENTRIES = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/content-types"/>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
    "word/document.xml": "<w:document><w:body>申请书</w:body></w:document>".encode(),
}


def docx_bytes(**extra: bytes) -> bytes:
    return zipped(DOCX_ENTRIES | extra)


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "申请人"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ofd_bytes() -> bytes:
    return zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})


def zip_bomb_docx() -> bytes:
    """A Word file whose one extra entry inflates from ~64 KiB to 64 MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in DOCX_ENTRIES.items():
            archive.writestr(name, data)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(1024 * 1024))
    return buffer.getvalue()


def lying_docx() -> bytes:
    """A Word file whose media entry claims 100 bytes but inflates to 200 KiB."""
    data = bytearray(docx_bytes(**{"word/media/big.bin": bytes(200 * 1024)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo("word/media/big.bin")
        central = archive.start_dir
    struct.pack_into("<I", data, entry.header_offset + 22, 100)
    while data[central : central + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from(
            "<HHH", data, central + 28
        )
        name = bytes(data[central + 46 : central + 46 + name_len])
        if name == b"word/media/big.bin":
            struct.pack_into("<I", data, central + 24, 100)
        central += 46 + name_len + extra_len + comment_len
    return bytes(data)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"
    settings.EGOV_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    return settings.EGOV_UPLOAD_ROOT


@pytest.fixture
def zhangsan():
    return User.objects.create_user(
        username="zhangsan",
        password="Pa55-word!",
        kind=User.Kind.CITIZEN,
        real_name="张三",
    )


def refused(actor, name, content, **kwargs) -> ActionError:
    with pytest.raises(ActionError) as caught:
        store_upload(actor=actor, upload=upload(name, content), **kwargs)
    return caught.value


def stored_paths(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# ---- accepted files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind", "content_type"),
    [
        ("身份证正面.png", png_bytes, "png", "image/png"),
        ("营业执照.jpg", jpeg_bytes, "jpeg", "image/jpeg"),
        ("照片.JPEG", jpeg_bytes, "jpeg", "image/jpeg"),
        ("申请书.pdf", pdf_bytes, "pdf", "application/pdf"),
        (
            "情况说明.docx",
            docx_bytes,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "人员名单.xlsx",
            xlsx_bytes,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_material_of_an_allowed_kind_is_stored_with_its_facts(
    zhangsan, upload_root, name, make, kind, content_type
):
    # Given a real file of a kind materials allow
    content = make()

    # When 张三 uploads it
    stored = store_upload(actor=zhangsan, upload=upload(name, content))

    # Then its facts are recorded and its bytes kept unchanged
    stored.refresh_from_db()
    assert (stored.original_name, stored.kind, stored.content_type) == (
        name,
        kind,
        content_type,
    )
    assert stored.size == len(content)
    assert stored.sm3 == sm3_hex(content)
    assert stored.uploaded_by == zhangsan
    assert stored.created_at is not None
    with open_stored_file(stored) as handle:
        assert handle.read() == content


def test_ofd_is_stored_when_the_caller_allows_it(zhangsan):
    stored = store_upload(
        actor=zhangsan, upload=upload("电子证照.ofd", ofd_bytes()), allowed={"ofd"}
    )

    assert (stored.kind, stored.content_type) == ("ofd", "application/ofd")


def test_gif_is_stored_when_the_caller_allows_it(zhangsan):
    content = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"

    stored = store_upload(
        actor=zhangsan, upload=upload("动图.gif", content), allowed={"gif"}
    )

    assert stored.kind == "gif"


def test_stored_file_lies_under_the_upload_root_with_a_random_name(
    zhangsan, upload_root, settings
):
    # When a file is stored
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))

    # Then its only copy is under EGOV_UPLOAD_ROOT, named by neither its
    # original name nor its kind, and nowhere near the static files
    [only] = stored_paths(upload_root)
    assert only == upload_root / stored.storage_name
    assert "申请书" not in stored.storage_name
    assert not stored.storage_name.endswith(".pdf")
    assert len(only.name) == 32
    assert stored.token not in stored.storage_name
    assert settings.STATIC_ROOT not in only.parents


def test_two_uploads_of_the_same_file_get_different_names_and_tokens(zhangsan):
    first = store_upload(actor=zhangsan, upload=upload("a.pdf", pdf_bytes()))
    second = store_upload(actor=zhangsan, upload=upload("a.pdf", pdf_bytes()))

    assert first.token != second.token
    assert first.storage_name != second.storage_name
    assert first.sm3 == second.sm3


def test_storing_writes_a_success_entry_to_the_audit_log(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))

    entry = AuditEntry.objects.get(action="core.store_upload")
    assert (entry.outcome, entry.user, entry.target_type, entry.target_id) == (
        "success",
        zhangsan,
        "core.StoredFile",
        stored.token,
    )
    assert entry.detail == {
        "name": "申请书.pdf",
        "size": len(pdf_bytes()),
        "kind": "pdf",
        "sm3": stored.sm3,
    }


def test_upload_without_a_signed_in_person_has_no_uploader():
    stored = store_upload(actor=None, upload=upload("申请书.pdf", pdf_bytes()))

    assert stored.uploaded_by is None


def test_path_in_the_browser_supplied_name_is_dropped(zhangsan):
    stored = store_upload(
        actor=zhangsan, upload=upload("C:\\fakepath\\申请书.pdf", pdf_bytes())
    )

    assert stored.original_name == "申请书.pdf"


# ---- refusals ----------------------------------------------------------------------


def test_empty_file_is_refused(zhangsan):
    error = refused(zhangsan, "空白.pdf", b"")

    assert (error.code, error.message) == (
        "file_empty",
        "文件“空白.pdf”是空文件，请重新选择",
    )


def test_file_over_the_configured_limit_is_refused(zhangsan, settings):
    settings.EGOV_UPLOAD_MAX_BYTES = 1024

    error = refused(zhangsan, "大文件.pdf", pdf_bytes() + b" " * 1400)

    assert (error.code, error.message) == (
        "file_too_large",
        "文件“大文件.pdf”大小为1.5 KB，超过了1 KB的上限",
    )


def test_file_over_the_callers_own_limit_is_refused(zhangsan):
    error = refused(zhangsan, "照片.png", png_bytes(), max_bytes=10)

    assert error.code == "file_too_large"
    assert error.message.endswith("超过了10 字节的上限")


def test_file_at_exactly_the_limit_is_stored(zhangsan, settings):
    content = pdf_bytes()
    settings.EGOV_UPLOAD_MAX_BYTES = len(content)

    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", content))

    assert stored.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("页面.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("图标.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("脚本.js", b"alert(document.cookie)"),
        ("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120)),
        ("程序", b"\x7fELF\x02\x01\x01" + bytes(60)),
        ("压缩包.zip", zipped({"a.txt": b"a"})),
        ("宏.docm", docx_bytes()),
        (".pdf", pdf_bytes()),
    ],
    ids=["html", "svg", "script", "exe", "no-extension", "zip", "docm", "only-dot"],
)
def test_file_of_a_kind_not_allowed_is_refused_by_its_extension(
    zhangsan, name, content
):
    error = refused(zhangsan, name, content)

    assert (error.code, error.message) == (
        "file_type_not_allowed",
        f"不能上传“{name}”：只能上传PDF、JPG、PNG、DOCX、XLSX格式的文件",
    )


def test_allowed_kinds_are_the_callers_choice(zhangsan):
    error = refused(zhangsan, "申请书.pdf", pdf_bytes(), allowed=IMAGES)

    assert (error.code, error.message) == (
        "file_type_not_allowed",
        "不能上传“申请书.pdf”：只能上传JPG、PNG格式的文件",
    )


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("申请书.pdf", b"<html><body><script>alert(1)</script></body></html>", "PDF"),
        ("照片.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120), "JPG"),
        ("照片.jpg", png_bytes(), "JPG"),
        ("截图.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "PNG"),
        ("报表.xlsx", docx_bytes(), "XLSX"),
        ("情况说明.docx", zipped({"a.txt": b"a"}), "DOCX"),
        ("情况说明.docx", pdf_bytes(), "DOCX"),
        ("情况说明.docx", b"PK\x03\x04 not really a zip", "DOCX"),
        ("申请书.pdf", b"plain text", "PDF"),
    ],
    ids=[
        "html-as-pdf",
        "exe-as-jpg",
        "png-as-jpg",
        "svg-as-png",
        "docx-as-xlsx",
        "zip-as-docx",
        "pdf-as-docx",
        "broken-zip",
        "text-as-pdf",
    ],
)
def test_file_whose_content_disagrees_with_its_extension_is_refused(
    zhangsan, name, content, label
):
    error = refused(zhangsan, name, content)

    assert (error.code, error.message) == (
        "file_disguised",
        f"文件“{name}”的内容不是{label}格式，与扩展名不符或文件已损坏",
    )


def test_word_file_that_inflates_enormously_is_refused_as_a_zip_bomb(zhangsan):
    # Given a Word file of some 100 KiB that would inflate to 64 MiB
    bomb = zip_bomb_docx()
    assert len(bomb) < 1024 * 1024

    # When it is uploaded, then it is refused before anything is inflated
    error = refused(zhangsan, "情况说明.docx", bomb)

    assert (error.code, error.message) == (
        "file_zip_bomb",
        "文件“情况说明.docx”解压后过大，疑似压缩炸弹，已拒绝",
    )


def test_zip_whose_entries_lie_about_their_size_is_refused(zhangsan):
    error = refused(zhangsan, "情况说明.docx", lying_docx())

    assert error.code == "file_disguised"


def test_word_file_with_macros_is_refused(zhangsan):
    content = docx_bytes(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})

    error = refused(zhangsan, "情况说明.docx", content)

    assert (error.code, error.message) == (
        "file_type_not_allowed",
        "不能上传“情况说明.docx”：文档中含有宏代码",
    )


def test_refusal_stores_nothing_and_logs_the_failed_attempt(zhangsan, upload_root):
    # When a disguised file is refused
    refused(zhangsan, "申请书.pdf", b"<html></html>")

    # Then no row and no file remain, and the attempt is in the audit log
    assert StoredFile.objects.count() == 0
    assert stored_paths(upload_root) == []
    entry = AuditEntry.objects.get(action="core.store_upload")
    assert (entry.outcome, entry.user) == ("failed", zhangsan)
    assert entry.detail["code"] == "file_disguised"


def test_unknown_kind_in_the_allow_list_is_a_programming_error(zhangsan):
    with pytest.raises(ValueError, match="unknown or no file kinds"):
        store_upload(
            actor=zhangsan, upload=upload("页面.html", b"<html/>"), allowed={"html"}
        )


def test_no_risky_kind_can_be_allowed():
    extensions = {ext for kind in KINDS.values() for ext in kind.extensions}

    assert extensions.isdisjoint({"html", "htm", "svg", "js", "exe", "zip", "xml"})


# ---- helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (300, "300 字节"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (20 * 1024 * 1024, "20 MB"),
        (int(2.25 * 1024 * 1024), "2.2 MB"),
    ],
)
def test_sizes_read_as_people_write_them(size, text):
    assert format_size(size) == text


def test_clean_name_drops_control_characters_and_keeps_the_extension():
    assert clean_name("申请\x00书\n.pdf") == "申请书.pdf"
    assert clean_name("长" * 300 + ".pdf") == "长" * 196 + ".pdf"
    assert clean_name("") == "未命名文件"


# ---- serving -------------------------------------------------------------------------


def test_download_is_an_attachment_with_the_chinese_name_encoded(zhangsan):
    # Given a stored PDF with a Chinese name
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))

    # When it is served
    response = file_response(RequestFactory().get("/"), stored)

    # Then it downloads under its own name with an ASCII fallback
    assert response["Content-Disposition"] == (
        'attachment; filename="file.pdf"; '
        "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_download_of_an_ascii_name_uses_the_plain_filename(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("scan 01.png", png_bytes()))

    response = file_response(RequestFactory().get("/"), stored)

    assert response["Content-Disposition"] == 'attachment; filename="scan 01.png"'


def test_name_with_quotes_is_only_sent_encoded(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload('a"b.pdf', pdf_bytes()))

    response = file_response(RequestFactory().get("/"), stored)

    assert response["Content-Disposition"] == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''a%22b.pdf"
    )


def test_download_forbids_sniffing_scripts_and_shared_caches(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))

    response = file_response(RequestFactory().get("/"), stored)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(stored.size)


def test_image_may_be_shown_inline(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("photo.png", png_bytes()))

    response = file_response(RequestFactory().get("/"), stored, inline=True)

    assert response["Content-Disposition"] == 'inline; filename="photo.png"'


def test_document_is_downloaded_even_when_inline_is_asked(zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("doc.docx", docx_bytes()))

    response = file_response(RequestFactory().get("/"), stored, inline=True)

    assert response["Content-Disposition"] == 'attachment; filename="doc.docx"'


def _serve(request, token):
    # What an app's own view does: its permission check, then the helper.
    stored = StoredFile.objects.filter(token=token).first()
    if stored is None or stored.uploaded_by_id != getattr(request.user, "pk", None):
        raise Http404
    return file_response(request, stored)


def _receive(request):
    # What an app's own upload view does: hand the file to the action.
    try:
        stored = store_upload(actor=request.user, upload=request.FILES["file"])
    except ActionError as exc:
        return JsonResponse({"code": exc.code, "detail": str(exc.message)}, status=400)
    return JsonResponse({"token": stored.token})


urlpatterns = [path("files/<str:token>/", _serve), path("upload/", _receive)]


@pytest.mark.urls("tests.core.test_files")
def test_large_upload_spooled_to_disk_by_django_is_checked_and_stored(
    client, zhangsan, settings
):
    # Given a Word file larger than what Django keeps in memory, so that it
    # arrives as a temporary file on disk
    photo = random.Random(7).randbytes(3 * 1024 * 1024)
    content = docx_bytes(**{"word/media/image1.png": photo})
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(zhangsan)

    # When it is posted as a form would post it
    response = client.post(
        "/upload/", {"file": SimpleUploadedFile("情况说明.docx", content)}
    )

    # Then it is stored whole
    assert response.status_code == 200
    stored = StoredFile.objects.get(token=response.json()["token"])
    assert (stored.kind, stored.size, stored.sm3) == (
        "docx",
        len(content),
        sm3_hex(content),
    )


@pytest.mark.urls("tests.core.test_files")
def test_refused_upload_through_a_form_post_answers_with_the_message(client, zhangsan):
    client.force_login(zhangsan)

    response = client.post(
        "/upload/", {"file": SimpleUploadedFile("申请书.pdf", b"<html></html>")}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "file_disguised",
        "detail": "文件“申请书.pdf”的内容不是PDF格式，与扩展名不符或文件已损坏",
    }


@pytest.mark.urls("tests.core.test_files")
def test_headers_survive_the_whole_middleware_stack(client, zhangsan):
    # Given a file served by a view behind every middleware of the platform
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))
    client.force_login(zhangsan)

    # When its owner downloads it
    response = client.get(f"/files/{stored.token}/")

    # Then the site-wide CSP does not replace the file's stricter one
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Frame-Options"] == "DENY"
    assert b"".join(response.streaming_content) == pdf_bytes()


@pytest.mark.urls("tests.core.test_files")
def test_view_answers_404_to_someone_else(client, zhangsan):
    stored = store_upload(actor=zhangsan, upload=upload("申请书.pdf", pdf_bytes()))

    response = client.get(f"/files/{stored.token}/")

    assert response.status_code == 404
