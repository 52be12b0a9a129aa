"""Generating instruments: the API other apps call.

    render_docx(code, context) -> bytes     the template's active version, filled in
    docx_to_pdf(docx_bytes) -> bytes        a PDF of any DOCX, Chinese included
    render_pdf(code, context) -> bytes      both in one step
    simple_pdf(title, rows, qr_url=None, ...) -> bytes
                                            a receipt or certificate page built
                                            directly, with an optional QR code

Templates are docxtpl (Jinja2 inside Word) run in Jinja's sandbox with
autoescaping on, so an applicant's name such as ``<w:t>&`` lands in the
document as text and an uploaded template cannot reach Python internals.
PDFs reference the standard CJK font STSong-Light instead of embedding one
(docs/adr/0010-document-generation.md).
"""

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from egov.docgen.pdf import docx_to_pdf, simple_pdf
from egov.docgen.registry import get_spec

__all__ = [
    "UnknownTemplate",
    "docx_to_pdf",
    "render_docx",
    "render_pdf",
    "simple_pdf",
    "template_bytes",
]

# Characters XML 1.0 forbids, and the ones docxtpl turns into paragraph and
# page breaks (\a, \f): user text must never restructure the document.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class UnknownTemplate(LookupError):
    """No template is registered under this code (a programming error)."""


def jinja_env(*, strict: bool = False) -> SandboxedEnvironment:
    """The sandbox templates run in. `strict` (used to check uploads) makes
    any reference to something the context lacks an error."""
    if strict:
        return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    return SandboxedEnvironment(autoescape=True)


def format_value(value):
    """How one context value is written into a document."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str):
        return _CONTROL_RE.sub("", value.replace("\r\n", "\n"))
    if isinstance(value, Mapping):
        return {str(k): format_value(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(
        value, bytes | bytearray
    ):
        return [format_value(v) for v in value]
    if value is None:
        return ""
    return value


def prepare_context(context: Mapping) -> dict:
    return {str(k): format_value(v) for k, v in (context or {}).items()}


def template_bytes(code: str) -> bytes:
    """The DOCX of `code`'s active version, or the file shipped with the
    platform when no version has been activated. Raises UnknownTemplate."""
    from egov.core.files import open_stored_file
    from egov.docgen.models import DocumentTemplate

    template = (
        DocumentTemplate.objects.select_related("active_version__file")
        .filter(code=code)
        .first()
    )
    if template is not None and template.active_version is not None:
        with open_stored_file(template.active_version.file) as handle:
            return handle.read()
    spec = get_spec(code)
    if spec is None or spec.default_path is None:
        raise UnknownTemplate(code)
    return spec.default_path.read_bytes()


def render_template_bytes(
    docx: bytes, context: Mapping, *, strict: bool = False
) -> bytes:
    """Fill in one DOCX template; jinja2 and docx errors propagate."""
    template = DocxTemplate(io.BytesIO(docx))
    template.render(prepare_context(context), jinja_env(strict=strict), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def render_docx(code: str, context: Mapping) -> bytes:
    """The DOCX of template `code` filled in with `context`.

    Uses the active version (see template_bytes). Values are escaped; dates
    and datetimes are written in Chinese; a variable missing from `context`
    comes out empty. Raises UnknownTemplate for an unregistered code and
    ActionError (code docgen_render_failed) when the template cannot be
    rendered, which an upload check makes rare.
    """
    from egov.core.errors import ActionError

    docx = template_bytes(code)
    try:
        return render_template_bytes(docx, context)
    except Exception as exc:
        raise ActionError(
            _("文书“%(code)s”生成失败：%(problem)s")
            % {"code": code, "problem": describe_render_error(exc)},
            code="docgen_render_failed",
        ) from exc


def render_pdf(code: str, context: Mapping) -> bytes:
    """render_docx, then docx_to_pdf."""
    return docx_to_pdf(render_docx(code, context))


_SYNTAX_HINTS = [
    (
        re.compile(r"unexpected end of template", re.I),
        lambda m: _("模板在结束前缺少结束标签（例如 endfor 或 endif）"),
    ),
    (
        re.compile(r"unknown tag '([^']+)'\. Jinja was looking", re.I),
        lambda m: (
            _("结束标签“%(tag)s”与前面尚未结束的标签不匹配") % {"tag": m.group(1)}
        ),
    ),
    (
        re.compile(r"unknown tag '([^']+)'", re.I),
        lambda m: _("使用了无法识别的标签“%(tag)s”") % {"tag": m.group(1)},
    ),
    (
        re.compile(r"unexpected '([^']+)'", re.I),
        lambda m: (
            _("出现了多余或不成对的“%(token)s”，请检查变量和标签的括号是否成对")
            % {"token": m.group(1)}
        ),
    ),
    (
        re.compile(r"unexpected char '?(.)'?", re.I),
        lambda m: _("变量或标签中有无法识别的字符“%(char)s”") % {"char": m.group(1)},
    ),
    (
        re.compile(r"expected token '([^']+)', got '([^']+)'", re.I),
        lambda m: (
            _("此处应为“%(expected)s”，实际是“%(got)s”")
            % {"expected": m.group(1), "got": m.group(2)}
        ),
    ),
]


def describe_render_error(exc: Exception) -> str:
    """A Chinese sentence naming what is wrong with a template."""
    from jinja2 import TemplateAssertionError, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, TemplateAssertionError) and "filter named" in detail:
        name = detail.split("'")[1] if detail.count("'") >= 2 else detail
        return _("使用了不存在的过滤器“%(name)s”") % {"name": name}
    if isinstance(exc, SecurityError):
        return _("模板中含有不允许的表达式（%(detail)s）") % {"detail": detail}
    if isinstance(exc, TemplateSyntaxError):
        for pattern, hint in _SYNTAX_HINTS:
            match = pattern.search(detail)
            if match:
                return _("模板语法错误：%(hint)s（%(detail)s）") % {
                    "hint": hint(match),
                    "detail": detail,
                }
        return _("模板语法错误：%(detail)s") % {"detail": detail}
    if isinstance(exc, UndefinedError) and " is unsafe" in detail:
        return _("模板中含有不允许的表达式（%(detail)s）") % {"detail": detail}
    if isinstance(exc, UndefinedError):
        return _("模板引用了不存在的内容：%(detail)s") % {"detail": detail}
    return _("文件无法按Word模板解析（%(detail)s）") % {"detail": detail}
