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
