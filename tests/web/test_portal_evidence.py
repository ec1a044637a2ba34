"""Evidence uploads: size and type limits (by name and content), stored off the web root under a
random name with its SHA-256, recorded in the item's trail, served only to those allowed."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections import models as m
from inspections.models.files import evidence_storage
from tests.helpers import fresh
from tests.roles import ROLES
from tests.web.casework import do, page, post, rectifying_item, zh
from workflows.audit import audit_trail

# A small but real PDF: one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
SEE_ITEM = ("leading_group", "office", "team_leader", "team_deputy", "team_member", "unit_liaison")


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0), tick=False)


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def url(inspection) -> str:
    return reverse("portal_inspection", args=[inspection.pk])


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "整改台账"
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, world, item, name: str, content: bytes, user=None):
    return post(
        client,
        user or world.unit_liaison,
        url(world.inspection),
        {
            "do": do(item, "upload_evidence"),
            "version": item.version,
            "file": SimpleUploadedFile(name, content),
        },
    )


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("整改情况说明.pdf", PDF, "application/pdf"),
        ("现场照片.JPG", JPEG, "image/jpeg"),
        ("截图.png", PNG, "image/png"),
        (
            "会议纪要.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("台账.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("说明.txt", "已完成整改。\n".encode(), "text/plain; charset=utf-8"),
        ("说明-gbk.txt", "已完成整改。\n".encode("gb18030"), "text/plain; charset=utf-8"),
    ],
)
def test_an_allowed_file_is_kept_off_the_web_root_with_its_hash_and_audit_row(
    client, world, evidence_root, name, content, content_type
):
    item = rectifying_item(world)
    response = upload(client, world, item, name, content)
    assert response.status_code == 302

    evidence = item.evidence_files.get()
    assert (evidence.original_name, evidence.size, evidence.content_type) == (
        name,
        len(content),
        content_type,
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == world.unit_liaison
    (path,) = stored_files(evidence_root)
    assert path.read_bytes() == content
    assert name not in str(path)  # a random name, never the uploader's
    for public in (settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS):
        assert not path.resolve().is_relative_to(Path(public).resolve())
    entry = audit_trail(item).last()
    assert (entry.actor, entry.action, entry.data["sha256"]) == (
        world.unit_liaison,
        "upload_evidence",
        evidence.sha256,
    )
    assert name in page(client.get(url(world.inspection)))


def test_the_real_evidence_folder_is_outside_the_folders_the_web_serves():
    from config.settings import base

    root = Path(base.EVIDENCE_ROOT).resolve()
    for public in (base.STATIC_ROOT, base.MEDIA_ROOT, *base.STATICFILES_DIRS):
        assert not root.is_relative_to(Path(public).resolve())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "程序.exe",
            b"MZ\x90\x00" + b"\x00" * 60,
            "Only PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) and text files.",
        ),
        ("假的.pdf", "这不是PDF".encode(), "The file's content does not match its name (%(ext)s)."),
        ("伪装.png", PDF, "The file's content does not match its name (%(ext)s)."),
        (
            "压缩包.docx",
            b"PK\x03\x04" + b"\x00" * 40,
            "The file's content does not match its name (%(ext)s).",
        ),
        ("二进制.txt", b"abc\x00\x01\x02", "The file's content does not match its name (%(ext)s)."),
        (
            "网页.html",
            b"<script>alert(1)</script>",
            "Only PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) and text files.",
        ),
        ("空.pdf", b"", "The file is empty."),
    ],
)
def test_a_wrong_type_is_refused_with_a_message_and_nothing_is_kept(
    client, world, evidence_root, name, content, message
):
    item = rectifying_item(world)
    response = upload(client, world, item, name, content)
    assert response.status_code == 422
    errors = response.context["items"][0].offers.by_name["upload_evidence"].form.errors["file"]
    expected = zh(message)
    if "%(ext)s" in expected:
        expected = expected % {"ext": Path(name).suffix.lower()}
    assert expected in errors or (not content and errors)
    assert not item.evidence_files.exists()
    assert stored_files(evidence_root) == []


def test_an_oversize_file_is_refused_and_nothing_is_kept(client, world, settings, evidence_root):
    settings.EVIDENCE_MAX_BYTES = 1024
    item = rectifying_item(world)
    response = upload(client, world, item, "大文件.pdf", PDF + b"0" * 1024)
    assert response.status_code == 422
    (error,) = response.context["items"][0].offers.by_name["upload_evidence"].form.errors["file"]
    assert "1.0" in error  # the limit is named, in the person's units
    assert not item.evidence_files.exists()
    assert stored_files(evidence_root) == []


def test_no_evidence_for_an_item_not_started_and_the_file_is_not_left_behind(
    client, world, evidence_root
):
    item = rectifying_item(world, m.ItemState.OPEN)
    client.force_login(world.unit_liaison)
    (card,) = client.get(url(world.inspection)).context["items"]
    assert "upload_evidence" not in card.offers.by_name
    response = upload(client, world, item, "整改情况说明.pdf", PDF)
    assert response.status_code == 422
    assert response.context["attempt"].error.code == "wrong_state"
    assert stored_files(evidence_root) == []


def test_a_stale_upload_is_refused_and_the_file_is_not_left_behind(client, world, evidence_root):
    item = rectifying_item(world)
    m.RectificationItem.objects.filter(pk=item.pk).update(version=item.version + 1)
    response = upload(client, world, item, "整改情况说明.pdf", PDF)
    assert response.status_code == 409
    assert stored_files(evidence_root) == []


@pytest.mark.parametrize("who", ["team_member", "office", "leading_group"])
def test_only_the_unit_uploads(client, world, evidence_root, who):
    item = rectifying_item(world)
    client.force_login(getattr(world, who))
    (card,) = client.get(reverse("inspection_detail", args=[world.inspection.pk])).context["items"]
    assert "upload_evidence" not in card.offers.by_name
    response = post(
        client,
        getattr(world, who),
        reverse("inspection_detail", args=[world.inspection.pk]),
        {"do": do(item, "upload_evidence"), "version": 1, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 422
    assert response.context["attempt"].error.code == "permission_denied"
    assert stored_files(evidence_root) == []


# Serving ----------------------------------------------------------------------------------------


@pytest.fixture
def evidence(client, world):
    item = rectifying_item(world)
    upload(client, world, item, "整改情况说明.pdf", PDF)
    client.logout()
    return item.evidence_files.get()


@pytest.mark.parametrize("who", SEE_ITEM)
def test_those_who_see_the_item_download_the_file_as_an_attachment(client, world, evidence, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", [r for r in ROLES if r not in SEE_ITEM])
def test_nobody_else_finds_the_file(client, world, evidence, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in_and_unknown_files_are_not_found(client, world, evidence):
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 302
    client.force_login(world.office)
    assert client.get(reverse("evidence_download", args=[999999])).status_code == 404


def test_a_file_missing_on_disk_is_not_found_not_an_error(client, world, evidence):
    evidence_storage().delete(evidence.file.name)
    client.force_login(world.office)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    assert fresh(evidence).sha256
