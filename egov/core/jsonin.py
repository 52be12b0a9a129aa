"""JSON that people and programs send us: read it in one place, refuse the harmful.

Python's json module accepts more than a public endpoint should: nesting deep
enough to exhaust the interpreter's stack (a RecursionError, answered as a
500), NaN and Infinity (not JSON at all, and refused later by PostgreSQL),
numbers too large for a float, duplicate keys (the last one silently wins),
the NUL character and lone surrogates (neither PostgreSQL nor UTF-8 can store
them), and bodies of any size.

`parse_json` and `parse_json_body` refuse all of these with BadJSON, an
ActionError with a stable code and a message in Chinese, before anything is
written. `SafeJSONParser` does the same for every REST API (it is the default
JSON parser in settings.REST_FRAMEWORK).
"""

import json
import math

from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from egov.core.errors import ActionError

# Far deeper than any form schema, form data or API input needs, far shallower
# than the interpreter's recursion limit.
MAX_DEPTH = 64
# The REST APIs' limit; pages that take JSON pass their own.
MAX_BYTES = 2 * 1024 * 1024

TOO_LARGE = "json_too_large"
INVALID = "bad_json"
NOT_OBJECT = "json_not_object"
TOO_DEEP = "json_too_deep"
NOT_A_NUMBER = "json_not_a_number"
DUPLICATE_KEY = "json_duplicate_key"
BAD_TEXT = "json_bad_text"
CODES = (
    TOO_LARGE,
    INVALID,
    NOT_OBJECT,
    TOO_DEEP,
    NOT_A_NUMBER,
    DUPLICATE_KEY,
    BAD_TEXT,
)


class BadJSON(ActionError):
    """The body is not JSON we accept; `code` says why (the constants above)."""


class _Refused(Exception):
    """Raised inside the decoder's hooks, turned into BadJSON outside it."""

    def __init__(self, code, detail=""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _messages():
    return {
        TOO_LARGE: _("提交的内容过大"),
        INVALID: _("提交的内容不是有效的 JSON"),
        NOT_OBJECT: _("提交的内容应为 JSON 对象"),
        TOO_DEEP: _("提交的内容嵌套层级过深（不能超过 %(depth)s 层）"),
        NOT_A_NUMBER: _("提交的内容含有无效的数值（NaN、Infinity 或超出范围的数）"),
        DUPLICATE_KEY: _("提交的内容中有重复的键：%(key)s"),
        BAD_TEXT: _("提交的内容含有不能保存的字符"),
    }


def _refuse(code, messages=None, **values):
    message = (messages or {}).get(code) or _messages()[code]
    if values:
        message = message % values
    return BadJSON(message, code=code)


def _constant(name):
    raise _Refused(NOT_A_NUMBER)


def _float(text):
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(NOT_A_NUMBER)
    return value


def _object(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(DUPLICATE_KEY, key[:50])
            seen.add(key)
    return result


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_shape(value, max_depth: int) -> str | None:
    """The code of the first problem in a decoded value, or None. Iterative,
    so no nesting can overflow the stack here."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _bad_text(item):
                return BAD_TEXT
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            return TOO_DEEP
        if isinstance(item, dict):
            for key, child in item.items():
                if _bad_text(key):
                    return BAD_TEXT
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)
    return None


def parse_json(
    raw,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    expect: type | None = dict,
    messages: dict | None = None,
):
    """Decode `raw` (UTF-8 bytes or text) or raise BadJSON.

    `expect` is the type the top level must have (None: any). `messages` maps
    a code to the wording a page has always used for it, so pages keep their
    messages; codes it leaves out get the shared ones.
    """
    if isinstance(raw, bytes | bytearray):
        if len(raw) > max_bytes:
            raise _refuse(TOO_LARGE, messages)
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(INVALID, messages) from None
    else:
        text = raw
        if len(text) > max_bytes:
            raise _refuse(TOO_LARGE, messages)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
        )
    except _Refused as refused:
        if refused.code == DUPLICATE_KEY:
            raise _refuse(DUPLICATE_KEY, messages, key=refused.detail) from None
        raise _refuse(refused.code, messages) from None
    except RecursionError:
        raise _refuse(TOO_DEEP, messages, depth=max_depth) from None
    except ValueError:
        # Malformed JSON, and integers longer than Python converts.
        raise _refuse(INVALID, messages) from None
    problem = _check_shape(value, max_depth)
    if problem == TOO_DEEP:
        raise _refuse(TOO_DEEP, messages, depth=max_depth)
    if problem is not None:
        raise _refuse(problem, messages)
    if expect is not None and not isinstance(value, expect):
        raise _refuse(NOT_OBJECT, messages)
    return value


def _declared_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def parse_json_body(
    request,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    expect: type | None = dict,
    empty=None,
    messages: dict | None = None,
):
    """The request's body as JSON, or BadJSON (see `parse_json`).

    A body declared larger than `max_bytes` is refused before it is read. An
    empty body gives `empty` when one is given, else it is refused as invalid.
    """
    if _declared_length(request.META) > max_bytes:
        raise _refuse(TOO_LARGE, messages)
    raw = request.body
    if not raw.strip() and empty is not None:
        return empty
    return parse_json(
        raw, max_bytes=max_bytes, max_depth=max_depth, expect=expect, messages=messages
    )


class SafeJSONParser(JSONParser):
    """DRF's JSON parser through `parse_json`: every API takes a JSON object of
    at most MAX_BYTES and MAX_DEPTH levels; anything else is a 400 (BadJSON,
    answered by egov.core.api.exception_handler) and the view never runs."""

    max_bytes = MAX_BYTES
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {})
        if _declared_length(meta) > self.max_bytes:
            raise _refuse(TOO_LARGE)
        raw = stream.read(self.max_bytes + 1) if stream is not None else b""
        return parse_json(raw, max_bytes=self.max_bytes, max_depth=self.max_depth)
