"""Regions, organizations, posts, roles and users: who is who, and who may see what."""

import uuid

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from egov.core import crypto
from egov.core.models import TimeStampedModel
from egov.core.prepared import Prepared, Slot
from egov.core.validators import mask_id_number, mask_phone, validate_uscc


class Region(models.Model):
    """An administrative division (GB/T 2260 code; 9 digits for a township)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡镇级")
        VILLAGE = "village", _("村级")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # Materialized path of codes, "/130000/130100/130102/", for subtree queries.
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Organization(TimeStampedModel):
    """A government body or department, in a tree under a region."""

    class Kind(models.TextChoices):
        PARTY = "party", _("党委")
        GOVERNMENT = "government", _("政府")
        DEPARTMENT = "department", _("部门")
        TOWNSHIP = "township", _("乡镇")
        INSTITUTION = "institution", _("事业单位")
        OTHER = "other", _("其他")

    code = models.CharField(_("机构代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    sort_order = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # Materialized path of ids, "/1/4/17/", for subtree queries.
    path = models.CharField(max_length=255, db_index=True, editable=False)

    # How rows relate to data scopes (see egov.identity.queries.visible).
    data_scope_fields = {"organization": "id", "region": "region"}

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path", "sort_order"]
        permissions = [
            ("import_organization", _("导入机构")),
            ("export_organization", _("导出机构")),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Post(models.Model):
    """A seat in an organization (窗口受理岗, 科长…); users hold posts."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    code = models.CharField(_("岗位代码"), max_length=64)
    name = models.CharField(_("岗位名称"), max_length=100)
    is_head = models.BooleanField(
        _("负责人岗位"), default=False, help_text=_("该岗位的人员为机构负责人")
    )
    sort_order = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
    }

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["organization", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="post_code_unique_in_org"
            )
        ]

    def __str__(self):
        return f"{self.organization.name} · {self.name}"


class Role(models.Model):
    """A named permission set with a data scope."""

    class DataScope(models.TextChoices):
        SELF = "self", _("仅本人")
        ORGANIZATION = "organization", _("本机构")
        ORGANIZATION_SUBTREE = "organization_subtree", _("本机构及下级")
        REGION_SUBTREE = "region_subtree", _("本区划及下级")
        ALL = "all", _("全部")

    code = models.CharField(_("角色代码"), max_length=64, unique=True)
    name = models.CharField(_("角色名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("权限"), blank=True, related_name="+"
    )
    data_scope = models.CharField(
        _("数据范围"), max_length=24, choices=DataScope.choices, default=DataScope.SELF
    )
    is_builtin = models.BooleanField(_("内置角色"), default=False, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in: staff, a citizen, or a legal entity."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("工作人员")
        CITIZEN = "citizen", _("自然人")
        ENTITY = "entity", _("法人")

    kind = models.CharField(_("用户类型"), max_length=10, choices=Kind.choices)
    # The `sub` other systems know the person by: random, so it neither reveals
    # how many accounts exist nor changes when rows are renumbered.
    subject_id = models.UUIDField(
        _("单点登录标识"), default=uuid.uuid4, unique=True, editable=False
    )
    real_name = models.CharField(_("姓名/名称"), max_length=100)
    id_number_encrypted = models.TextField(_("身份证号（密文）"), blank=True)
    id_number_index = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone_encrypted = models.TextField(_("手机号（密文）"), blank=True)
    phone_index = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        db_index=True,
    )
    roles = models.ManyToManyField(
        Role, verbose_name=_("角色"), blank=True, related_name="users"
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("演示账号"), default=False, help_text=_("演示环境可放宽其双因素认证")
    )

    REQUIRED_FIELDS = ["real_name", "kind"]

    # A user belongs to the organizations of the posts they hold.
    data_scope_fields = {
        "organization": "post_assignments__post__organization",
        "owner": "id",
    }

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [
            ("view_personal_data", _("查看完整个人信息")),
            ("assign_role", _("分配角色")),
            ("import_user", _("导入用户")),
            ("export_user", _("导出用户")),
            ("manage_security", _("管理安全设置")),
        ]

    def __str__(self):
        return self.real_name or self.username

    # Personal data is stored encrypted; these give the clear and masked forms.
    @property
    def id_number(self) -> str:
        return crypto.decrypt_text(self.id_number_encrypted)

    @id_number.setter
    def id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.id_number_encrypted = crypto.encrypt_text(value)
        self.id_number_index = crypto.blind_index(value) if value else None

    @property
    def phone(self) -> str:
        return crypto.decrypt_text(self.phone_encrypted)

    @phone.setter
    def phone(self, value: str) -> None:
        value = (value or "").strip()
        self.phone_encrypted = crypto.encrypt_text(value)
        self.phone_index = crypto.blind_index(value) if value else None

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @cached_property
    def primary_assignment(self):
        # Every audited action asks for it: a lookup compiled once.
        if self.pk is None:
            return None
        found = _primary_assignment_of(self.pk)
        return found[0] if found else None

    @property
    def primary_organization(self):
        assignment = self.primary_assignment
        return assignment.post.organization if assignment else None


_USER = Slot()
_primary_assignment_of = Prepared(
    lambda user: (
        PostAssignment.objects.filter(user_id=user)
        .select_related("post__organization")
        .order_by("-is_primary", "id")[:1]
    ),
    _USER,
)


class PostAssignment(models.Model):
    """A user holding a post; one of a user's posts is the primary one."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="post_assignments"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="holders"
    )
    is_primary = models.BooleanField(_("主岗"), default=False)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="post_held_once"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_primary=True),
                name="one_primary_post",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.post}"


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so the last N cannot be reused."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a user, so it can be listed and ended."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self):
        return f"{self.user} @ {self.ip or '-'}"


class ApplicationPolicy(models.Model):
    """The platform's rules for one single sign-on application (接入应用).

    django-oauth-toolkit's Application has no place for them. An application
    without a row (made outside 系统管理 → 接入应用) counts as active with every
    scope; egov.identity.actions.sso reads and writes these rows.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("接入应用"),
        on_delete=models.CASCADE,
        related_name="egov_policy",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # Scope names from settings.OAUTH2_PROVIDER["SCOPES"]; openid is always in.
    allowed_scopes = models.JSONField(_("允许的授权范围"), default=list)
    description = models.TextField(_("说明"), blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("主管单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接入应用策略")
        verbose_name_plural = _("接入应用策略")

    def __str__(self):
        return str(self.application)
