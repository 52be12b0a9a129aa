"""Signing up and signing in, in a real browser."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core import sms
from tests.identity import factories as f
from tests.identity.signin_helpers import PASSWORD, lisi, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_citizen_registers_and_signs_in_with_phone_and_password(phone_page):
    page = phone_page
    page.goto("/register/")

    page.get_by_label("真实姓名").fill("陈晓")
    page.get_by_label("身份证号").fill(f.id_number("19920815", seq=31))
    page.get_by_label("手机号码").fill("13999218801")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送，5分钟内有效。").wait_for()
    code = re.search(r"验证码为(\d{6})", sms.outbox[-1][1]).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("设置密码").fill("Qinghe#2026")
    page.get_by_label("确认密码").fill("Qinghe#2026")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="注册", exact=True).click()

    page.get_by_text("注册成功，请使用手机号或身份证号登录。").wait_for()
    page.get_by_label("账号 / 手机号 / 身份证号 / 统一社会信用代码").fill("13999218801")
    page.get_by_label("密码", exact=True).fill("Qinghe#2026")
    page.get_by_role("button", name="登录", exact=True).click()

    page.get_by_role("heading", name="个人中心").wait_for()
    assert page.url.endswith("/account/")
    assert page.locator(".egov-masked-phone").inner_text() == "139****8801"


def test_staff_signs_in_enrolls_an_authenticator_and_reaches_the_workbench(page):
    lisi()
    page.goto("/staff/")

    page.get_by_label("账号 / 手机号 / 身份证号 / 统一社会信用代码").fill("lisi")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("工作人员须启用双因素认证，请先绑定动态口令。").first.wait_for()
    page.get_by_role("button", name="绑定动态口令").click()

    assert page.locator("img.egov-totp-qr").is_visible()
    secret = page.locator(".egov-totp-secret").inner_text()
    device = TOTPDevice.objects.get(user__username="lisi", confirmed=False)
    page.get_by_label("验证器应用显示的6位动态口令").fill(totp_code(device))
    page.get_by_role("button", name="完成绑定").click()

    page.get_by_role("heading", name="恢复码").wait_for()
    assert page.locator(".egov-recovery-codes li").count() == 10
    page.get_by_role("button", name="我已妥善保存，继续").click()

    page.get_by_role("heading", name="我的工作台").wait_for()
    assert page.url.endswith("/staff/")
    assert len(secret.replace(" ", "")) == 32


def test_wrong_password_shows_the_message(page):
    lisi()
    page.goto("/login/")

    page.get_by_label("账号 / 手机号 / 身份证号 / 统一社会信用代码").fill("lisi")
    page.get_by_label("密码", exact=True).fill("Wrong#2026x")
    page.get_by_role("button", name="登录", exact=True).click()

    assert page.get_by_role("alert").inner_text().strip() == "账号或密码不正确"
    assert page.url.endswith("/login/")
