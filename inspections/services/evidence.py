"""Writes of evidence files: a unit's upload, checked by size, name and content, kept off the web root.

Accepted kinds (by extension AND by the file's first bytes, never by what the browser
claims): PDF, JPEG, PNG, Word .docx, Excel .xlsx and plain text (UTF-8 or GB18030).
Old binary Office formats (.doc, .xls), archives and anything executable are refused:
they cannot be told apart from hostile files by their first bytes.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from inspections.models import EvidenceFile, RectificationItem, User
from inspections.models.files import evidence_storage
from workflows.errors import InvalidInput
from workflows.transitions import perform_write

# The states in which an item is being worked on: evidence goes with the work, not after it.
NAME_LIMIT = EvidenceFile._meta.get_field("original_name").max_length


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: its extensions and the content type it is served with."""

    extensions: tuple[str, ...]
    content_type: str


PDF = Kind((".pdf",), "application/pdf")
JPEG = Kind((".jpg", ".jpeg"), "image/jpeg")
PNG = Kind((".png",), "image/png")
DOCX = Kind((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TEXT = Kind((".txt",), "text/plain; charset=utf-8")
KINDS = (PDF, JPEG, PNG, DOCX, XLSX, TEXT)
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)

# How much of a text file is read to decide it is text (the rest is hashed, not parsed).
TEXT_SAMPLE = 64 * 1024


def _sniff(upload: UploadedFile) -> Kind | None:
    """The kind the file's content shows it to be, or None."""
    upload.seek(0)
    head = upload.read(TEXT_SAMPLE)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    return TEXT if _is_text(head) else None


def _office_kind(upload: UploadedFile) -> Kind | None:
    """A .docx or .xlsx is a zip holding the part that names its kind."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    # A multi-byte character may be cut at the end of the sample: ignore the last few bytes.
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding) if len(head) < TEXT_SAMPLE else head[:-4].decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls == 0
    return False


def _checked_name(upload: UploadedFile) -> str:
    """The uploader's file name, for display and download only (never a path on disk)."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()
    if not name:
        raise InvalidInput(fields={"file": [_("The file has no name.")]})
    stem, extension = os.path.splitext(name)
    return stem[: NAME_LIMIT - len(extension)] + extension


def _check(upload: UploadedFile) -> tuple[str, Kind]:
    """The file's display name and kind, or InvalidInput saying what is wrong with it."""
    if upload is None:
        raise InvalidInput(fields={"file": [_("Choose a file to upload.")]})
    name = _checked_name(upload)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(
            fields={
                "file": [
                    _("The file is %(size)s; at most %(limit)s may be uploaded.")
                    % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
                ]
            }
        )
    if upload.size == 0:
        raise InvalidInput(fields={"file": [_("The file is empty.")]})
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise InvalidInput(
            fields={"file": [_("Only PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) and text files.")]}
        )
    kind = _sniff(upload)
    if kind is None or extension not in kind.extensions:
        raise InvalidInput(
            fields={
                "file": [
                    _("The file's content does not match its name (%(ext)s).") % {"ext": extension}
                ]
            }
        )
    return name, kind


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def evidence_upload(
    *, item: RectificationItem, actor: User, file: UploadedFile, expected_version: int | None = None
) -> EvidenceFile:
    """Keep one evidence file for an item being worked on, and record it in the item's trail.

    The file is written first under a random name; if the write is refused (stale form,
    wrong state, no permission) the file is removed again, so nothing is left behind.
    """
    name, kind = _check(file)
    sha256 = _sha256(file)
    storage = evidence_storage()
    stored = storage.save(f"items/{item.pk}/{uuid.uuid4().hex}", file)
    created: list[EvidenceFile] = []

    def attach(locked: RectificationItem) -> None:
        created.append(
            EvidenceFile.objects.create(
                item=locked,
                file=stored,
                original_name=name,
                content_type=kind.content_type,
                size=file.size,
                sha256=sha256,
                uploaded_by=actor,
            )
        )

    try:
        perform_write(
            instance=item,
            actor=actor,
            expected_version=expected_version,
            name="upload_evidence",
            change=attach,
            data={"file": name, "size": file.size, "sha256": sha256, "stored_as": stored},
        )
    except BaseException:
        storage.delete(stored)
        raise
    return created[0]
