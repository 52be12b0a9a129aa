"""Helpers shared by the sign-in tests: people, an authenticator app, the log."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit.models import AuditEntry
from egov.identity.models import User
from tests.identity import factories as f

PASSWORD = "Egov@2026pass"
ZHANGSAN_PHONE = "13999211001"
ZHANGSAN_ID = f.id_number("19850312", seq=1)
LISI_PHONE = "13999210009"


def lisi(**kwargs) -> User:
    """李四, the window clerk (staff)."""
    return f.user("lisi", "李四", phone_value=LISI_PHONE, **kwargs)


def zhangsan(**kwargs) -> User:
    """张三, a citizen with a mobile number and an ID number."""
    return f.user(
        "zhangsan",
        "张三",
        kind=User.Kind.CITIZEN,
        id_number_value=ZHANGSAN_ID,
        phone_value=ZHANGSAN_PHONE,
        **kwargs,
    )


def company(**kwargs) -> User:
    return f.user(
        "e0000000001",
        "示范县清河食品有限公司",
        kind=User.Kind.ENTITY,
        uscc_value=f.uscc("91139921MA0000001"),
        phone_value="13999213001",
        **kwargs,
    )


def authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator app for `user`, with ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    for index in range(10):
        StaticToken.objects.create(device=static, token=f"code{index:04d}")
    return device


def totp_code(device: TOTPDevice, steps: int = 0) -> str:
    """The code the app shows now (or `steps` periods from now)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, identifier: str, password: str = PASSWORD, **extra):
    return client.post(
        "/login/", {"identifier": identifier, "password": password}, **extra
    )


def entries(action: str, **filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("seq"))


def page_text(response) -> str:
    return response.content.decode()
