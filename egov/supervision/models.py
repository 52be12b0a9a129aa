"""电子监察: 好差评 (service ratings), their rectification (整改) and the
service windows a visit can be rated at.

A rating belongs to one concluded case (once per case) or to one visit at a
service window. 不满意 and 非常不满意 open a rectification for the responsible
department: call-backs (回访), a reply to the rater, closing; or an appeal
(申诉) against a malicious rating, which a supervisor upholds (the rating
leaves the statistics) or rejects (the rectification goes on).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# Levels that count as satisfied (好评) in the satisfaction rate, and those that
# open a rectification (差评).
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED)
UNSATISFIED_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

# Tags are stored as their Chinese text and translated when shown.
_GOOD_TAGS = (
    gettext_noop("办事效率高"),
    gettext_noop("服务态度好"),
    gettext_noop("材料要求清楚"),
    gettext_noop("一次办成"),
    gettext_noop("指引清晰"),
)
_FAIR_TAGS = (
    gettext_noop("等候时间较长"),
    gettext_noop("指引不够清楚"),
    gettext_noop("办理进度不透明"),
)
_BAD_TAGS = (
    gettext_noop("多次跑腿"),
    gettext_noop("材料要求不清"),
    gettext_noop("办理超时"),
    gettext_noop("服务态度差"),
    gettext_noop("推诿扯皮"),
    gettext_noop("系统操作不便"),
)
# The tags a rater may pick, per level.
TAGS = {
    Level.VERY_SATISFIED: _GOOD_TAGS,
    Level.SATISFIED: _GOOD_TAGS,
    Level.FAIRLY_SATISFIED: _FAIR_TAGS,
    Level.DISSATISFIED: _BAD_TAGS,
    Level.VERY_DISSATISFIED: _BAD_TAGS,
}
COMMENT_MAX_LENGTH = 500


class ServiceWindow(models.Model):
    """A counter in the service hall. Its code is printed as a QR code on the
    counter and opens the visit rating page; `staff` is who serves there now
    and is recorded on each visit rating."""

    code = models.SlugField(_("窗口编码"), max_length=32, unique=True)
    name = models.CharField(_("窗口名称"), max_length=100)
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("当班工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
    }

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ServiceRating(models.Model):
    """好差评: one applicant's rating of one concluded case or one window visit."""

    class Channel(models.TextChoices):
        WEB = "web", _("网上评价")
        PHONE = "phone", _("电话评价")
        WINDOW = "window", _("窗口评价")

    case = models.OneToOneField(
        "servicehall.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    window = models.ForeignKey(
        ServiceWindow,
        verbose_name=_("服务窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    # The responsible department: the case's implementing organization, or
    # the window's.
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "servicehall.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The applicant's account. A phone rating of a case entered at a window
    # for an applicant without an account has none: the case names them.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_ratings",
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.CharField(_("评价内容"), max_length=COMMENT_MAX_LENGTH, blank=True)
    tags = models.JSONField(_("评价标签"), default=list, blank=True)
    channel = models.CharField(
        _("评价渠道"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)
    # Set when a supervisor upholds the department's appeal: the rating stays
    # on record, marked, and leaves the statistics.
    excluded = models.BooleanField(_("不计入统计"), default=False)
    excluded_reason = models.CharField(_("不计入原因"), max_length=500, blank=True)
    # 电话评价 only: the 回访 staff who recorded it, when the applicant was
    # called, and that the applicant agreed to have it recorded for them.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    consented = models.BooleanField(_("申请人同意代为登记"), default=False)

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
        "owner": "staff",
    }

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5),
                name="supervision_rating_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(window__isnull=False),
                name="supervision_rating_of_case_or_window",
            ),
            # A phone rating says who recorded it, when the applicant was
            # called and that they consented; one given online or at a
            # window is the rater's own and carries none of that.
            models.CheckConstraint(
                condition=(
                    Q(
                        channel="phone",
                        recorded_by__isnull=False,
                        called_at__isnull=False,
                        consented=True,
                    )
                    | Q(
                        channel__in=["web", "window"],
                        rater__isnull=False,
                        recorded_by__isnull=True,
                        called_at__isnull=True,
                    )
                ),
                name="supervision_rating_phone_facts_or_rater",
            ),
        ]
        permissions = [("export_servicerating", _("导出好差评统计"))]

    def __str__(self):
        return f"{self.subject}: {self.get_level_display()}"

    @property
    def subject(self) -> str:
        if self.case_id is not None:
            return self.case.number or ""
        return str(self.window)

    @property
    def is_unsatisfied(self) -> bool:
        return self.level in UNSATISFIED_LEVELS

    @property
    def rater_name(self) -> str:
        """Who gave the rating: the rater's name, or for an applicant without
        an account the applicant named on the case."""
        if self.rater_id is not None:
            return self.rater.real_name or self.rater.username
        if self.case_id is not None:
            return self.case.applicant_name
        return ""


class Rectification(models.Model):
    """整改: the responsible department's answer to an unsatisfied rating.

    open (整改中) → closed (已办结) after at least one call-back and a reply to
    the rater; or open → appealing (申诉中) → excluded (申诉成立) when a
    supervisor upholds the appeal, or back to open when it is rejected.
    """

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        APPEALING = "appealing", _("申诉中")
        CLOSED = "closed", _("已办结")
        EXCLUDED = "excluded", _("申诉成立")

    class AppealDecision(models.TextChoices):
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    rating = models.OneToOneField(
        ServiceRating,
        verbose_name=_("评价"),
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("派单时间"))
    # The limit in working days when it was opened (the setting may change).
    limit_workdays = models.PositiveSmallIntegerField(_("整改时限（工作日）"))

    reply = models.TextField(_("整改答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_note = models.TextField(_("办结说明"), blank=True)

    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_decision = models.CharField(
        _("申诉审核结果"), max_length=10, choices=AppealDecision.choices, blank=True
    )
    appeal_note = models.TextField(_("审核意见"), blank=True)
    appeal_reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    appeal_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    data_scope_fields = {
        "organization": "organization",
        "region": "organization__region",
    }

    class Meta:
        verbose_name = _("整改工单")
        verbose_name_plural = _("整改工单")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "state", "-opened_at"], name="sv_rect_org"
            ),
        ]
        permissions = [
            ("handle_rectification", _("办理好差评整改")),
            ("review_appeal", _("审核差评申诉")),
        ]

    def __str__(self):
        return str(_("整改工单 %(id)s") % {"id": self.pk})


class CallBack(models.Model):
    """回访记录: when the department called the rater, whom it reached, and
    what was said."""

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("整改工单"),
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    called_at = models.DateTimeField(_("回访时间"))
    contact = models.CharField(_("回访对象"), max_length=100)
    content = models.TextField(_("回访内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["rectification", "called_at", "id"]

    def __str__(self):
        return f"{self.rectification}: {self.called_at:%Y-%m-%d %H:%M}"
