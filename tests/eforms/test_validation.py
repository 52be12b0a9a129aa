"""Server-side validation of form schemas and of submitted data."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.core.validators import id_number_check_char, uscc_check_char
from egov.eforms.validation import (
    FormDataInvalid,
    SchemaInvalid,
    check_schema,
    clean_data,
    data_for_modes,
    schema_fields,
    schema_for_modes,
)
from tests.eforms.factories import leave_schema

VALID_ID = "110101199003070000"[:17] + id_number_check_char("11010119900307000")
VALID_USCC = "91139921MA0000001"[:17] + uscc_check_char("91139921MA0000001")
BAD_ID = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")


def schema_of(*components) -> dict:
    return {"type": "default", "components": list(components)}


def errors_of(schema, data, **kwargs) -> dict:
    with pytest.raises(FormDataInvalid) as caught:
        clean_data(schema, data, **kwargs)
    return caught.value.errors


def problems_of(schema) -> list[str]:
    with pytest.raises(SchemaInvalid) as caught:
        check_schema(schema)
    return caught.value.problems


GOOD_LEAVE = {
    "applicant": "王五",
    "id_number": VALID_ID,
    "days": 2.5,
    "kind": "sick",
    "start": "2026-03-02",
    "reason": "看病",
    "approval_note": "",
}


# --- schemas -----------------------------------------------------------------


def test_a_complete_leave_schema_is_accepted_and_its_fields_listed():
    schema = leave_schema()

    fields = schema_fields(schema)

    assert [f["path"] for f in fields] == [
        "applicant",
        "id_number",
        "days",
        "kind",
        "start",
        "reason",
        "approval_note",
    ]
    assert fields[0] == {"path": "applicant", "label": "申请人", "type": "textfield"}


@pytest.mark.parametrize(
    ("component", "problem"),
    [
        (
            {"type": "filepicker", "key": "scan", "label": "扫描件"},
            "不支持组件“扫描件”（filepicker）：文件上传请使用办件材料上传，表单不接收文件",
        ),
        (
            {"type": "iframe", "label": "外部页面", "url": "https://example.com"},
            "不支持组件“外部页面”（iframe）：不允许在表单中嵌入外部网页",
        ),
        (
            {"type": "script", "key": "x"},
            "不支持组件“x”（script）：未知的组件类型",
        ),
        (
            {"type": "textfield", "label": "无标识"},
            "组件“无标识”（textfield）缺少字段标识",
        ),
        (
            {"type": "textfield", "key": "1name"},
            "组件“1name”（textfield）的字段标识“1name”只能由字母、数字和下划线组成，且不以数字开头",
        ),
        (
            {"type": "select", "key": "s", "valuesKey": "options"},
            "组件“s”（select）的选项来自输入数据，服务器无法核验，请直接列出选项",
        ),
        (
            {"type": "radio", "key": "r", "valuesExpression": "=opts"},
            "组件“r”（radio）的选项来自表达式，服务器无法核验，请直接列出选项",
        ),
        (
            {"type": "select", "key": "s", "values": []},
            "组件“s”（select）没有列出任何选项",
        ),
        (
            {
                "type": "select",
                "key": "s",
                "values": [{"label": "a", "value": "a"}, {"label": "b", "value": "a"}],
            },
            "组件“s”（select）的选项值“a”重复",
        ),
        (
            {"type": "number", "key": "n", "validate": {"min": "=limit"}},
            "组件“n”（number）的校验条件min须为固定数值，不能使用表达式",
        ),
        (
            {"type": "textfield", "key": "t", "validate": {"maxLength": 2.5}},
            "组件“t”（textfield）的校验条件maxLength须为非负整数",
        ),
        (
            {"type": "textfield", "key": "t", "validate": {"pattern": "(["}},
            "组件“t”（textfield）的正则表达式“([”无法解析",
        ),
        (
            {"type": "textfield", "key": "t", "readonly": "=locked"},
            "组件“t”（textfield）的“只读”须为固定的是或否，不能使用表达式",
        ),
        (
            {"type": "textfield", "key": "t", "properties": {"egov:validator": "qq"}},
            "组件“t”（textfield）的校验器“qq”不存在（可选：id_number、uscc、mobile）",
        ),
        (
            {"type": "number", "key": "n", "properties": {"egov:validator": "mobile"}},
            "组件“n”（number）不是文本框，不能使用校验器“mobile”",
        ),
        (
            {"type": "number", "key": "n", "increment": -1},
            "组件“n”（number）的步长须为正数",
        ),
    ],
)
def test_a_schema_the_server_cannot_enforce_is_refused_naming_the_component(
    component, problem
):
    schema = schema_of(component)

    problems = problems_of(schema)

    assert problems == [problem]


def test_two_fields_with_one_key_are_refused():
    schema = schema_of(
        {"type": "textfield", "key": "name"}, {"type": "textarea", "key": "name"}
    )

    assert problems_of(schema) == ["字段标识“name”重复或与其他字段冲突"]


def test_a_field_inside_a_group_clashing_with_a_dotted_key_is_refused():
    schema = schema_of(
        {"type": "textfield", "key": "a.b"},
        {
            "type": "group",
            "path": "a",
            "components": [{"type": "number", "key": "b"}],
        },
    )

    assert problems_of(schema) == ["字段标识“a.b”重复或与其他字段冲突"]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ([], "表单定义应为 JSON 对象"),
        ({"type": "group", "components": []}, "表单定义的根组件类型应为 default"),
        ({"type": "default", "components": "x"}, "表单组件列表格式无效"),
        ({"type": "default", "components": [1]}, "表单中有格式无效的组件"),
    ],
)
def test_a_malformed_schema_is_refused(schema, problem):
    assert problems_of(schema) == [problem]


def test_nesting_deeper_than_twelve_groups_is_refused():
    inner = {"type": "textfield", "key": "x"}
    for _level in range(14):
        inner = {"type": "group", "components": [inner]}

    assert problems_of(schema_of(inner)) == ["表单嵌套层级过深"]


# --- submitted data ----------------------------------------------------------


def test_good_leave_data_is_returned_as_submitted():
    cleaned = clean_data(leave_schema(), dict(GOOD_LEAVE))

    assert cleaned == GOOD_LEAVE


def test_every_bad_field_is_named_with_its_own_message():
    data = {
        "applicant": "",
        "id_number": BAD_ID,
        "days": 0.25,
        "kind": "annual",
        "start": "2026-02-30",
        "reason": "x",
        "salary": 1,
    }

    errors = errors_of(leave_schema(), data)

    assert errors == {
        "salary": ["表单中没有此字段"],
        "applicant": ["此项为必填项"],
        "id_number": ["身份证号校验位不正确，请核对后重新输入"],
        "days": ["最多保留1位小数", "不能小于0.5"],
        "kind": ["“annual”不是可选的选项"],
        "start": ["应为有效日期（格式 YYYY-MM-DD）"],
        "reason": ["长度不能少于2个字符"],
    }


def text(key="t", **extra):
    return {"type": "textfield", "key": key, **extra}


@pytest.mark.parametrize(
    ("component", "value", "messages"),
    [
        (text(), 12, ["应为文本"]),
        (text(), ["a"], ["应为文本"]),
        (text(), {"a": 1}, ["应为文本"]),
        (text(), True, ["应为文本"]),
        (text(), "a\x00b", ["含有不允许的控制字符"]),
        (text(), "长" * 2001, ["长度不能超过2000个字符"]),
        (text(validate={"required": True}), None, ["此项为必填项"]),
        (text(validate={"maxLength": 3}), "四个字符", ["长度不能超过3个字符"]),
        (text(validate={"minLength": 3}), " 两字 ", ["长度不能少于3个字符"]),
        (text(validate={"pattern": "^[0-9]+$"}), "12a", ["格式不正确"]),
        (
            text(validate={"pattern": "^[0-9]+$", "patternErrorMessage": "只能填数字"}),
            "12a",
            ["只能填数字"],
        ),
        (
            text(validate={"validationType": "email"}),
            "a@",
            ["请输入有效的电子邮箱地址"],
        ),
        (
            text(validate={"validationType": "phone"}),
            "13912345678",
            ["请输入有效的国际电话号码（如 +8613912345678）"],
        ),
        (
            text(properties={"egov:validator": "id_number"}),
            "11010119900307",
            ["身份证号应为18位"],
        ),
        (
            text(properties={"egov:validator": "uscc"}),
            VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1"),
            ["统一社会信用代码校验位不正确，请核对后重新输入"],
        ),
        (
            text(properties={"egov:validator": "mobile"}),
            "１３９１２３４５６７８",
            ["请输入11位中国大陆手机号码"],
        ),
        ({"type": "number", "key": "t"}, "5", ["应为数字"]),
        ({"type": "number", "key": "t"}, True, ["应为数字"]),
        ({"type": "number", "key": "t"}, float("inf"), ["应为数字"]),
        ({"type": "number", "key": "t"}, [1], ["应为数字"]),
        ({"type": "number", "key": "t"}, 10**15, ["数值超出允许范围"]),
        ({"type": "number", "key": "t", "decimalDigits": 0}, 1.5, ["应为整数"]),
        (
            {"type": "number", "key": "t", "increment": 0.5},
            1.2,
            ["请输入有效值，最接近的有效值为1和1.5"],
        ),
        ({"type": "number", "key": "t", "validate": {"max": 10}}, 11, ["不能大于10"]),
        (
            {"type": "number", "key": "t", "serializeToString": True},
            5,
            ["应为数字文本"],
        ),
        (
            {"type": "number", "key": "t", "serializeToString": True},
            "5e3",
            ["应为数字文本"],
        ),
        ({"type": "checkbox", "key": "t"}, "yes", ["应为是或否"]),
        ({"type": "checkbox", "key": "t"}, 1, ["应为是或否"]),
        (
            {"type": "checkbox", "key": "t", "validate": {"required": True}},
            False,
            ["请勾选此项"],
        ),
        (
            {"type": "select", "key": "t", "values": [{"label": "一", "value": "1"}]},
            1,
            ["“1”不是可选的选项"],
        ),
        (
            {"type": "radio", "key": "t", "values": [{"label": "一", "value": 1}]},
            True,
            ["“True”不是可选的选项"],
        ),
        (
            {"type": "select", "key": "t", "values": [{"label": "一", "value": "a"}]},
            ["a"],
            ["“['a']”不是可选的选项"],
        ),
        (
            {"type": "checklist", "key": "t", "values": [{"label": "A", "value": "a"}]},
            "a",
            ["应为选项列表"],
        ),
        (
            {
                "type": "checklist",
                "key": "t",
                "values": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
            },
            ["a", "a"],
            ["选项不能重复"],
        ),
        (
            {"type": "taglist", "key": "t", "values": [{"label": "A", "value": "a"}]},
            ["z"],
            ["“z”不是可选的选项"],
        ),
        (
            {
                "type": "checklist",
                "key": "t",
                "values": [{"label": "A", "value": "a"}],
                "validate": {"required": True},
            },
            [],
            ["此项为必填项"],
        ),
        ({"type": "datetime", "key": "t"}, 20260101, ["应为日期或时间文本"]),
        (
            {"type": "datetime", "key": "t"},
            "2026-1-5",
            ["应为有效日期（格式 YYYY-MM-DD）"],
        ),
        (
            {"type": "datetime", "key": "t", "subtype": "time"},
            "24:00",
            ["应为有效时间（格式 HH:MM）"],
        ),
        (
            {"type": "datetime", "key": "t", "subtype": "time"},
            "08:30Z",
            ["应为有效时间（格式 HH:MM）"],
        ),
        (
            {
                "type": "datetime",
                "key": "t",
                "subtype": "datetime",
                "timeSerializingFormat": "utc_offset",
            },
            "2026-03-02T08:30",
            ["应为有效日期时间（格式 YYYY-MM-DDTHH:MM）"],
        ),
    ],
)
def test_a_wrong_value_is_refused_with_a_chinese_message(component, value, messages):
    errors = errors_of(schema_of(component), {component["key"]: value})

    assert errors == {component["key"]: messages}


@pytest.mark.parametrize(
    ("component", "value"),
    [
        (text(properties={"egov:validator": "id_number"}), VALID_ID),
        (text(properties={"egov:validator": "uscc"}), VALID_USCC),
        (text(properties={"egov:validator": "mobile"}), "13912345678"),
        (text(validate={"validationType": "phone"}), "+8613912345678"),
        (text(validate={"validationType": "email"}), "wangwu@example.gov.cn"),
        ({"type": "number", "key": "t", "serializeToString": True}, "-12.50"),
        ({"type": "number", "key": "t", "increment": 0.5}, 2.5),
        ({"type": "datetime", "key": "t", "subtype": "time"}, "08:30"),
        (
            {
                "type": "datetime",
                "key": "t",
                "subtype": "time",
                "timeSerializingFormat": "utc_normalized",
            },
            "00:30Z",
        ),
        (
            {
                "type": "datetime",
                "key": "t",
                "subtype": "datetime",
                "timeSerializingFormat": "utc_offset",
            },
            "2026-03-02T08:30+08:00",
        ),
        ({"type": "checkbox", "key": "t"}, False),
        (
            {
                "type": "checklist",
                "key": "t",
                "values": [{"label": "A", "value": "a"}, {"label": "B", "value": 2}],
            },
            ["a", 2],
        ),
    ],
)
def test_a_right_value_is_kept_unchanged(component, value):
    assert clean_data(schema_of(component), {component["key"]: value}) == {
        component["key"]: value
    }


def test_a_date_before_today_is_refused_when_past_dates_are_disallowed():
    component = {"type": "datetime", "key": "t", "disallowPassedDates": True}
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    errors = errors_of(schema_of(component), {"t": yesterday})

    assert errors == {"t": ["不能选择今天之前的日期"]}
    today = timezone.localdate().isoformat()
    assert clean_data(schema_of(component), {"t": today}) == {"t": today}


def test_a_pattern_that_runs_too_long_counts_as_a_mismatch():
    component = text(validate={"pattern": "^(a|aa)+$"})

    errors = errors_of(schema_of(component), {"t": "a" * 1900 + "b"})

    assert errors == {"t": ["格式不正确"]}


@pytest.mark.parametrize("data", [[], "x", None, 3])
def test_data_that_is_not_an_object_is_refused(data):
    assert errors_of(leave_schema(), data) == {"": ["表单数据应为 JSON 对象"]}


GROUPED = schema_of(
    {
        "type": "group",
        "path": "company",
        "components": [
            {"type": "textfield", "key": "name", "validate": {"required": True}},
            {
                "type": "textfield",
                "key": "uscc",
                "properties": {"egov:validator": "uscc"},
            },
        ],
    },
    {
        "type": "dynamiclist",
        "path": "items",
        "components": [
            {"type": "textfield", "key": "item"},
            {"type": "number", "key": "qty", "validate": {"min": 1}},
        ],
    },
    {"type": "group", "components": [{"type": "textfield", "key": "flat"}]},
    {"type": "text", "text": "说明"},
)


def test_groups_nest_data_and_dynamic_lists_hold_a_list_of_objects():
    data = {
        "company": {"name": "示范公司", "uscc": VALID_USCC},
        "items": [{"item": "桌子", "qty": 2}, {"item": "椅子", "qty": 4}],
        "flat": "不在组内",
    }

    assert clean_data(GROUPED, data) == data


def test_errors_inside_groups_and_lists_name_the_full_data_path():
    data = {
        "company": {"name": "", "boss": "x"},
        "items": [{"item": "桌子", "qty": 0}, "椅子", {"colour": "红"}],
    }

    errors = errors_of(GROUPED, data)

    assert errors == {
        "company.boss": ["表单中没有此字段"],
        "company.name": ["此项为必填项"],
        "items.0.qty": ["不能小于1"],
        "items.1": ["应为对象"],
        "items.2.colour": ["表单中没有此字段"],
    }


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"company": "示范公司"}, {"company": ["应为对象"]}),
        ({"items": {"item": "桌子"}}, {"items": ["应为列表"]}),
        ({"items": [{}] * 501}, {"items": ["最多500项"]}),
    ],
)
def test_containers_of_the_wrong_shape_are_refused(data, errors):
    data.setdefault("company", {"name": "示范公司"})

    assert errors_of(GROUPED, data) == errors


def test_a_required_field_that_a_condition_may_hide_may_be_absent():
    schema = schema_of(
        {"type": "checkbox", "key": "married"},
        {
            "type": "textfield",
            "key": "spouse",
            "validate": {"required": True},
            "conditional": {"hide": "=not(married)"},
        },
    )

    assert clean_data(schema, {"married": False}) == {"married": False}
    assert errors_of(schema, {"married": True, "spouse": ""}) == {
        "spouse": ["此项为必填项"]
    }


# --- field modes -----------------------------------------------------------


STORED = dict(GOOD_LEAVE, approval_note="同意")


def test_read_only_and_hidden_fields_keep_their_stored_values_whatever_is_sent():
    modes = {"applicant": "readonly", "id_number": "hidden", "days": "readonly"}
    sent = dict(GOOD_LEAVE, applicant="冒名", id_number="", days=99, kind="personal")

    cleaned = clean_data(leave_schema(), sent, modes=modes, stored=STORED)

    assert cleaned["applicant"] == "王五"
    assert cleaned["id_number"] == VALID_ID
    assert cleaned["days"] == 2.5
    assert cleaned["kind"] == "personal"


def test_a_read_only_required_field_without_a_stored_value_is_not_demanded():
    modes = {"applicant": "readonly"}
    data = {k: v for k, v in GOOD_LEAVE.items() if k != "applicant"}

    cleaned = clean_data(leave_schema(), data, modes=modes, stored={})

    assert "applicant" not in cleaned


def test_a_mode_on_a_group_covers_every_field_inside_it():
    stored = {"company": {"name": "原公司", "uscc": VALID_USCC}, "items": []}
    sent = {"company": {"name": "改名公司", "uscc": "bad"}, "items": [{"qty": 5}]}

    cleaned = clean_data(
        GROUPED,
        sent,
        modes={"company": "readonly", "items.qty": "hidden"},
        stored=stored,
    )

    assert cleaned == {"company": stored["company"], "items": [{}]}


def test_a_component_marked_disabled_keeps_its_stored_value():
    schema = schema_of(text("locked", disabled=True), text("free"))

    cleaned = clean_data(
        schema, {"locked": "改", "free": "好"}, stored={"locked": "原"}
    )

    assert cleaned == {"locked": "原", "free": "好"}


def test_a_task_sees_no_hidden_field_and_read_only_ones_marked():
    modes = {"id_number": "hidden", "applicant": "readonly"}

    shown = schema_for_modes(leave_schema(), modes)
    data = data_for_modes(leave_schema(), STORED, modes)

    keys = [c["key"] for c in shown["components"]]
    assert "id_number" not in keys
    assert shown["components"][0]["readonly"] is True
    assert "id_number" not in data
    assert data["applicant"] == "王五"
    assert leave_schema()["components"][0].get("readonly") is None


def test_hidden_fields_inside_lists_are_removed_from_every_item():
    modes = {"items.qty": "hidden"}
    data = {"items": [{"item": "桌子", "qty": 2}, {"item": "椅子", "qty": 4}]}

    shown = data_for_modes(GROUPED, data, modes)
    schema = schema_for_modes(GROUPED, modes)

    assert shown == {"items": [{"item": "桌子"}, {"item": "椅子"}]}
    inner = [c["key"] for c in schema["components"][1]["components"]]
    assert inner == ["item"]


def test_unknown_modes_are_a_programming_error():
    with pytest.raises(ValueError):
        clean_data(leave_schema(), {}, modes={"applicant": "secret"})


# --- type confusion (hypothesis) -------------------------------------------


def _json(*, finite: bool):
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**20), max_value=10**20)
        | st.floats(allow_nan=not finite, allow_infinity=not finite)
        | st.text(max_size=30),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )


json_values = _json(finite=False)
# Stored submissions went through JSON, which has no NaN or infinity.
stored_json_values = _json(finite=True)

ALL_TYPES = schema_of(
    text("t", validate={"maxLength": 10, "pattern": "^[a-z]*$"}),
    {"type": "textarea", "key": "ta"},
    {"type": "number", "key": "n", "decimalDigits": 2, "increment": 0.25},
    {"type": "number", "key": "ns", "serializeToString": True},
    {"type": "datetime", "key": "d"},
    {"type": "datetime", "key": "dt", "subtype": "datetime"},
    {"type": "checkbox", "key": "c"},
    {"type": "select", "key": "s", "values": [{"label": "一", "value": "1"}]},
    {
        "type": "checklist",
        "key": "cl",
        "values": [{"label": "一", "value": 1}, {"label": "二", "value": "2"}],
    },
    text("id", properties={"egov:validator": "id_number"}),
    {
        "type": "dynamiclist",
        "path": "rows",
        "components": [{"type": "number", "key": "q"}],
    },
)
FIELD_NAMES = ["t", "ta", "n", "ns", "d", "dt", "c", "s", "cl", "id", "rows", "other"]

EXPECTED_TYPES = {
    "t": str,
    "ta": str,
    "n": (int, float),
    "ns": str,
    "d": str,
    "dt": str,
    "c": bool,
    "s": str,
    "cl": list,
    "id": str,
    "rows": list,
}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6))
def test_any_json_is_either_refused_cleanly_or_stored_with_the_right_types(data):
    try:
        cleaned = clean_data(ALL_TYPES, data)
    except FormDataInvalid as exc:
        assert exc.errors
        assert all(isinstance(m, str) and m for ms in exc.errors.values() for m in ms)
        return

    assert set(cleaned) <= set(EXPECTED_TYPES)
    for key, value in cleaned.items():
        if value is None or value == "":
            continue
        assert isinstance(value, EXPECTED_TYPES[key]), (key, value)
        assert not (isinstance(value, bool) and key != "c")
    assert clean_data(ALL_TYPES, cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(json_values, stored_json_values)
def test_read_only_fields_never_take_a_submitted_value(sent, stored_value):
    schema = schema_of(text("locked"), text("free"))

    try:
        cleaned = clean_data(
            schema,
            {"locked": sent},
            modes={"locked": "readonly"},
            stored={"locked": stored_value},
        )
    except FormDataInvalid:
        pytest.fail("a read-only field's value is never checked, only replaced")

    if stored_value is None:
        assert "locked" not in cleaned
    else:
        assert cleaned["locked"] == stored_value
