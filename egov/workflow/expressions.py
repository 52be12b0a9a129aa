"""A small, safe expression language for gateway conditions and similar rules.

Designers write conditions such as ``amount > 10000 and outcome == "approve"``
into a diagram; they are data, never code. Expressions are parsed with Python's
own grammar (so they read like the conditions people already know), then
checked against an allow-list of node types and interpreted by the walker
below. Nothing here calls ``eval``, ``exec`` or ``compile``, so no name, import
or attribute of the interpreter is ever reachable.

The language:

- literals: strings, integers, decimals, ``True``/``False``/``None``, and lists
  or tuples of literals (``status in ["a", "b"]``);
- names of variables (form fields and case fields); a name that is not set
  reads as ``None`` so an optional field can be tested with ``x is None``;
- ``data["key"]`` and ``items[0]``: subscripts by a string key on a mapping or
  an integer index on a list;
- ``and``, ``or``, ``not``, comparisons (``== != < <= > >= in not in is
  is not``), ``+ - * / // %`` on numbers (``+`` also joins strings), unary
  minus, and ``a if cond else b``;
- calls to a few functions only: len, abs, min, max, round, int, float, str,
  bool.

Limits: source length, node count and nesting depth are bounded; numbers stay
within +-10**18, strings and lists within fixed sizes, and each evaluation has
a step budget and a wall-clock deadline.
"""

import ast
import time
from functools import lru_cache

from django.utils.translation import gettext as _

MAX_SOURCE_LENGTH = 2000
MAX_NODES = 300
MAX_DEPTH = 30
MAX_STRING = 10_000
MAX_SEQUENCE = 1_000
MAX_INT = 10**18
MAX_STEPS = 10_000
MAX_SECONDS = 0.05


class ExpressionError(Exception):
    """An expression is not allowed, or its evaluation failed. `message` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_BOOL_OPS = {ast.And, ast.Or}
_BIN_OPS = {ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod}
_UNARY_OPS = {ast.Not, ast.USub, ast.UAdd}
_COMPARE_OPS = {
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
}
_ALLOWED_NODES = (
    {
        ast.Expression,
        ast.BoolOp,
        ast.BinOp,
        ast.UnaryOp,
        ast.Compare,
        ast.IfExp,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Subscript,
        ast.List,
        ast.Tuple,
        ast.Call,
    }
    | _BOOL_OPS
    | _BIN_OPS
    | _UNARY_OPS
    | _COMPARE_OPS
)


def _clip_int(value):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ExpressionError(_("数值超出允许范围"))
    if isinstance(value, float) and (value != value or abs(value) > MAX_INT):
        raise ExpressionError(_("数值超出允许范围"))
    return value


def _len(value):
    if not isinstance(value, str | list | tuple | dict):
        raise ExpressionError(_("len() 只能用于文本、列表或字典"))
    return len(value)


def _number_only(fn, label):
    def wrapped(*args):
        for arg in args:
            if isinstance(arg, bool) or not isinstance(arg, int | float):
                raise ExpressionError(_("%(fn)s() 只能用于数字") % {"fn": label})
        return _clip_int(fn(*args))

    return wrapped


def _min_max(fn, label):
    def wrapped(*args):
        values = (
            args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else args
        )
        if not values:
            raise ExpressionError(_("%(fn)s() 需要至少一个值") % {"fn": label})
        try:
            return fn(values)
        except TypeError:
            raise ExpressionError(
                _("%(fn)s() 的参数无法比较") % {"fn": label}
            ) from None

    return wrapped


def _to_int(value):
    if isinstance(value, str) and len(value) > 40:
        raise ExpressionError(_("int() 的参数过长"))
    try:
        return _clip_int(int(value))
    except (TypeError, ValueError, OverflowError):
        raise ExpressionError(
            _("无法转换为整数：%(v)s") % {"v": str(value)[:50]}
        ) from None


def _to_float(value):
    if isinstance(value, str) and len(value) > 40:
        raise ExpressionError(_("float() 的参数过长"))
    try:
        return _clip_int(float(value))
    except (TypeError, ValueError, OverflowError):
        raise ExpressionError(
            _("无法转换为数字：%(v)s") % {"v": str(value)[:50]}
        ) from None


def _to_str(value):
    if not isinstance(value, str | int | float | bool) and value is not None:
        raise ExpressionError(_("str() 只能用于文本、数字、布尔值或空值"))
    return str(value)


FUNCTIONS = {
    "len": (_len, 1, 1),
    "abs": (_number_only(abs, "abs"), 1, 1),
    "round": (_number_only(round, "round"), 1, 2),
    "min": (_min_max(min, "min"), 1, 20),
    "max": (_min_max(max, "max"), 1, 20),
    "int": (_to_int, 1, 1),
    "float": (_to_float, 1, 1),
    "str": (_to_str, 1, 1),
    "bool": (bool, 1, 1),
}


def _node_label(node) -> str:
    return type(node).__name__


def _refuse(reason: str):
    raise ExpressionError(reason)


def _check(tree: ast.AST) -> None:
    count = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            _refuse(_("表达式过长（超过 %(n)s 个语法单元）") % {"n": MAX_NODES})
        if depth > MAX_DEPTH:
            _refuse(_("表达式嵌套过深"))
        if type(node) not in _ALLOWED_NODES:
            _refuse(_forbidden_message(node))
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                _refuse(_("不允许使用以下划线开头的名称：%(name)s") % {"name": node.id})
            if node.id in FUNCTIONS:
                _refuse(_("函数名 %(name)s 不能当作变量使用") % {"name": node.id})
        elif isinstance(node, ast.Constant):
            value = node.value
            if not (value is None or isinstance(value, str | int | float | bool)):
                _refuse(_("不支持该类型的常量"))
            if isinstance(value, str) and len(value) > MAX_STRING:
                _refuse(_("文本常量过长"))
            if isinstance(value, int | float) and not isinstance(value, bool):
                _clip_int(value)
        elif isinstance(node, ast.Call):
            _check_call(node)
            stack.extend((arg, depth + 1) for arg in node.args)
            continue
        elif isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                _refuse(_("不支持切片"))
        elif isinstance(node, ast.List | ast.Tuple):
            if len(node.elts) > MAX_SEQUENCE:
                _refuse(_("列表过长"))
            if any(isinstance(e, ast.Starred) for e in node.elts):
                _refuse(_("不支持星号展开"))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        if type(node.func) not in _ALLOWED_NODES:
            _refuse(_forbidden_message(node.func))
        _refuse(_("只允许调用以下函数：%(names)s") % {"names": ", ".join(FUNCTIONS)})
    if node.func.id not in FUNCTIONS:
        _refuse(_("不允许调用函数 %(name)s") % {"name": node.func.id})
    if node.keywords:
        _refuse(_("函数调用不支持关键字参数"))
    if any(isinstance(a, ast.Starred) for a in node.args):
        _refuse(_("不支持星号展开"))
    _fn, low, high = FUNCTIONS[node.func.id]
    if not low <= len(node.args) <= high:
        _refuse(_("函数 %(name)s 的参数个数不正确") % {"name": node.func.id})


def _forbidden_message(node) -> str:
    if isinstance(node, ast.Attribute):
        return _("不允许访问属性（.%(attr)s）") % {"attr": node.attr}
    if isinstance(node, ast.Lambda):
        return _("不允许使用 lambda")
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return _("不允许使用推导式")
    if type(node) in {
        ast.Pow,
        ast.LShift,
        ast.RShift,
        ast.BitOr,
        ast.BitAnd,
        ast.BitXor,
        ast.MatMult,
    }:
        return _("不支持该运算符")
    if isinstance(node, ast.NamedExpr):
        return _("不允许赋值")
    if isinstance(node, ast.Dict | ast.Set):
        return _("不支持字典或集合字面量")
    if isinstance(node, ast.JoinedStr | ast.FormattedValue):
        return _("不支持格式化字符串")
    if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom):
        return _("不支持该语法")
    return _("不支持的语法：%(node)s") % {"node": _node_label(node)}


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> ast.Expression:
    """Parse and check `source`; raise ExpressionError saying what is wrong.

    The checked tree is cached, so conditions evaluated on every step of every
    instance are parsed once per process.
    """
    if not isinstance(source, str):
        raise ExpressionError(_("表达式必须是文本"))
    text = source.strip()
    if not text:
        raise ExpressionError(_("表达式为空"))
    if len(text) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            _("表达式过长（超过 %(n)s 个字符）") % {"n": MAX_SOURCE_LENGTH}
        )
    if "\x00" in text:
        raise ExpressionError(_("表达式含有非法字符"))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("表达式语法错误（第 %(col)s 个字符附近）") % {"col": exc.offset or 1}
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(_("表达式无法解析")) from None
    _check(tree)
    return tree


def check_expression(source: str) -> None:
    """Raise ExpressionError unless `source` is a well-formed, allowed expression."""
    compile_expression(source)


def evaluate(source: str, variables: dict):
    """The value of `source` over `variables` (a mapping of names to JSON values)."""
    tree = compile_expression(source)
    return _Evaluator(variables).run(tree.body)


class _Evaluator:
    def __init__(self, variables):
        self.variables = variables
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def run(self, node):
        self.steps += 1
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise ExpressionError(_("表达式计算超出时间限制"))
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _Constant(self, node):
        return node.value

    def _Name(self, node):
        return self.variables.get(node.id)

    def _List(self, node):
        return [self.run(e) for e in node.elts]

    _Tuple = _List

    def _Subscript(self, node):
        container = self.run(node.value)
        key = self.run(node.slice)
        if isinstance(container, dict):
            if not isinstance(key, str):
                raise ExpressionError(_("字典只能用文本键取值"))
            return container.get(key)
        if isinstance(container, list | tuple | str):
            if isinstance(key, bool) or not isinstance(key, int):
                raise ExpressionError(_("列表只能用整数下标取值"))
            if not -len(container) <= key < len(container):
                return None
            return container[key]
        if container is None:
            return None
        raise ExpressionError(_("该值不支持取下标"))

    def _BoolOp(self, node):
        if isinstance(node.op, ast.And):
            value = True
            for operand in node.values:
                value = self.run(operand)
                if not value:
                    return value
            return value
        value = False
        for operand in node.values:
            value = self.run(operand)
            if value:
                return value
        return value

    def _UnaryOp(self, node):
        value = self.run(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(_("正负号只能用于数字"))
        return -value if isinstance(node.op, ast.USub) else value

    def _BinOp(self, node):
        left = self.run(node.left)
        right = self.run(node.right)
        op = node.op
        if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_STRING:
                raise ExpressionError(_("文本过长"))
            return left + right
        for value in (left, right):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExpressionError(_("算术运算只能用于数字"))
        try:
            if isinstance(op, ast.Add):
                result = left + right
            elif isinstance(op, ast.Sub):
                result = left - right
            elif isinstance(op, ast.Mult):
                result = left * right
            elif isinstance(op, ast.Div):
                result = left / right
            elif isinstance(op, ast.FloorDiv):
                result = left // right
            else:
                result = left % right
        except ZeroDivisionError:
            raise ExpressionError(_("除数为零")) from None
        except OverflowError:
            raise ExpressionError(_("数值超出允许范围")) from None
        return _clip_int(result)

    def _Compare(self, node):
        left = self.run(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.run(right_node)
            if not self._compare(op, left, right):
                return False
            left = right
        return True

    def _compare(self, op, left, right):
        if isinstance(op, ast.Is | ast.IsNot):
            if not (left is None or right is None or isinstance(left, bool)):
                raise ExpressionError(_("is 只能用于 None、True 或 False"))
            same = left is right if left is None or right is None else left == right
            return same if isinstance(op, ast.Is) else not same
        if isinstance(op, ast.In | ast.NotIn):
            if isinstance(right, str):
                if not isinstance(left, str):
                    raise ExpressionError(_("in 左侧必须是文本"))
                found = left in right
            elif isinstance(right, list | tuple):
                found = left in right
            elif isinstance(right, dict):
                found = left in right
            elif right is None:
                found = False
            else:
                raise ExpressionError(_("in 右侧必须是文本、列表或字典"))
            return found if isinstance(op, ast.In) else not found
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        try:
            if isinstance(op, ast.Lt):
                return left < right
            if isinstance(op, ast.LtE):
                return left <= right
            if isinstance(op, ast.Gt):
                return left > right
            return left >= right
        except TypeError:
            raise ExpressionError(
                _("无法比较 %(a)s 与 %(b)s") % {"a": _kind(left), "b": _kind(right)}
            ) from None

    def _IfExp(self, node):
        return self.run(node.body) if self.run(node.test) else self.run(node.orelse)

    def _Call(self, node):
        fn, _low, _high = FUNCTIONS[node.func.id]
        args = [self.run(a) for a in node.args]
        result = fn(*args)
        if isinstance(result, str) and len(result) > MAX_STRING:
            raise ExpressionError(_("文本过长"))
        return result


def _kind(value) -> str:
    if value is None:
        return _("空值")
    if isinstance(value, bool):
        return _("布尔值")
    if isinstance(value, int | float):
        return _("数字")
    if isinstance(value, str):
        return _("文本")
    if isinstance(value, list | tuple):
        return _("列表")
    if isinstance(value, dict):
        return _("字典")
    return _("其他")
