"""The safe expression language of gateway conditions and completion rules."""

import pytest

from egov.workflow.expressions import (
    MAX_NODES,
    MAX_SOURCE_LENGTH,
    ExpressionError,
    check_expression,
    evaluate,
)

DATA = {
    "amount": 12000,
    "days": 5,
    "rate": 0.5,
    "outcome": "approve",
    "kind": "个体工商户",
    "tags": ["urgent", "公开"],
    "applicant": {"name": "张三", "age": 36, "address": {"city": "示范县"}},
    "flag": True,
    "empty": None,
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amount > 10000", True),
        ("amount >= 12000 and days <= 5", True),
        ("amount < 100 or outcome == 'approve'", True),
        ("not flag", False),
        ("amount + 1000 * 2 - 1", 13999),
        ("amount / 4", 3000.0),
        ("amount // 7 % 10", 4),
        ("-days + 10", 5),
        ("rate * 4 == 2", True),
        ('"urgent" in tags', True),
        ('"机密" not in tags', True),
        ('kind in ["个体工商户", "企业"]', True),
        ('"工商" in kind', True),
        ('applicant["name"] == "张三"', True),
        ('applicant["address"]["city"]', "示范县"),
        ("tags[0]", "urgent"),
        ("tags[5]", None),
        ('applicant["missing"] is None', True),
        ("undefined_field is None", True),
        ("empty is None and flag is True", True),
        ("len(tags) == 2 and len(kind) == 5", True),
        ("max(days, 3, 9) - min([4, 2])", 7),
        ("abs(-3) + round(2.6)", 6),
        ('int("42") + float("0.5")', 42.5),
        ('str(days) + "天"', "5天"),
        ('"大额" if amount > 10000 else "小额"', "大额"),
        ("1 < days < 10", True),
        ("bool(0)", False),
    ],
)
def test_allowed_expressions_evaluate_over_form_data(source, expected):
    # Given form and case data
    # When the expression is evaluated
    result = evaluate(source, DATA)

    # Then it gives the value the designer meant
    assert result == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os').system('id')", "不允许访问属性（.system）"),
        ("__import__('os')", "不允许调用函数 __import__"),
        ("().__class__.__mro__", "不允许访问属性（.__mro__）"),
        ("applicant.name", "不允许访问属性（.name）"),
        ("open('/etc/passwd')", "不允许调用函数 open"),
        ("eval('1')", "不允许调用函数 eval"),
        ("getattr(applicant, 'x')", "不允许调用函数 getattr"),
        ("tags.pop()", "不允许访问属性（.pop）"),
        ("(lambda: 1)()", "不允许使用 lambda"),
        (
            "tags[0](1)",
            "只允许调用以下函数：len, abs, round, min, max, int, float, str, bool",
        ),
        ("[x for x in tags]", "不允许使用推导式"),
        ("{k: 1 for k in tags}", "不允许使用推导式"),
        ("2 ** 1000", "不支持该运算符"),
        ("1 << 70", "不支持该运算符"),
        ("days | 1", "不支持该运算符"),
        ("(x := 1)", "不允许赋值"),
        ("f'{amount}'", "不支持格式化字符串"),
        ("{'a': 1}", "不支持字典或集合字面量"),
        ("tags[0:1]", "不支持切片"),
        ("len", "函数名 len 不能当作变量使用"),
        ("_private", "不允许使用以下划线开头的名称：_private"),
        ("len(tags, key=1)", "函数调用不支持关键字参数"),
        ("len(*tags)", "不支持星号展开"),
        ("len()", "函数 len 的参数个数不正确"),
        ("amount >", "表达式语法错误（第 1 个字符附近）"),
        ("import os", "表达式语法错误（第 1 个字符附近）"),
        ("", "表达式为空"),
        ("10 ** 19", "不支持该运算符"),
        ("99999999999999999999", "数值超出允许范围"),
    ],
)
def test_forbidden_expressions_are_refused_before_they_run(source, message):
    # Given an expression outside the language
    # When it is checked
    with pytest.raises(ExpressionError) as caught:
        check_expression(source)

    # Then it is refused with a message saying why
    assert caught.value.message == message


def test_expressions_over_the_size_limits_are_refused():
    # Given expressions too long, too large or too deep
    too_long = "1" + " + 1" * (MAX_SOURCE_LENGTH // 4 + 1)
    too_many = " or ".join(["flag"] * (MAX_NODES // 2))
    too_deep = "(" * 60 + "1" + ")" * 60 + " + " + "-" * 40 + "1"

    # When they are checked / Then each is refused
    with pytest.raises(ExpressionError) as long_error:
        check_expression(too_long)
    assert long_error.value.message == f"表达式过长（超过 {MAX_SOURCE_LENGTH} 个字符）"
    with pytest.raises(ExpressionError) as many_error:
        check_expression(too_many)
    assert many_error.value.message == f"表达式过长（超过 {MAX_NODES} 个语法单元）"
    with pytest.raises(ExpressionError) as deep_error:
        check_expression(too_deep)
    assert deep_error.value.message == "表达式嵌套过深"


@pytest.mark.parametrize(
    ("source", "data", "message"),
    [
        ("amount / 0", DATA, "除数为零"),
        ("kind > 3", DATA, "无法比较 文本 与 数字"),
        ("empty > 3", DATA, "无法比较 空值 与 数字"),
        ("kind * 100000", DATA, "算术运算只能用于数字"),
        ('"a" + amount', DATA, "算术运算只能用于数字"),
        ("big * big", {"big": 10**17}, "数值超出允许范围"),
        ("text + text", {"text": "字" * 6000}, "文本过长"),
        ("days[0]", DATA, "该值不支持取下标"),
        ('tags["x"]', DATA, "列表只能用整数下标取值"),
        ("applicant[1]", DATA, "字典只能用文本键取值"),
        ('int("abc")', DATA, "无法转换为整数：abc"),
        ("len(days)", DATA, "len() 只能用于文本、列表或字典"),
        ("-kind", DATA, "正负号只能用于数字"),
        ("3 in days", DATA, "in 右侧必须是文本、列表或字典"),
        ("days is 5", DATA, "is 只能用于 None、True 或 False"),
    ],
)
def test_evaluation_errors_are_reported_in_chinese(source, data, message):
    # Given a well-formed expression that cannot be computed on this data
    # When it is evaluated
    with pytest.raises(ExpressionError) as caught:
        evaluate(source, data)

    # Then the error says why
    assert caught.value.message == message


def test_evaluation_never_touches_python_builtins(monkeypatch):
    # Given Python's eval and exec would raise if anything called them
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)

    # When a condition is evaluated
    result = evaluate("amount > 100 and len(tags) == 2", DATA)

    # Then the walker computed it on its own
    assert result is True
