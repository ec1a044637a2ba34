"""Files the units upload as evidence of rectification, kept outside the web root."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models.rectification import RectificationItem


class EvidenceStorage(FileSystemStorage):
    """The evidence folder, read from settings on every use so settings (and tests) may move it.

    Django calls a field's storage callable once, when the model loads; FileSystemStorage
    would then keep the folder it saw first.
    """

    @property
    def base_location(self) -> str:
        return str(settings.EVIDENCE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def evidence_storage() -> FileSystemStorage:
    """The storage of evidence files (no URL: a view checks the rules and streams them)."""
    return EvidenceStorage(base_url=None)


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    """A random name under the item's folder: the uploader's file name is never a path."""
    return f"items/{instance.item_id}/{uuid.uuid4().hex}"


class EvidenceFile(models.Model):
    """One uploaded file backing a rectification item's progress or completion."""

    item = models.ForeignKey(
        RectificationItem,
        on_delete=models.PROTECT,
        related_name="evidence_files",
        verbose_name=_("rectification item"),
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class CalendarFeed(models.Model):
    """A person's private calendar address: the token is the only key, so it can be revoked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
