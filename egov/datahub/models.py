"""The data centre (数据中心): for now its electronic licence library (电子证照库).

An ELicense is the certificate a case results in when its item issues one.
What the licence says (its number, type, holder, printed fields, issuer and
validity) is signed with the platform's SM2 key over a canonical form
(docs/adr/0011-electronic-licences.md), so anyone holding its QR code can check
that the library still holds what was issued. Revocation is a later state
change, recorded on the row and in the audit log, outside the signature.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core import crypto
from egov.core.validators import mask_id_number


def mask_name(name: str, *, entity: bool = False) -> str:
    """A name with most of it starred: 张三 → 张*, 欧阳娜娜 → 欧***;
    示范县味道餐饮有限公司 → 示范*******公司."""
    name = (name or "").strip()
    if not name:
        return ""
    if entity and len(name) > 4:
        return name[:2] + "*" * (len(name) - 4) + name[-2:]
    if len(name) == 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


class ELicense(models.Model):
    """One electronic licence (电子证照), issued from one approved case."""

    class State(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已注销")

    class HolderKind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人")
        ENTITY = "entity", _("法人")

    # Random and URL-safe: the verification URL in the QR code carries it, so
    # nobody can walk the library by counting.
    code = models.CharField(_("核验码"), max_length=32, unique=True)
    number = models.CharField(_("证照编号"), max_length=64, unique=True)
    licence_type = models.CharField(_("证照类型"), max_length=100, db_index=True)
    holder_kind = models.CharField(
        _("持证主体类型"), max_length=12, choices=HolderKind.choices
    )
    holder_name = models.CharField(_("持证主体"), max_length=200)
    # 身份证号 of a person, 统一社会信用代码 of an entity, encrypted like the
    # user's own.
    holder_id_encrypted = models.TextField(_("证件号码（密文）"), blank=True)
    holder_id_index = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    # {"item_name", "item_code", "fields": [[label, value], ...]}: what the
    # licence prints, as text, in order.
    data = models.JSONField(_("证照内容"), default=dict)
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The issuer's name as printed when issued (an organization may be renamed).
    issuer_name = models.CharField(_("发证机关"), max_length=200)
    issued_at = models.DateTimeField(_("发证时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("有效期起"))
    # Empty for a licence valid without end (长期有效).
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    case = models.ForeignKey(
        "servicehall.Case",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.VALID
    )
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("注销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("注销原因"), max_length=500, blank=True)
    # SM3 of the canonical form (hex) and the SM2 signature over it (DER, hex),
    # with the id of the key that signed (the first 16 hex characters of the
    # SM3 digest of its public key).
    digest = models.CharField(_("摘要（SM3）"), max_length=64)
    signature = models.CharField(_("签名（SM2）"), max_length=160)
    key_id = models.CharField(_("签名密钥标识"), max_length=16)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
        "owner": "issued_by",
    }

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "state", "-issued_at"], name="dh_lic_org"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state="valid"),
                name="datahub_one_valid_licence_per_case",
            ),
            models.CheckConstraint(
                condition=Q(state="valid") | Q(revoked_at__isnull=False),
                name="datahub_revoked_licence_has_date",
            ),
        ]
        permissions = [("revoke_elicense", _("注销电子证照"))]

    def __str__(self):
        return f"{self.licence_type} {self.number}"

    @property
    def audit_id(self) -> str:
        return self.number

    @property
    def holder_id(self) -> str:
        return crypto.decrypt_text(self.holder_id_encrypted)

    @holder_id.setter
    def holder_id(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.holder_id_encrypted = crypto.encrypt_text(value)
        self.holder_id_index = crypto.blind_index(value) if value else ""

    @property
    def holder_id_masked(self) -> str:
        value = self.holder_id
        if self.holder_kind == self.HolderKind.ENTITY:
            return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]
        return mask_id_number(value)

    @property
    def holder_name_masked(self) -> str:
        return mask_name(
            self.holder_name, entity=self.holder_kind == self.HolderKind.ENTITY
        )

    @property
    def is_revoked(self) -> bool:
        return self.state == self.State.REVOKED

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def fields(self) -> list:
        return list((self.data or {}).get("fields") or [])


class LicenceSequence(models.Model):
    """The last number handed out for one licence type in one year; locked
    while a number is taken, so numbers are unique and without gaps."""

    licence_type = models.CharField(_("证照类型"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("证照编号序列")
        verbose_name_plural = _("证照编号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "year"], name="datahub_licence_sequence"
            )
        ]

    def __str__(self):
        return f"{self.licence_type} {self.year}: {self.last}"
