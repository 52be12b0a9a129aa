"""Server-side validation of form-js schemas and of the data people submit.

The browser runs form-js's own checks, but nothing it sends is trusted: every
submission is checked again here against the form version's schema, field by
field, and anything the schema does not describe is refused.

Two entry points:

* `check_schema(schema)` refuses a schema the server could not enforce (unknown
  or unsupported components, duplicate keys, expressions where a fixed value is
  needed, bad patterns) before a form designer can save it.
* `clean_data(schema, data, modes=..., stored=...)` returns the data to store or
  raises `FormDataInvalid` with `errors`: data path ("applicant.name",
  "items.0.qty") → list of Chinese messages.

Field modes come from the process designer (per user task): "editable",
"readonly" or "hidden", keyed by data path; a mode on a group or a dynamic list
covers everything inside it. The submitter cannot change a read-only or hidden
field: whatever arrives for it is ignored and the stored value is kept.

Conditions (`conditional.hide`) are FEEL expressions that only the browser
evaluates; a field carrying one may therefore be absent even when required,
but any value it does carry is still checked.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import regex
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.validators import validate_id_number, validate_mobile, validate_uscc

EDITABLE = "editable"
READONLY = "readonly"
HIDDEN = "hidden"
FIELD_MODES = (EDITABLE, READONLY, HIDDEN)

# The custom property (form-js "Custom properties") naming a Chinese validator.
VALIDATOR_PROPERTY = "egov:validator"
CHINESE_VALIDATORS = {
    "id_number": validate_id_number,
    "uscc": validate_uscc,
    "mobile": validate_mobile,
}

VALUE_TYPES = {
    "textfield",
    "textarea",
    "number",
    "datetime",
    "select",
    "radio",
    "checkbox",
    "checklist",
    "taglist",
}
CONTAINER_TYPES = {"group", "dynamiclist"}
PRESENTATION_TYPES = {"text", "html", "image", "spacer", "separator", "button"}
OPTION_TYPES = {"select", "radio", "checklist", "taglist"}
MULTI_OPTION_TYPES = {"checklist", "taglist"}

# Why a component form-js offers is not accepted here.
UNSUPPORTED_TYPES = {
    "filepicker": "文件上传请使用办件材料上传，表单不接收文件",
    "expression": "计算字段的值由浏览器计算，服务器无法核验",
    "iframe": "不允许在表单中嵌入外部网页",
    "table": "表格组件的数据来自表达式，服务器无法核验",
    "documentPreview": "文档预览的数据来自表达式，服务器无法核验",
}

# Bounds that keep one submission small whatever the schema says.
TEXT_LIMIT = {"textfield": 2000, "textarea": 20000}
LIST_LIMIT = 500
# Beyond 15 digits a browser's numbers lose precision; nobody fills in more.
NUMBER_LIMIT = Decimal(10) ** 15
PATTERN_TIMEOUT = 0.05
KEY_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_DEPTH = 12

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")

# form-js's own patterns for validationType "email" and "phone".
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_PHONE = re.compile(r"(\+|00)[1-9][0-9]{6,22}")


class SchemaInvalid(Exception):
    """The schema cannot be enforced; `problems` lists Chinese explanations."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class FormDataInvalid(Exception):
    """Submitted data breaks the schema; `errors` maps data paths to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Leaf:
    component: dict
    path: tuple[str, ...]

    @property
    def type(self) -> str:
        return self.component["type"]

    @property
    def label(self) -> str:
        return str(self.component.get("label") or self.component.get("key"))


@dataclass
class Node:
    """An object in the data: named children, each a Leaf, a Node or a Repeat."""

    children: dict[str, Leaf | Node | Repeat] = field(default_factory=dict)
    path: tuple[str, ...] = ()
    conditional: bool = False


@dataclass
class Repeat:
    """A dynamic list: a list of objects, each shaped by `item`."""

    component: dict
    item: Node
    path: tuple[str, ...]


def _is_expression(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _describe(component: dict) -> str:
    label = component.get("label") or component.get("key") or component.get("id")
    kind = component.get("type")
    return f"“{label}”（{kind}）" if label else f"（{kind}）"


def _split_path(text, problems: list[str], component: dict, what: str):
    if not isinstance(text, str) or not text:
        problems.append(
            _("组件%(c)s缺少%(w)s") % {"c": _describe(component), "w": what}
        )
        return None
    parts = text.split(".")
    if not all(KEY_PART.fullmatch(part) for part in parts):
        problems.append(
            _("组件%(c)s的%(w)s“%(k)s”只能由字母、数字和下划线组成，且不以数字开头")
            % {"c": _describe(component), "w": what, "k": text}
        )
        return None
    return tuple(parts)


def _place(node: Node, parts, entry, problems: list[str], component: dict) -> None:
    """Put `entry` at the relative path `parts` inside `node`, refusing clashes."""
    target = node
    for index, part in enumerate(parts[:-1]):
        child = target.children.get(part)
        if child is None:
            child = Node(path=node.path + tuple(parts[: index + 1]))
            target.children[part] = child
        if not isinstance(child, Node):
            problems.append(
                _("组件%(c)s的数据路径与其他字段冲突") % {"c": _describe(component)}
            )
            return
        target = child
    last = parts[-1]
    existing = target.children.get(last)
    if existing is None:
        target.children[last] = entry
        return
    if isinstance(existing, Node) and isinstance(entry, Node):
        # Two groups may share a path; their fields merge into one object.
        for name, child in entry.children.items():
            _place(existing, (name,), child, problems, component)
        existing.conditional = existing.conditional or entry.conditional
        return
    problems.append(
        _("字段标识“%(k)s”重复或与其他字段冲突") % {"k": ".".join(node.path + parts)}
    )


def _check_validate(component: dict, problems: list[str]) -> None:
    validate = component.get("validate") or {}
    if not isinstance(validate, dict):
        problems.append(_("组件%(c)s的校验设置无效") % {"c": _describe(component)})
        return
    for name in ("min", "max", "minLength", "maxLength"):
        if name not in validate or validate[name] in (None, ""):
            continue
        value = validate[name]
        if _is_expression(value) or isinstance(value, bool):
            problems.append(
                _("组件%(c)s的校验条件%(n)s须为固定数值，不能使用表达式")
                % {"c": _describe(component), "n": name}
            )
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.append(
                _("组件%(c)s的校验条件%(n)s不是有效数值")
                % {"c": _describe(component), "n": name}
            )
        elif name in ("minLength", "maxLength") and (
            number < 0 or number != number.to_integral_value()
        ):
            problems.append(
                _("组件%(c)s的校验条件%(n)s须为非负整数")
                % {"c": _describe(component), "n": name}
            )
    pattern = validate.get("pattern")
    if pattern not in (None, ""):
        if not isinstance(pattern, str):
            problems.append(
                _("组件%(c)s的正则表达式无效") % {"c": _describe(component)}
            )
        else:
            try:
                regex.compile(pattern)
            except (regex.error, ValueError, OverflowError):
                problems.append(
                    _("组件%(c)s的正则表达式“%(p)s”无法解析")
                    % {"c": _describe(component), "p": pattern}
                )
    kind = validate.get("validationType")
    if kind not in (None, "", "email", "phone", "custom"):
        problems.append(
            _("组件%(c)s的校验类型“%(t)s”不受支持")
            % {"c": _describe(component), "t": kind}
        )


def _check_options(component: dict, problems: list[str]) -> None:
    if component.get("valuesKey") is not None:
        problems.append(
            _("组件%(c)s的选项来自输入数据，服务器无法核验，请直接列出选项")
            % {"c": _describe(component)}
        )
        return
    if component.get("valuesExpression") is not None:
        problems.append(
            _("组件%(c)s的选项来自表达式，服务器无法核验，请直接列出选项")
            % {"c": _describe(component)}
        )
        return
    values = component.get("values")
    if not isinstance(values, list) or not values:
        problems.append(_("组件%(c)s没有列出任何选项") % {"c": _describe(component)})
        return
    seen = []
    for option in values:
        if not isinstance(option, dict) or "value" not in option:
            problems.append(_("组件%(c)s的选项格式无效") % {"c": _describe(component)})
            return
        value = option["value"]
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(
                _("组件%(c)s的选项值须为文本或数字") % {"c": _describe(component)}
            )
            return
        if any(_same(value, other) for other in seen):
            problems.append(
                _("组件%(c)s的选项值“%(v)s”重复")
                % {"c": _describe(component), "v": value}
            )
        seen.append(value)


def _check_leaf(component: dict, problems: list[str]) -> None:
    kind = component["type"]
    if component.get("readonly") is not None and not isinstance(
        component.get("readonly"), bool
    ):
        problems.append(
            _("组件%(c)s的“只读”须为固定的是或否，不能使用表达式")
            % {"c": _describe(component)}
        )
    if component.get("disabled") is not None and not isinstance(
        component.get("disabled"), bool
    ):
        problems.append(
            _("组件%(c)s的“禁用”须为固定的是或否") % {"c": _describe(component)}
        )
    _check_validate(component, problems)
    if kind in OPTION_TYPES:
        _check_options(component, problems)
    if kind == "datetime" and component.get("subtype", "date") not in (
        "date",
        "time",
        "datetime",
    ):
        problems.append(_("组件%(c)s的日期时间类型无效") % {"c": _describe(component)})
    if kind == "number":
        digits = component.get("decimalDigits")
        if digits is not None and (
            not isinstance(digits, int) or isinstance(digits, bool) or digits < 0
        ):
            problems.append(
                _("组件%(c)s的小数位数须为非负整数") % {"c": _describe(component)}
            )
        increment = component.get("increment")
        if increment not in (None, ""):
            try:
                step = Decimal(str(increment))
            except InvalidOperation:
                step = None
            if step is None or not step.is_finite() or step <= 0:
                problems.append(
                    _("组件%(c)s的步长须为正数") % {"c": _describe(component)}
                )
    properties = component.get("properties") or {}
    if not isinstance(properties, dict):
        problems.append(_("组件%(c)s的自定义属性无效") % {"c": _describe(component)})
        return
    validator = properties.get(VALIDATOR_PROPERTY)
    if validator not in (None, ""):
        if validator not in CHINESE_VALIDATORS:
            problems.append(
                _("组件%(c)s的校验器“%(v)s”不存在（可选：id_number、uscc、mobile）")
                % {"c": _describe(component), "v": validator}
            )
        elif kind not in ("textfield", "textarea"):
            problems.append(
                _("组件%(c)s不是文本框，不能使用校验器“%(v)s”")
                % {"c": _describe(component), "v": validator}
            )


def _walk(components, node: Node, problems: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        problems.append(_("表单嵌套层级过深"))
        return
    if not isinstance(components, list):
        problems.append(_("表单组件列表格式无效"))
        return
    for component in components:
        if not isinstance(component, dict) or not isinstance(
            component.get("type"), str
        ):
            problems.append(_("表单中有格式无效的组件"))
            continue
        kind = component["type"]
        if kind in UNSUPPORTED_TYPES:
            problems.append(
                _("不支持组件%(c)s：%(why)s")
                % {"c": _describe(component), "why": _(UNSUPPORTED_TYPES[kind])}
            )
            continue
        conditional = bool((component.get("conditional") or {}).get("hide"))
        if kind in VALUE_TYPES:
            parts = _split_path(
                component.get("key"), problems, component, _("字段标识")
            )
            if parts is None:
                continue
            _check_leaf(component, problems)
            _place(node, parts, Leaf(component, node.path + parts), problems, component)
        elif kind == "group":
            if component.get("path"):
                parts = _split_path(
                    component.get("path"), problems, component, _("数据路径")
                )
                if parts is None:
                    continue
                inner = Node(path=node.path + parts, conditional=conditional)
                _walk(component.get("components") or [], inner, problems, depth + 1)
                _place(node, parts, inner, problems, component)
            else:
                _walk(component.get("components") or [], node, problems, depth + 1)
        elif kind == "dynamiclist":
            parts = _split_path(
                component.get("path"), problems, component, _("数据路径")
            )
            if parts is None:
                continue
            inner = Node(path=())
            _walk(component.get("components") or [], inner, problems, depth + 1)
            _place(
                node,
                parts,
                Repeat(component, inner, node.path + parts),
                problems,
                component,
            )
        elif kind in PRESENTATION_TYPES:
            continue
        else:
            problems.append(
                _("不支持组件%(c)s：未知的组件类型") % {"c": _describe(component)}
            )


def compile_schema(schema) -> Node:
    """The data shape a schema describes; raises SchemaInvalid with every problem."""
    problems: list[str] = []
    if not isinstance(schema, dict):
        raise SchemaInvalid([_("表单定义应为 JSON 对象")])
    if schema.get("type", "default") != "default":
        problems.append(_("表单定义的根组件类型应为 default"))
    root = Node()
    _walk(schema.get("components", []), root, problems, 0)
    if problems:
        raise SchemaInvalid(problems)
    return root


def check_schema(schema) -> None:
    compile_schema(schema)


def schema_fields(schema) -> list[dict]:
    """Every data field of a valid schema: {"path", "label", "type"}, in order.

    The process designer lists these to set per-task field modes; containers
    (groups with a path, dynamic lists) are listed too since a mode on one covers
    its contents.
    """
    fields: list[dict] = []

    def visit(node: Node, prefix: str) -> None:
        for name, child in node.children.items():
            path = f"{prefix}{name}"
            if isinstance(child, Leaf):
                fields.append({"path": path, "label": child.label, "type": child.type})
            elif isinstance(child, Repeat):
                label = child.component.get("label") or path
                fields.append(
                    {"path": path, "label": str(label), "type": "dynamiclist"}
                )
                visit(child.item, f"{path}.")
            else:
                fields.append({"path": path, "label": path, "type": "group"})
                visit(child, f"{path}.")

    visit(compile_schema(schema), "")
    return fields


# ---------------------------------------------------------------- submissions


def _same(a, b) -> bool:
    """Option equality without Python's 1 == 1.0 == True confusion."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return a == b


def _missing(value, kind: str) -> bool:
    if value is None or (isinstance(value, str) and value == ""):
        return True
    return kind in MULTI_OPTION_TYPES and isinstance(value, list) and not value


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def _number(value, *, as_string: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and not as_string:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return Decimal(str(value))
    if isinstance(value, str) and as_string:
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
            return None
        return Decimal(value)
    return None


def _length_checks(text: str, validate: dict, errors: list[str]) -> None:
    length = len(text.strip())
    low, high = validate.get("minLength"), validate.get("maxLength")
    if low not in (None, "") and length < _decimal(low):
        errors.append(_("长度不能少于%(n)s个字符") % {"n": low})
    if high not in (None, "") and length > _decimal(high):
        errors.append(_("长度不能超过%(n)s个字符") % {"n": high})


def _range_checks(number: Decimal, validate: dict, errors: list[str]) -> None:
    low, high = validate.get("min"), validate.get("max")
    if low not in (None, "") and number < _decimal(low):
        errors.append(_("不能小于%(n)s") % {"n": low})
    if high not in (None, "") and number > _decimal(high):
        errors.append(_("不能大于%(n)s") % {"n": high})


def _check_text(leaf: Leaf, value, errors: list[str]) -> None:
    component = leaf.component
    validate = component.get("validate") or {}
    if not isinstance(value, str):
        errors.append(_("应为文本"))
        return
    if "\x00" in value:
        errors.append(_("含有不允许的控制字符"))
        return
    if len(value) > TEXT_LIMIT[leaf.type]:
        errors.append(_("长度不能超过%(n)s个字符") % {"n": TEXT_LIMIT[leaf.type]})
        return
    if value == "":
        return
    _length_checks(value, validate, errors)
    pattern = validate.get("pattern")
    if pattern:
        try:
            matched = regex.search(pattern, value, timeout=PATTERN_TIMEOUT)
        except TimeoutError:
            matched = None
        if matched is None:
            errors.append(str(validate.get("patternErrorMessage") or _("格式不正确")))
    kind = validate.get("validationType")
    if kind == "email" and not _EMAIL.fullmatch(value):
        errors.append(_("请输入有效的电子邮箱地址"))
    if kind == "phone" and not _PHONE.fullmatch(value):
        errors.append(_("请输入有效的国际电话号码（如 +8613912345678）"))
    validator = (component.get("properties") or {}).get(VALIDATOR_PROPERTY)
    if validator:
        try:
            CHINESE_VALIDATORS[validator](value)
        except ValidationError as exc:
            errors.extend(str(m) for m in exc.messages)


def _check_number(leaf: Leaf, value, errors: list[str]) -> None:
    component = leaf.component
    as_string = bool(component.get("serializeToString"))
    number = _number(value, as_string=as_string)
    if number is None:
        errors.append(_("应为数字文本") if as_string else _("应为数字"))
        return
    if abs(number) >= NUMBER_LIMIT:
        errors.append(_("数值超出允许范围"))
        return
    digits = component.get("decimalDigits")
    decimals = max(0, -number.normalize().as_tuple().exponent)
    if digits is not None and decimals > digits:
        if digits == 0:
            errors.append(_("应为整数"))
        else:
            errors.append(_("最多保留%(n)s位小数") % {"n": digits})
    increment = component.get("increment")
    if increment not in (None, ""):
        step = _decimal(increment)
        offset = number % step
        if offset != 0:
            below = number - offset if number >= 0 else number - offset - step
            errors.append(
                _("请输入有效值，最接近的有效值为%(a)s和%(b)s")
                % {"a": below.normalize(), "b": (below + step).normalize()}
            )
    _range_checks(number, component.get("validate") or {}, errors)


def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _valid_time(text: str, serializing: str) -> bool:
    match = _TIME.fullmatch(text)
    if not match:
        return False
    hour, minute, zone = int(match[1]), int(match[2]), match[3]
    if hour > 23 or minute > 59:
        return False
    if zone is None:
        return serializing in (None, "no_timezone")
    if zone == "Z":
        return serializing == "utc_normalized"
    offset_hour, offset_minute = int(zone[1:3]), int(zone[4:6])
    return serializing == "utc_offset" and offset_hour <= 14 and offset_minute <= 59


def _check_datetime(leaf: Leaf, value, errors: list[str]) -> None:
    component = leaf.component
    subtype = component.get("subtype", "date")
    serializing = component.get("timeSerializingFormat")
    if not isinstance(value, str):
        errors.append(_("应为日期或时间文本"))
        return
    day = None
    if subtype == "date":
        day = _parse_date(value)
        if day is None:
            errors.append(_("应为有效日期（格式 YYYY-MM-DD）"))
            return
    elif subtype == "time":
        if not _valid_time(value, serializing):
            errors.append(_("应为有效时间（格式 HH:MM）"))
            return
    else:
        day_text, _sep, time_text = value.partition("T")
        day = _parse_date(day_text)
        if day is None or not _sep or not _valid_time(time_text, serializing):
            errors.append(_("应为有效日期时间（格式 YYYY-MM-DDTHH:MM）"))
            return
    if day is not None and component.get("disallowPassedDates"):
        if day < timezone.localdate():
            errors.append(_("不能选择今天之前的日期"))


def _option_values(component: dict) -> list:
    return [option["value"] for option in component.get("values") or []]


def _check_option(leaf: Leaf, value, errors: list[str]) -> None:
    allowed = _option_values(leaf.component)
    if leaf.type in MULTI_OPTION_TYPES:
        if not isinstance(value, list):
            errors.append(_("应为选项列表"))
            return
        if len(value) > len(allowed):
            errors.append(_("选项不能重复"))
            return
        for index, item in enumerate(value):
            if not any(_same(item, option) for option in allowed):
                errors.append(_("“%(v)s”不是可选的选项") % {"v": _short(item)})
                return
            if any(_same(item, other) for other in value[:index]):
                errors.append(_("选项不能重复"))
                return
        return
    if not any(_same(value, option) for option in allowed):
        errors.append(_("“%(v)s”不是可选的选项") % {"v": _short(value)})


def _short(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _check_leaf_value(leaf: Leaf, value, required: bool) -> list[str]:
    errors: list[str] = []
    kind = leaf.type
    if kind == "checkbox":
        if value is None:
            return [_("请勾选此项")] if required else []
        if not isinstance(value, bool):
            return [_("应为是或否")]
        if required and value is False:
            return [_("请勾选此项")]
        return []
    if _missing(value, kind):
        return [_("此项为必填项")] if required else []
    if kind in ("textfield", "textarea"):
        _check_text(leaf, value, errors)
    elif kind == "number":
        _check_number(leaf, value, errors)
    elif kind == "datetime":
        _check_datetime(leaf, value, errors)
    else:
        _check_option(leaf, value, errors)
    return errors


def _path_text(path) -> str:
    return ".".join(str(p) for p in path)


def _lookup(stored, name):
    return stored.get(name) if isinstance(stored, dict) else None


class _Cleaner:
    def __init__(self, modes: dict[str, str]):
        self.modes = modes
        self.errors: dict[str, list[str]] = {}

    def fail(self, path, message: str) -> None:
        self.errors.setdefault(_path_text(path), []).append(message)

    def mode_of(self, schema_path: tuple[str, ...], inherited: str) -> str:
        if inherited != EDITABLE:
            return inherited
        return self.modes.get(".".join(schema_path), EDITABLE)

    def node(
        self,
        node: Node,
        data,
        stored,
        path: tuple,
        schema_path: tuple[str, ...],
        inherited: str,
        conditional: bool,
    ) -> dict:
        result = {}
        conditional = conditional or node.conditional
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.fail(path, _("应为对象"))
            return result
        for name in data:
            if name not in node.children:
                self.fail(path + (name,), _("表单中没有此字段"))
        for name, child in node.children.items():
            child_path = path + (name,)
            child_schema = schema_path + (name,)
            mode = self.mode_of(child_schema, inherited)
            present = name in data
            value = data.get(name)
            old = _lookup(stored, name)
            if isinstance(child, Leaf):
                component = child.component
                if component.get("readonly") is True or component.get("disabled"):
                    mode = READONLY if mode == EDITABLE else mode
                if mode != EDITABLE:
                    if old is not None:
                        result[name] = copy.deepcopy(old)
                    continue
                required = bool((component.get("validate") or {}).get("required"))
                hideable = conditional or (component.get("conditional") or {}).get(
                    "hide"
                )
                if not present and (hideable or not required):
                    continue
                problems = _check_leaf_value(child, value, required)
                if problems:
                    for message in problems:
                        self.fail(child_path, message)
                elif present:
                    result[name] = value
            elif isinstance(child, Node):
                if mode != EDITABLE:
                    if old is not None:
                        result[name] = copy.deepcopy(old)
                    continue
                result[name] = self.node(
                    child, value, old, child_path, child_schema, mode, conditional
                )
            else:
                if mode != EDITABLE:
                    if old is not None:
                        result[name] = copy.deepcopy(old)
                    continue
                items = self.repeat(child, value, old, child_path, child_schema)
                if items is not None:
                    result[name] = items
        return result

    def repeat(self, repeat: Repeat, value, stored, path, schema_path):
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(path, _("应为列表"))
            return None
        if len(value) > LIST_LIMIT:
            self.fail(path, _("最多%(n)s项") % {"n": LIST_LIMIT})
            return None
        old_items = stored if isinstance(stored, list) else []
        items = []
        for index, item in enumerate(value):
            old = old_items[index] if index < len(old_items) else None
            items.append(
                self.node(
                    repeat.item,
                    item,
                    old,
                    path + (index,),
                    schema_path,
                    EDITABLE,
                    False,
                )
            )
        return items


def clean_data(
    schema,
    data,
    *,
    modes: dict[str, str] | None = None,
    stored: dict | None = None,
) -> dict:
    """Check `data` against `schema`; return what may be stored.

    `modes` maps data paths to "editable", "readonly" or "hidden"; `stored` is
    the data saved before, whose read-only and hidden values are kept whatever
    the submitter sent. Raises FormDataInvalid naming every bad field.
    """
    root = compile_schema(schema)
    modes = validate_modes(modes or {})
    if not isinstance(data, dict):
        raise FormDataInvalid({"": [_("表单数据应为 JSON 对象")]})
    cleaner = _Cleaner(modes)
    result = cleaner.node(root, data, stored or {}, (), (), EDITABLE, False)
    if cleaner.errors:
        raise FormDataInvalid(cleaner.errors)
    return result


def validate_modes(modes) -> dict[str, str]:
    if not isinstance(modes, dict) or not all(
        isinstance(k, str) and v in FIELD_MODES for k, v in modes.items()
    ):
        raise ValueError("field modes must map data paths to editable/readonly/hidden")
    return modes


# ------------------------------------------------------ what a task person sees


def _mode_for(path: tuple[str, ...], modes: dict[str, str]) -> str:
    for length in range(1, len(path) + 1):
        mode = modes.get(".".join(path[:length]))
        if mode and mode != EDITABLE:
            return mode
    return EDITABLE


def _data_path(component: dict, prefix: tuple[str, ...]) -> tuple[str, ...] | None:
    text = component.get("key") if component.get("type") in VALUE_TYPES else None
    if component.get("type") in CONTAINER_TYPES:
        text = component.get("path")
    if not text:
        return None
    return prefix + tuple(text.split("."))


def schema_for_modes(schema: dict, modes: dict[str, str] | None) -> dict:
    """A copy of `schema` for one task: hidden fields removed, read-only ones
    marked read-only, so the browser shows what the server will accept."""
    modes = validate_modes(modes or {})
    result = copy.deepcopy(schema)

    def prune(components, prefix: tuple[str, ...]):
        kept = []
        for component in components:
            if not isinstance(component, dict):
                continue
            path = _data_path(component, prefix)
            mode = _mode_for(path, modes) if path else EDITABLE
            if mode == HIDDEN:
                continue
            if mode == READONLY:
                component["readonly"] = True
                for inner in _descendants(component):
                    if inner.get("type") in VALUE_TYPES:
                        inner["readonly"] = True
            if component.get("type") in CONTAINER_TYPES:
                # Modes inside a dynamic list name the list path plus the
                # field key, without an item index.
                inner_prefix = path if path else prefix
                component["components"] = prune(
                    component.get("components") or [], inner_prefix
                )
            kept.append(component)
        return kept

    result["components"] = prune(result.get("components") or [], ())
    return result


def _descendants(component: dict):
    for inner in component.get("components") or []:
        if isinstance(inner, dict):
            yield inner
            yield from _descendants(inner)


def data_for_modes(schema: dict, data: dict | None, modes: dict[str, str] | None):
    """The stored data without the values of fields hidden from this task."""
    modes = validate_modes(modes or {})
    hidden = [path for path, mode in modes.items() if mode == HIDDEN]
    result = copy.deepcopy(data or {})

    def drop(target, parts: list[str]) -> None:
        if isinstance(target, list):
            for item in target:
                drop(item, parts)
            return
        if not isinstance(target, dict) or not parts:
            return
        if len(parts) == 1:
            target.pop(parts[0], None)
            return
        drop(target.get(parts[0]), parts[1:])

    for path in hidden:
        drop(result, path.split("."))
    return result
