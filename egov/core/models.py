"""Base model pieces shared by every app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class StoredFile(models.Model):
    """An uploaded file that passed the checks in egov.core.files.

    The bytes live under settings.EGOV_UPLOAD_ROOT, outside anything the web
    server publishes, at `storage_name`, a random path that says nothing about
    the file. They are read only through egov.core.files after the caller's own
    permission check; `token` is the random identifier a URL may carry.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPG"
        PNG = "png", "PNG"
        GIF = "gif", "GIF"
        DOCX = "docx", "DOCX"
        XLSX = "xlsx", "XLSX"
        OFD = "ofd", "OFD"

    token = models.CharField(_("标识"), max_length=32, unique=True, editable=False)
    storage_name = models.CharField(
        _("存储路径"), max_length=100, unique=True, editable=False
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    kind = models.CharField(_("文件类型"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("内容类型"), max_length=100)
    sm3 = models.CharField(_("SM3摘要"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name

    @property
    def audit_id(self) -> str:
        return self.token


class TimeUnit(models.TextChoices):
    """The unit a time limit (or its extension) is counted in."""

    WORKDAYS = "workdays", _("工作日")
    DAYS = "days", _("自然日")
    HOURS = "hours", _("小时")


class CalendarYear(models.Model):
    """A year whose official holiday notice (国务院办公厅关于某年部分节假日安排的通知)
    has been entered. Such a year counts as covered even when chinesecalendar
    lacks it; its holidays and make-up days are the CalendarDay rows it owns."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    document = models.CharField(_("通知文号"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return _("%(year)d年节假日安排") % {"year": self.year}

    @property
    def audit_id(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day of the admin-editable working calendar. It wins over
    chinesecalendar for its date: a holiday (休息日) on a weekday, or a make-up
    working day (调休上班日) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("安排"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Set when the day came with a year's notice; withdrawing the notice
    # removes its days. Days added one by one have no notice.
    notice = models.ForeignKey(
        CalendarYear,
        verbose_name=_("所属年度通知"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}"

    @property
    def audit_id(self) -> str:
        return self.date.isoformat()


class ClockStop(models.Model):
    """A period during which a time limit does not run (补正, 听证, 挂起…).

    `subject` is the key of whatever carries the limit, made by
    egov.core.timelimits.subject_key (e.g. "servicehall.case:42"), so every
    domain records its stops here without a table of its own. An open stop
    (no `ended_at`) means the clock is paused now; a subject has at most one.
    """

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", _("挂起")
        CORRECTION = "correction", _("补正")
        HEARING = "hearing", _("听证")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        INSPECTION = "inspection", _("检验检测")
        OTHER = "other", _("其他依法不计时情形")

    subject = models.CharField(_("计时对象"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(_("暂停时间"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=500)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("暂停人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["subject", "started_at", "id"]
        indexes = [models.Index(fields=["subject", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(ended_at__isnull=True),
                name="core_clockstop_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="core_clockstop_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Extension(models.Model):
    """An approved extension of a subject's time limit (延长期限), in the
    limit's own unit, with its reason and approver."""

    subject = models.CharField(_("计时对象"), max_length=200, db_index=True)
    amount = models.PositiveSmallIntegerField(_("延长数量"))
    unit = models.CharField(
        _("单位"), max_length=8, choices=TimeUnit.choices, default=TimeUnit.WORKDAYS
    )
    reason = models.CharField(_("延长理由"), max_length=500)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("延长期限")
        verbose_name_plural = _("延长期限")
        ordering = ["subject", "approved_at", "id"]

    def __str__(self):
        return f"{self.subject} +{self.amount}{self.get_unit_display()}"


class TimeLimitState(models.TextChoices):
    """The warning ladder: normal → 预警 → 黄牌 (overdue) → 红牌."""

    NORMAL = "normal", _("正常")
    WARNING = "warning", _("预警")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class TimeLimitNotice(models.Model):
    """The last warning state the sweep notified for a subject, so that each
    change of state is notified once (see egov.core.deadline_sweep)."""

    subject = models.CharField(_("计时对象"), max_length=200, unique=True)
    domain = models.CharField(_("业务"), max_length=50, db_index=True)
    state = models.CharField(_("状态"), max_length=8, choices=TimeLimitState.choices)
    notified_at = models.DateTimeField(_("通知时间"))

    class Meta:
        verbose_name = _("时限提醒记录")
        verbose_name_plural = _("时限提醒记录")

    def __str__(self):
        return f"{self.subject} {self.state}"
