"""Registration of citizens and legal entities on the public face."""

import re

import pytest

from egov.core import sms
from egov.identity.models import User
from tests.identity import factories as f
from tests.identity.signin_helpers import (
    ZHANGSAN_ID,
    ZHANGSAN_PHONE,
    entries,
    page_text,
    sign_in,
    zhangsan,
)

pytestmark = pytest.mark.django_db

NEW_PHONE = "13999218888"
NEW_ID = f.id_number("19920815", seq=21)
NEW_USCC = f.uscc("91139921MA0000777")
PASSWORD = "Qinghe#2026"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _send(client, phone=NEW_PHONE, kind="citizen"):
    return client.post("/register/", {"kind": kind, "phone": phone, "action": "send"})


def _code() -> str:
    return re.search(r"验证码为(\d{6})", sms.outbox[-1][1]).group(1)


def _citizen(**overrides):
    data = {
        "kind": "citizen",
        "action": "register",
        "real_name": "陈晓",
        "id_number": NEW_ID,
        "phone": NEW_PHONE,
        "code": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


def _entity(**overrides):
    data = {
        "kind": "entity",
        "action": "register",
        "uscc": NEW_USCC,
        "name": "示范县清河食品有限公司",
        "legal_representative": "陈晓",
        "phone": NEW_PHONE,
        "code": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


def test_registration_page_shows_the_password_rules(client):
    response = client.get("/register/")

    text = page_text(response)
    assert response.status_code == 200
    assert "密码长度至少为8位" in text
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in text
    assert "我已阅读并同意《用户服务协议》和《隐私政策》" in text


def test_citizen_registers_with_id_number_and_verified_mobile(client):
    sent = _send(client)

    response = client.post("/register/", _citizen(code=_code()))

    assert "验证码已发送，5分钟内有效。" in page_text(sent)
    assert sms.outbox[0][1].startswith("【示范县人民政府】您正在注册账号，验证码为")
    assert response["Location"] == "/login/"
    user = User.objects.get(kind=User.Kind.CITIZEN)
    assert re.fullmatch(r"c\d{10}", user.username)
    assert (user.real_name, user.id_number, user.phone) == ("陈晓", NEW_ID, NEW_PHONE)
    assert NEW_ID not in user.id_number_encrypted
    assert user.password_changed_at is not None
    registered = entries("identity.register_citizen", outcome="success")
    assert registered[0].detail == {
        "id_number": NEW_ID[:4] + "**********" + NEW_ID[-4:],
        "phone": "139****8888",
    }
    notice = page_text(client.get("/login/"))
    assert "注册成功，请使用手机号或身份证号登录。" in notice


def test_registered_citizen_signs_in_with_phone_and_password(client):
    _send(client)
    client.post("/register/", _citizen(code=_code()))

    response = sign_in(client, NEW_PHONE, PASSWORD)

    assert response["Location"] == "/account/"


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "身份证号校验位不正确"),
        ("13992119920815", "身份证号应为18位"),
        ("13992119921315021X", "身份证号中的出生日期无效"),
        ("1399211992081502AB", "身份证号前17位应为数字，最后一位为数字或X"),
    ],
)
def test_malformed_id_number_is_refused_with_its_reason(client, id_number, message):
    _send(client)

    response = client.post("/register/", _citizen(id_number=id_number, code=_code()))

    assert response.status_code == 200
    assert message in page_text(response)
    assert not User.objects.exists()


def test_id_number_already_registered_is_refused(client):
    zhangsan()
    _send(client)

    response = client.post("/register/", _citizen(id_number=ZHANGSAN_ID, code=_code()))

    assert "该身份证号已注册，请直接登录" in page_text(response)
    assert User.objects.count() == 1
    refused = entries("identity.register_citizen", outcome="failed")
    assert refused[0].detail["code"] == "id_number_taken"


def test_mobile_already_registered_gets_no_code(client):
    zhangsan()

    response = _send(client, ZHANGSAN_PHONE)

    assert "该手机号已注册，请直接登录" in page_text(response)
    assert sms.outbox == []


def test_wrong_sms_code_is_refused_and_nothing_is_created(client):
    _send(client)
    wrong = f"{(int(_code()) + 1) % 1_000_000:06d}"

    response = client.post("/register/", _citizen(code=wrong))

    assert "验证码不正确，还可尝试4次" in page_text(response)
    assert not User.objects.exists()
    assert entries("identity.register_citizen", outcome="failed")[0].detail["code"] == (
        "sms_code_invalid"
    )


def test_code_sent_to_another_number_does_not_register_this_one(client):
    _send(client, "13999217777")

    response = client.post("/register/", _citizen(code=_code()))

    assert "验证码已过期或不存在，请重新获取" in page_text(response)
    assert not User.objects.exists()


def test_weak_password_is_refused_with_the_rule_it_breaks(client):
    _send(client)

    response = client.post(
        "/register/", _citizen(code=_code(), password1="abcdefgh", password2="abcdefgh")
    )

    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in page_text(response)
    assert not User.objects.exists()


def test_weak_password_does_not_use_up_the_code(client):
    _send(client)
    code = _code()
    client.post(
        "/register/", _citizen(code=code, password1="abcdefgh", password2="abcdefgh")
    )

    response = client.post("/register/", _citizen(code=code))

    assert response["Location"] == "/login/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "Other#2026"}, "两次输入的密码不一致"),
        ({"agree": ""}, "请阅读并同意用户服务协议和隐私政策"),
        ({"real_name": ""}, "请输入真实姓名"),
        ({"code": "12"}, "验证码为6位数字"),
        ({"code": ""}, "请输入短信验证码"),
    ],
)
def test_incomplete_form_gets_a_clear_message(client, overrides, message):
    response = client.post("/register/", _citizen(**overrides))

    assert message in page_text(response)
    assert not User.objects.exists()


def test_legal_entity_registers_with_its_credit_code(client):
    _send(client, kind="entity")

    response = client.post("/register/", _entity(code=_code()))

    assert response["Location"] == "/login/"
    user = User.objects.get(kind=User.Kind.ENTITY)
    assert (user.uscc, user.real_name, user.first_name) == (
        NEW_USCC,
        "示范县清河食品有限公司",
        "陈晓",
    )
    assert re.fullmatch(r"e\d{10}", user.username)
    assert sign_in(client, NEW_USCC, PASSWORD)["Location"] == "/account/"


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (NEW_USCC[:-1] + ("0" if NEW_USCC[-1] != "0" else "1"), "校验位不正确"),
        ("91139921MA00007", "统一社会信用代码应为18位"),
        ("91139921MA0000771I", "统一社会信用代码含有无效字符"),
    ],
)
def test_malformed_credit_code_is_refused(client, uscc, message):
    response = client.post("/register/", _entity(uscc=uscc, code="123456"))

    assert message in page_text(response)
    assert not User.objects.exists()


def test_credit_code_already_registered_is_refused(client):
    f.user(
        "e0000000009",
        "清河公司",
        kind=User.Kind.ENTITY,
        uscc_value=NEW_USCC,
    )
    _send(client, kind="entity")

    response = client.post("/register/", _entity(code=_code()))

    assert "该统一社会信用代码已注册，请直接登录" in page_text(response)


def test_signed_in_person_is_not_offered_registration(client):
    zhangsan()
    sign_in(client, ZHANGSAN_PHONE)

    response = client.get("/register/")

    assert response["Location"] == "/account/"


def test_entity_tab_shows_the_entity_fields(client):
    response = client.get("/register/?kind=entity")

    text = page_text(response)
    assert "统一社会信用代码" in text
    assert "法定代表人" in text
    assert 'name="id_number"' not in text
