"""Instrument templates (文书模板): one row per template code, one row per
uploaded version. The DOCX bytes are a StoredFile (egov.core.files)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.models import StoredFile


class DocumentTemplate(models.Model):
    """A template that programs render by `code`; its `active_version` is the
    one used. A template without one falls back to the file shipped with the
    platform (see egov.docgen.render)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("通知书")
        DECISION = "decision", _("决定书")
        CERTIFICATE = "certificate", _("证照与证明")
        OTHER = "other", _("其他文书")

    code = models.CharField(_("模板编码"), max_length=100, unique=True)
    name = models.CharField(_("模板名称"), max_length=100)
    kind = models.CharField(
        _("文书类别"), max_length=20, choices=Kind.choices, default=Kind.OTHER
    )
    description = models.TextField(_("说明"), blank=True)
    active_version = models.ForeignKey(
        "DocumentTemplateVersion",
        verbose_name=_("启用版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["code"]
        default_permissions = ()
        permissions = [("manage_templates", _("管理文书模板"))]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def audit_id(self) -> str:
        return self.code


class DocumentTemplateVersion(models.Model):
    """One uploaded DOCX of a template, numbered 1, 2, 3… per template.
    Versions are never changed or deleted, so a document generated earlier can
    always be traced to the exact file it came from."""

    template = models.ForeignKey(
        DocumentTemplate,
        verbose_name=_("文书模板"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版本号"))
    file = models.ForeignKey(
        StoredFile,
        verbose_name=_("模板文件"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文书模板版本")
        verbose_name_plural = _("文书模板版本")
        ordering = ["template", "-number"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="docgen_version_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.template.code} v{self.number}"

    @property
    def audit_id(self) -> str:
        return f"{self.template.code}/v{self.number}"
