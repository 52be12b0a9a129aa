"""The unified audit log: one row per event, hash-chained with SM3.

Entries are append-only. The queryset and the model refuse updates and deletes,
so no code path of the platform can change the log; the one exception is the
retention purge (`egov.audit.actions.purge_entries`), which removes the oldest
entries through `AuditEntryQuerySet.delete_for_purge` and records an anchor.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogImmutable(Exception):
    """Raised by any attempt to edit or delete audit entries."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("audit entries cannot be edited")

    def delete(self):
        raise AuditLogImmutable(
            "audit entries cannot be deleted; only the retention purge removes them"
        )

    def delete_for_purge(self) -> int:
        """Delete these rows without the guard; only the retention purge calls it."""
        return self._raw_delete(self.db)

    update.alters_data = True
    delete.alters_data = True
    delete_for_purge.alters_data = True


class AuditEntry(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILED = "failed", _("失败")
        DENIED = "denied", _("拒绝")

    # None while the entry waits to be chained (see egov.audit.append).
    seq = models.BigIntegerField(_("序号"), unique=True, null=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("账号"), max_length=150, blank=True, db_index=True)
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

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("日志条目")
        verbose_name_plural = _("统一日志")
        ordering = ["-seq"]
        # Nobody may add, change or delete entries by hand, so those
        # permissions do not exist to be granted.
        default_permissions = ("view",)
        permissions = [("export_auditentry", _("导出日志"))]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["organization_code", "created_at"]),
            models.Index(fields=["outcome", "created_at"]),
            models.Index(
                fields=["id"],
                condition=models.Q(seq__isnull=True),
                name="audit_entry_pending",
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable("audit entries cannot be edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable(
            "audit entries cannot be deleted; only the retention purge removes them"
        )

    @property
    def is_pending(self) -> bool:
        return self.seq is None


class ChainHead(models.Model):
    """The single row holding the latest seq and hash; locked by each append.

    The genesis row (seq 0) is inserted by a migration and re-inserted after a
    database flush, so appenders never race to create it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("日志链头")
        default_permissions = ()

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class ChainAnchor(models.Model):
    """Where the chain starts after a retention purge removed its oldest entries.

    `seq` and `hash` are those of the last removed entry; `purge_seq` is the
    audit entry that announced the purge, so verification can confirm that the
    removed prefix was covered by a logged purge.
    """

    seq = models.BigIntegerField(_("锚点序号"), db_index=True)
    hash = models.CharField(_("锚点摘要"), max_length=64)
    purge_seq = models.BigIntegerField(_("清理记录序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日志链锚点")
        verbose_name_plural = _("日志链锚点")
        ordering = ["-seq"]
        default_permissions = ()

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"
