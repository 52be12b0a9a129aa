"""Secure storage of uploaded files, and serving them back.

`store_upload` accepts a file only when its content is one of the kinds the
caller allows and its extension says the same; it refuses empty, oversized,
disguised, macro- and script-carrying files and zip bombs, then writes the bytes under
settings.EGOV_UPLOAD_ROOT with a random name and records a StoredFile.

`file_response` streams a stored file as a download that no browser will run or
render as a page. It does no permission check: the caller decides first, and
answers 404 when the viewer may not see the file.
"""

import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.crypto import sm3_stream
from egov.core.errors import ActionError
from egov.core.models import StoredFile


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    zipped: bool = False
    image: bool = False


# Only kinds listed here can ever be allowed: no HTML, SVG, script, archive or
# executable type exists in this table, so no caller can let one through.
KINDS = {
    kind.code: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", ("pdf",)),
        FileKind("jpeg", "JPG", "image/jpeg", ("jpg", "jpeg"), image=True),
        FileKind("png", "PNG", "image/png", ("png",), image=True),
        FileKind("gif", "GIF", "image/gif", ("gif",), image=True),
        FileKind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
            zipped=True,
        ),
        FileKind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
            zipped=True,
        ),
        FileKind("ofd", "OFD", "application/ofd", ("ofd",), zipped=True),
    )
}
IMAGES = frozenset({"jpeg", "png"})
# What an applicant attaches to an application: scans and photos, PDFs, and
# the Word and Excel files offices exchange.
MATERIALS = frozenset({"pdf", "jpeg", "png", "docx", "xlsx"})

# A zip-based document is refused as a bomb when it holds more entries than
# this, when it would inflate beyond ZIP_MAX_UNCOMPRESSED, or when it inflates
# more than ZIP_MAX_RATIO times its own size once past ZIP_RATIO_FLOOR. Real
# Word and Excel files stay far below: their XML compresses some 5 to 30 times.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 16 * 1024 * 1024

_HEAD_BYTES = 8192
_CHUNK_BYTES = 64 * 1024
_MAX_NAME_CHARS = 200
_FILETYPE_KINDS = {"pdf": "pdf", "jpg": "jpeg", "png": "png", "gif": "gif"}
_ASCII_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()-]*")


def upload_storage() -> FileSystemStorage:
    """Where uploads live: EGOV_UPLOAD_ROOT, closed to other system users.

    Nothing publishes this folder; files leave it only through file_response.
    """
    return FileSystemStorage(
        location=settings.EGOV_UPLOAD_ROOT,
        file_permissions_mode=0o640,
        directory_permissions_mode=0o750,
    )


def format_size(size: int) -> str:
    """A size as people read it: 20 MB, 1.5 MB, 512 KB, 300 字节."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
            return f"{text} {unit}"
    return _("%(count)d 字节") % {"count": size}


def clean_name(name: str) -> str:
    """The file name a person gave, without any path or control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > _MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _MAX_NAME_CHARS - len(ext) - 1] + "." + ext
        else:
            name = name[:_MAX_NAME_CHARS]
    return name or _("未命名文件")


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _allowed_kinds(allowed: Iterable[str]) -> list[FileKind]:
    codes = set(allowed)
    unknown = sorted(codes - KINDS.keys())
    if unknown or not codes:
        raise ValueError(f"unknown or no file kinds: {unknown}")
    # In the table's order, so that messages list the kinds the same way always.
    return [kind for code, kind in KINDS.items() if code in codes]


def _refuse(message: str, code: str) -> ActionError:
    return ActionError(message, code=code)


def _check_zip(upload, name: str, size: int) -> str | None:
    """The zip-based kind of the upload, or None; refuses bombs and macros.

    Declared sizes are checked before anything is inflated. Then every entry is
    inflated once, in chunks: zipfile stops at the declared size and checks the
    CRC, so an archive that lies about its sizes fails here as corrupt instead
    of being believed by whatever opens it later.
    """
    bomb = _refuse(
        _("文件“%(name)s”解压后过大，疑似压缩炸弹，已拒绝") % {"name": name},
        "file_zip_bomb",
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            declared = sum(e.file_size for e in entries)
            if (
                len(entries) > ZIP_MAX_ENTRIES
                or declared > ZIP_MAX_UNCOMPRESSED
                or (declared > ZIP_RATIO_FLOOR and declared > ZIP_MAX_RATIO * size)
            ):
                raise bomb
            names = {e.filename for e in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _refuse(
                    _("不能上传“%(name)s”：文档中含有宏代码") % {"name": name},
                    "file_type_not_allowed",
                )
            for entry in entries:
                with archive.open(entry) as member:
                    while member.read(_CHUNK_BYTES):
                        pass
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ):
        # Corrupt, encrypted or using a compression no office program writes.
        return None
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return None


# PDF names that run something when the file is opened: scripts and
# launching other programs. They are looked for in the file's dictionaries:
# outside stream data (where page contents, images and fonts are), and inside
# compressed object streams, which hold dictionaries too. Names may spell
# letters as #xx escapes, which are undone first; inflating stops at
# PDF_MAX_INFLATED bytes in all.
_PDF_ACTIVE_RE = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_RE = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", re.DOTALL)
PDF_MAX_INFLATED = 64 * 1024 * 1024


def _unescape_names(chunk: bytes) -> bytes:
    return _PDF_NAME_ESCAPE_RE.sub(lambda m: bytes([int(m[1], 16)]), chunk)


def _pdf_is_active(data: bytes) -> bool:
    outside = _PDF_STREAM_RE.sub(lambda m: b"<<" + m[1] + b">>", data)
    if _PDF_ACTIVE_RE.search(_unescape_names(outside)):
        return True
    budget = PDF_MAX_INFLATED
    for match in _PDF_STREAM_RE.finditer(data):
        if b"/ObjStm" not in _unescape_names(match[1]):
            continue
        try:
            inflated = zlib.decompressobj().decompress(match[2], max(budget, 1))
        except zlib.error:
            continue
        budget -= len(inflated)
        if _PDF_ACTIVE_RE.search(_unescape_names(inflated)):
            return True
        if budget <= 0:
            break
    return False


def pdf_has_script(upload) -> bool:
    """Whether a PDF carries JavaScript or a launch action."""
    upload.seek(0)
    return _pdf_is_active(upload.read())


def sniff(upload, name: str, size: int) -> str | None:
    """The kind of the upload judged by its bytes alone, or None if not ours."""
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(upload, name, size)
    guess = filetype.guess(head)
    return _FILETYPE_KINDS.get(guess.extension) if guess else None


@audited("core.store_upload")
def store_upload(
    *,
    actor,
    upload,
    allowed: Iterable[str] = MATERIALS,
    max_bytes: int | None = None,
) -> StoredFile:
    """Check and store one uploaded file; returns its StoredFile.

    `upload` is a Django UploadedFile (or anything with name, size, read, seek
    and chunks). `allowed` names kinds from KINDS (default MATERIALS);
    `max_bytes` defaults to settings.EGOV_UPLOAD_MAX_BYTES. PDFs carrying
    JavaScript or launch actions are refused like macro documents. Refusals raise
    ActionError with code file_empty, file_too_large, file_type_not_allowed,
    file_disguised or file_zip_bomb, and nothing is stored.
    """
    kinds = _allowed_kinds(allowed)
    limit = settings.EGOV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    name = clean_name(upload.name)
    size = upload.size
    if not size:
        raise _refuse(
            _("文件“%(name)s”是空文件，请重新选择") % {"name": name}, "file_empty"
        )
    if size > limit:
        raise _refuse(
            _("文件“%(name)s”大小为%(size)s，超过了%(limit)s的上限")
            % {"name": name, "size": format_size(size), "limit": format_size(limit)},
            "file_too_large",
        )
    extension = _extension(name)
    claimed = next((k for k in kinds if extension in k.extensions), None)
    if claimed is None:
        raise _refuse(
            _("不能上传“%(name)s”：只能上传%(allowed)s格式的文件")
            % {"name": name, "allowed": "、".join(k.label for k in kinds)},
            "file_type_not_allowed",
        )
    if sniff(upload, name, size) != claimed.code:
        raise _refuse(
            _("文件“%(name)s”的内容不是%(label)s格式，与扩展名不符或文件已损坏")
            % {"name": name, "label": claimed.label},
            "file_disguised",
        )
    if claimed.code == "pdf" and pdf_has_script(upload):
        raise _refuse(
            _("不能上传“%(name)s”：PDF文件中含有脚本或自动运行的程序") % {"name": name},
            "file_type_not_allowed",
        )

    digest = sm3_stream(upload.chunks(_CHUNK_BYTES))
    token = secrets.token_hex(16)
    hidden = secrets.token_hex(16)
    storage = upload_storage()
    upload.seek(0)
    storage_name = storage.save(f"{hidden[:2]}/{hidden}", upload)
    try:
        stored = StoredFile.objects.create(
            token=token,
            storage_name=storage_name,
            original_name=name,
            size=size,
            kind=claimed.code,
            content_type=claimed.content_type,
            sm3=digest,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor=actor,
            action="core.store_upload",
            target=stored,
            detail={"name": name, "size": size, "kind": claimed.code, "sm3": digest},
        )
    except BaseException:
        storage.delete(storage_name)
        raise
    return stored


def open_stored_file(stored_file: StoredFile):
    """The stored bytes as a binary file object; the caller closes it."""
    return upload_storage().open(stored_file.storage_name, "rb")


def _content_disposition(disposition: str, name: str) -> str:
    if _ASCII_NAME_RE.fullmatch(name):
        return f'{disposition}; filename="{name}"'
    # RFC 6266: an ASCII fallback for old clients, then the real name in
    # RFC 5987 encoding, which every current browser prefers.
    extension = _extension(name)
    fallback = f"file.{extension}" if extension else "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def file_response(request, stored_file: StoredFile, *, inline: bool = False):
    """Stream a stored file back, after the caller's own permission check.

    A download by default; `inline=True` shows an image in the browser, never
    a document. The response forbids content sniffing, scripts, plug-ins and
    framing, and private caches only.
    """
    kind = KINDS[stored_file.kind]
    disposition = "inline" if inline and kind.image else "attachment"
    response = FileResponse(
        open_stored_file(stored_file), content_type=stored_file.content_type
    )
    response["Content-Disposition"] = _content_disposition(
        disposition, stored_file.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
