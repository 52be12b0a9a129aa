"""Electronic forms: versioned form-js schemas and the data submitted on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormDefinition(models.Model):
    """One version of a form. Each key has at most one draft (the next version
    number); publishing freezes it, and later edits start the next draft."""

    key = models.CharField(_("表单标识"), max_length=64)
    name = models.CharField(_("表单名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"))
    schema = models.JSONField(_("表单定义"), default=dict)
    published = models.BooleanField(_("已发布"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("表单定义")
        verbose_name_plural = _("表单定义")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="eforms_form_key_version"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(published=False),
                name="eforms_form_one_draft",
            ),
        ]
        permissions = [("publish_formdefinition", _("可以发布表单"))]

    def __str__(self):
        return f"{self.name}（{self.key} v{self.version}）"

    @property
    def audit_id(self) -> str:
        return f"{self.key}@{self.version}"


class FormSubmission(models.Model):
    """Data someone submitted on one form version, as the server cleaned it."""

    form = models.ForeignKey(
        FormDefinition,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("表单版本"),
    )
    # References to the workflow engine's rows, kept as stable strings so that
    # a submission outlives any reorganisation of the engine's tables.
    process_instance_ref = models.CharField(
        _("流程实例"), max_length=64, blank=True, db_index=True
    )
    task_ref = models.CharField(_("任务"), max_length=64, blank=True)
    data = models.JSONField(_("表单数据"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表单数据")
        verbose_name_plural = _("表单数据")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"{self.form} #{self.pk}"
