"""The online service hall: the item catalog (事项库) and its cases (办件).

Catalog shape (docs/adr/0009-item-catalog.md): a ServiceItem is the stable
identity of one item, its national code and implementing organization; every
change to what the public reads is a new ServiceItemVersion, reviewed before it
is published. At most one version of an item is published at a time, and a
published version is never edited again, so a case that points at the version
it was applied under keeps exactly the rules it was applied under.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from egov.core import crypto
from egov.core.models import StoredFile, TimeUnit
from egov.core.timelimits import Limit
from egov.core.validators import mask_id_number, mask_phone


def _limit_display(limit: Limit) -> str:
    # A limit of nought is an item settled on the spot (即办件).
    return str(_("即办")) if limit.amount == 0 else str(limit)


class Audience(models.TextChoices):
    """Who an item (or one of its materials) is for: 个人 or 法人."""

    INDIVIDUAL = "individual", _("个人")
    ENTITY = "entity", _("法人")


class AudienceMixin(models.Model):
    for_individuals = models.BooleanField(_("面向个人"), default=True)
    for_entities = models.BooleanField(_("面向法人"), default=False)

    class Meta:
        abstract = True

    @property
    def audiences(self) -> list[str]:
        return [
            code
            for code, flag in (
                (Audience.INDIVIDUAL, self.for_individuals),
                (Audience.ENTITY, self.for_entities),
            )
            if flag
        ]

    @property
    def audience_display(self) -> str:
        return "、".join(str(Audience(code).label) for code in self.audiences)


class Theme(AudienceMixin):
    """A theme (社会救助, 工程建设…) or a life event (出生, 就业, 开办企业…)
    under which the public catalog groups items."""

    class Kind(models.TextChoices):
        THEME = "theme", _("主题")
        LIFE_EVENT = "life_event", _("生命周期")

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    icon = models.CharField(
        _("图标"), max_length=40, default="grid", help_text=_("bootstrap-icons 名称")
    )
    sort_order = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def audit_id(self) -> str:
        return self.code


class ServiceItem(models.Model):
    """One item of the catalog: its code and implementing organization.

    Everything else lives on its versions. The code and the organization can
    change only until a version has been published: after that, the public,
    and cases, know the item by them.
    """

    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("实施机构"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
        "owner": "created_by",
    }

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        permissions = [
            ("review_serviceitem", _("审核发布事项")),
            ("retire_serviceitem", _("废止事项")),
            ("import_serviceitem", _("导入事项")),
            ("export_serviceitem", _("导出事项")),
        ]

    def __str__(self):
        return self.code

    @property
    def audit_id(self) -> str:
        return self.code


class ServiceItemVersion(AudienceMixin):
    """One version of an item's content: what the 办事指南 shows.

    draft → in_review → published → superseded (by the next published version)
    or retired (the item is withdrawn). A rejected version goes back to draft
    with the reviewer's reason. Only a draft is ever edited.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待审核")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本替代")
        RETIRED = "retired", _("已废止")

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        CONFIRMATION = "confirmation", _("行政确认")
        BENEFIT = "benefit", _("行政给付")
        REWARD = "reward", _("行政奖励")
        ADJUDICATION = "adjudication", _("行政裁决")
        OTHER_POWER = "other_power", _("其他行政权力")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)
    # Versions that have been in force at some time, i.e. a case may use them.
    EFFECTIVE_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED, Status.RETIRED)

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The newest version of its item (the one the administration list shows).
    is_latest = models.BooleanField(_("最新版本"), default=True)

    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=16, choices=Kind.choices)
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"))
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限"))
    statutory_limit_unit = models.CharField(
        _("法定时限单位"),
        max_length=8,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKDAYS,
    )
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限"))
    promised_limit_unit = models.CharField(
        _("承诺时限单位"),
        max_length=8,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKDAYS,
    )
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_fen = models.PositiveIntegerField(_("收费标准（分）"), default=0)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    hall_address = models.CharField(_("办理地点"), max_length=300)
    office_hours = models.CharField(_("办理时间"), max_length=200)
    max_visits = models.PositiveSmallIntegerField(_("最多跑动次数"), default=1)
    consultation_phone = models.CharField(_("咨询电话"), max_length=30)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=30)
    online = models.BooleanField(_("网上可办"), default=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("主题与生命周期"), blank=True, related_name="versions"
    )
    # The workflow process and the application form, by key: an application
    # runs on the newest deployed process and published form at the time it
    # is made, and records which versions those were.
    process_key = models.CharField(_("办理流程编码"), max_length=64, blank=True)
    form_key = models.CharField(_("申请表单标识"), max_length=64, blank=True)
    issues_licence = models.BooleanField(_("出具电子证照"), default=False)
    licence_type = models.CharField(_("证照类型"), max_length=100, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=500, blank=True)

    effective_from = models.DateTimeField(_("生效时间"), null=True, blank=True)
    effective_to = models.DateTimeField(_("失效时间"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("废止人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retire_reason = models.CharField(_("废止理由"), max_length=500, blank=True)

    data_scope_fields = {
        "organization": "item__organization",
        "region": "item__organization__region",
        "owner": "created_by",
    }

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item__code", "-number"]
        indexes = [
            models.Index(fields=["status", "is_latest"], name="sh_version_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="servicehall_version_number"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(is_latest=True),
                name="servicehall_one_latest_version",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="published"),
                name="servicehall_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["draft", "in_review"]),
                name="servicehall_one_open_version",
            ),
            models.CheckConstraint(
                condition=Q(for_individuals=True) | Q(for_entities=True),
                name="servicehall_version_has_audience",
            ),
            models.CheckConstraint(
                condition=(Q(charges_fee=True, fee_fen__gt=0))
                | Q(charges_fee=False, fee_fen=0),
                name="servicehall_version_fee_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(promised_limit_unit=F("statutory_limit_unit"))
                | Q(promised_limit__lte=F("statutory_limit")),
                name="servicehall_promise_within_statute",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.item.code} v{self.number}）"

    @property
    def audit_id(self) -> str:
        return f"{self.item.code}:v{self.number}"

    @property
    def statutory(self) -> Limit:
        return Limit(self.statutory_limit, self.statutory_limit_unit)

    @property
    def promised(self) -> Limit:
        return Limit(self.promised_limit, self.promised_limit_unit)

    @property
    def statutory_display(self) -> str:
        return _limit_display(self.statutory)

    @property
    def promised_display(self) -> str:
        return _limit_display(self.promised)

    @property
    def visits_display(self) -> str:
        if self.max_visits == 0:
            return str(_("零跑动"))
        if self.max_visits == 1:
            return str(_("最多跑一次"))
        return str(_("最多跑%(n)d次") % {"n": self.max_visits})

    @property
    def fee_yuan(self) -> Decimal:
        return Decimal(self.fee_fen) / 100

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RequiredMaterial(AudienceMixin):
    """A document the applicant hands in for one version of an item."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件和复印件")

    version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    name = models.CharField(_("材料名称"), max_length=200)
    is_required = models.BooleanField(_("必要材料"), default=True)
    form = models.CharField(
        _("材料形式"), max_length=8, choices=Form.choices, default=Form.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    note = models.CharField(_("填报须知"), max_length=500, blank=True)
    # Files are immutable once stored, so versions share them freely.
    template_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("空白表格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    example_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("示例样表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort_order = models.IntegerField(_("排序"), default=0)

    data_scope_fields = {
        "organization": "version__item__organization",
        "region": "version__item__organization__region",
    }

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_individuals=True) | Q(for_entities=True),
                name="servicehall_material_has_audience",
            ),
            models.CheckConstraint(
                condition=Q(copies__gte=1), name="servicehall_material_copies"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def form_display(self) -> str:
        return _("%(form)s %(n)d份") % {
            "form": self.get_form_display(),
            "n": self.copies,
        }


# --- cases (办件) ---------------------------------------------------------------


class Case(models.Model):
    """One application for one item, from the first draft to its result.

    draft → submitted (待受理) → correction (待补正, back to submitted when the
    applicant resubmits) or refused (不予受理) or accepted (办理中) → suspended
    (中止: hearings, inspections, expert review; the clock stops) ↔ accepted →
    approved (准予) / denied (不予). The applicant may withdraw before a
    decision. The case keeps the item version it was applied under.

    Personal data of the applicant is copied onto the case when it is
    submitted (the record must not change when the account does later) and
    stored encrypted, like the user's own.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待受理")
        CORRECTION = "correction", _("待补正")
        REFUSED = "refused", _("不予受理")
        ACCEPTED = "accepted", _("办理中")
        SUSPENDED = "suspended", _("中止")
        APPROVED = "approved", _("准予")
        DENIED = "denied", _("不予许可")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        WINDOW = "window", _("窗口申请")

    # States in which the case has its result (办结).
    CONCLUDED = (State.REFUSED, State.APPROVED, State.DENIED, State.WITHDRAWN)
    # States in which the applicant may still edit the application.
    EDITABLE = (State.DRAFT, State.CORRECTION)

    number = models.CharField(
        _("办件编号"), max_length=32, unique=True, null=True, blank=True
    )
    lookup_code = models.CharField(_("查询码"), max_length=8, blank=True)
    # Makes creating a draft idempotent: a repeated "apply" request carrying
    # the same token finds the draft it made the first time.
    client_token = models.UUIDField(_("请求标识"), unique=True, null=True, blank=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    item_version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("实施机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.DRAFT
    )
    channel = models.CharField(
        _("申请渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    # The account that applied; empty for an applicant without an account
    # whose application a window clerk entered.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=12, choices=Audience.choices
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    # 身份证号 of a person, 统一社会信用代码 of an entity.
    applicant_id_encrypted = models.TextField(_("证件号码（密文）"), blank=True)
    applicant_id_index = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone_encrypted = models.TextField(_("联系电话（密文）"), blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process_instance = models.OneToOneField(
        "workflow.ProcessInstance",
        verbose_name=_("审批流程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decision_number = models.CharField(_("决定文号"), max_length=64, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
        "owner": "accepted_by",
    }

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="sh_case_applicant"),
            models.Index(fields=["state", "submitted_at"], name="sh_case_state"),
            models.Index(
                fields=["organization", "state", "-submitted_at"], name="sh_case_org"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(number__isnull=False),
                name="servicehall_case_number_once_submitted",
            ),
        ]
        permissions = [
            ("accept_case", _("受理办件")),
            ("decide_case", _("作出办件决定")),
            ("enter_case", _("窗口代录办件")),
            ("extend_case", _("批准办件延期")),
            ("suspend_case", _("中止办件")),
        ]

    def __str__(self):
        return self.number or str(_("草稿 %(id)s") % {"id": self.pk})

    @property
    def audit_id(self) -> str:
        return self.number or f"draft:{self.pk}"

    @property
    def applicant_id_number(self) -> str:
        return crypto.decrypt_text(self.applicant_id_encrypted)

    @applicant_id_number.setter
    def applicant_id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.applicant_id_encrypted = crypto.encrypt_text(value)
        self.applicant_id_index = crypto.blind_index(value) if value else ""

    @property
    def applicant_id_masked(self) -> str:
        value = self.applicant_id_number
        if self.applicant_kind == Audience.ENTITY:
            return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]
        return mask_id_number(value)

    @property
    def contact_phone(self) -> str:
        return crypto.decrypt_text(self.contact_phone_encrypted)

    @contact_phone.setter
    def contact_phone(self, value: str) -> None:
        self.contact_phone_encrypted = crypto.encrypt_text((value or "").strip())

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_concluded(self) -> bool:
        return self.state in self.CONCLUDED

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE


class CaseSequence(models.Model):
    """The last case number handed out on one day; the row is locked while a
    number is taken, so numbers are unique and without gaps per day."""

    day = models.DateField(_("日期"), unique=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("办件编号序列")
        verbose_name_plural = _("办件编号序列")

    def __str__(self):
        return f"{self.day}: {self.last}"


class CaseMaterial(models.Model):
    """One uploaded file for one required material of a case.

    A correction round replaces a material by adding a new row and marking
    the old one superseded: what was submitted when stays on record.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    requirement = models.ForeignKey(
        RequiredMaterial,
        verbose_name=_("材料要求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.ForeignKey(
        StoredFile, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    is_current = models.BooleanField(_("当前有效"), default=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "requirement__sort_order", "id"]

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """One line of a case's timeline, written by the action that caused it.

    `public_note` is what the public progress lookup may show (no personal
    data); `note` is for the applicant and staff.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("创建草稿")
        SUBMITTED = "submitted", _("提交申请")
        ENTERED = "entered", _("窗口收件")
        CORRECTION = "correction", _("一次性告知补正")
        RESUBMITTED = "resubmitted", _("补正后重新提交")
        REFUSED = "refused", _("不予受理")
        ACCEPTED = "accepted", _("受理")
        REVIEWED = "reviewed", _("审查")
        EXTENDED = "extended", _("延期")
        SUSPENDED = "suspended", _("中止")
        RESUMED = "resumed", _("恢复")
        APPROVED = "approved", _("准予")
        DENIED = "denied", _("不予许可")
        WITHDRAWN = "withdrawn", _("撤回")
        LICENCE = "licence", _("出具电子证照")
        RATED = "rated", _("评价")
        NOTE = "note", _("备注")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("环节"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organization acting, shown to the public instead of a person.
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("办理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)
    public_note = models.CharField(_("公开说明"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件过程")
        verbose_name_plural = _("办件过程")
        ordering = ["case", "at", "id"]

    def __str__(self):
        return f"{self.case}: {self.get_kind_display()}"


class CorrectionRequest(models.Model):
    """补正: everything missing or wrong, listed at once (一次性告知)."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    # [{"material": <RequiredMaterial id or null>, "name": ..., "reason": ...}]
    items = models.JSONField(_("补正内容"), default=list)
    note = models.TextField(_("补正说明"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("告知时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "-requested_at"]

    def __str__(self):
        return f"{self.case}: {self.requested_at:%Y-%m-%d}"


class CaseInstrument(models.Model):
    """An instrument (文书) issued on a case: the DOCX generated from the
    active template and its PDF, with the instrument's own number."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance_notice", _("受理通知书")
        REFUSAL = "refusal_notice", _("不予受理通知书")
        CORRECTION = "correction_notice", _("补正材料通知书")
        APPROVAL = "approval_decision", _("准予行政许可决定书")
        DENIAL = "denial_decision", _("不予行政许可决定书")
        EXTENSION = "extension_notice", _("延期通知书")

    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="instruments",
    )
    kind = models.CharField(_("文书类型"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=64, unique=True)
    file_docx = models.ForeignKey(
        StoredFile,
        verbose_name=_("DOCX 文件"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_pdf = models.ForeignKey(
        StoredFile,
        verbose_name=_("PDF 文件"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("办件文书")
        verbose_name_plural = _("办件文书")
        ordering = ["case", "created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def audit_id(self) -> str:
        return self.number


class ExtensionRequest(models.Model):
    """延期: someone handling the case asks, a 负责人 approves or refuses; an
    approved request points at the Extension row that moves the deadline."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    amount = models.PositiveSmallIntegerField(_("延长期限"))
    unit = models.CharField(
        _("单位"), max_length=8, choices=TimeUnit.choices, default=TimeUnit.WORKDAYS
    )
    reason = models.CharField(_("延期理由"), max_length=500)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    extension = models.ForeignKey(
        "core.Extension",
        verbose_name=_("延期记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case", "-requested_at", "-id"]
        constraints = [
            # One open request per case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state="pending"),
                name="servicehall_one_pending_extension",
            ),
        ]

    def __str__(self):
        return f"{self.case}: {self.amount} {self.get_unit_display()}"

    @property
    def audit_id(self) -> str:
        return f"{self.case.audit_id}:extension:{self.pk}"
