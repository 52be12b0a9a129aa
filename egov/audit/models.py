"""The unified audit log: one row per event, hash-chained with SM3."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILED = "failed", _("失败")
        DENIED = "denied", _("拒绝")

    seq = models.BigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("账号"), max_length=150, blank=True)
    organization_code = models.CharField(_("机构代码"), max_length=64, blank=True)
    organization_name = models.CharField(_("机构"), max_length=200, blank=True)
    ip = models.CharField(_("IP地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=500, blank=True)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象标识"), max_length=100, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64)
    hash = models.CharField(_("摘要"), max_length=64)

    class Meta:
        verbose_name = _("日志条目")
        verbose_name_plural = _("统一日志")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["organization_code", "created_at"]),
            models.Index(fields=["outcome", "created_at"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.outcome}"


class ChainHead(models.Model):
    """The single row holding the latest seq and hash; locked by each append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("日志链头")
