"""Evidence files: type by extension AND content, size, names with path tricks, safe storage,
served only through the permission-checked view as an attachment."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import RectificationEvidence
from reviews.rectification.evidence import MAX_EVIDENCE_BYTES, evidence_check, evidence_display_name
from reviews.rectification.services import progress_report

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<xml/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("整改报告.pdf", PDF),
        ("现场照片.JPG", JPG),
        ("photo.jpeg", JPG),
        ("台账.png", PNG),
        ("会议记录.docx", office("word/document.xml")),
        ("台账.xlsx", office("xl/workbook.xml")),
    ],
)
def test_allowed_types_with_matching_content(name, content):
    extension, content_type, display = evidence_check(upload(name, content))
    assert display == name
    assert extension == Path(name.lower()).suffix


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf.exe", PDF, "类型不允许"),
        ("notes.txt", b"hello", "类型不允许"),
        ("../../etc/passwd", b"root:x:0:0", "类型不允许"),
        ("photo.png", PDF, "内容与扩展名不符"),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名不符"),
        ("plan.docx", office("xl/workbook.xml"), "内容与扩展名不符"),
        ("plan.xlsx", b"PK\x03\x04 broken zip", "内容与扩展名不符"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_wrong_types_are_refused_with_a_chinese_message(name, content, message):
    with pytest.raises(ValidationError, match=message):
        evidence_check(upload(name, content))


def test_files_over_10_mb_are_refused():
    with pytest.raises(ValidationError, match="不能超过 10 MB"):
        evidence_check(upload("big.pdf", PDF + b"0" * (MAX_EVIDENCE_BYTES + 1 - len(PDF))))
    evidence_check(upload("limit.pdf", PDF + b"0" * (MAX_EVIDENCE_BYTES - len(PDF))))


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("a/b.pdf", "b.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("../../.hidden.pdf", "hidden.pdf"),
        ("bad\x00name\n.pdf", "badname.pdf"),
    ],
)
def test_display_names_lose_their_path_and_control_characters(name, display):
    assert evidence_display_name(name) == display


def test_stored_under_a_generated_name_in_the_items_folder(approved):
    item = approved.item_a
    progress_report(item=item, by=approved.secretary_a, text="附照片", files=[upload("../../a/b.pdf", PDF)])

    evidence = RectificationEvidence.objects.get()
    assert evidence.original_name == "b.pdf"
    path = Path(evidence.file.path).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert path.is_relative_to(media / "rectification" / str(item.pk))
    assert path.name == evidence.stored_name and len(path.stem) == 32 and path.suffix == ".pdf"
    assert path.read_bytes() == PDF
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)


def test_a_bad_file_saves_nothing(approved):
    with pytest.raises(ValidationError) as error:
        progress_report(
            item=approved.item_a, by=approved.secretary_a, text="附件", files=[upload("ok.pdf", PDF), upload("x.pdf.exe", PDF)]
        )
    assert "files" in error.value.message_dict
    assert not RectificationEvidence.objects.exists()
    assert not approved.item_a.events.exists()
    assert not (Path(settings.MEDIA_ROOT) / "rectification").exists() or not any((Path(settings.MEDIA_ROOT) / "rectification").rglob("*.*"))


def test_at_most_five_files_at_once(approved):
    with pytest.raises(ValidationError, match="最多上传 5 个"):
        progress_report(item=approved.item_a, by=approved.secretary_a, text="附件", files=[upload(f"{i}.pdf", PDF) for i in range(6)])


@pytest.fixture
def evidence(approved):
    progress_report(item=approved.item_a, by=approved.secretary_a, text="附件", files=[upload("整改报告.pdf", PDF)])
    approved.evidence = RectificationEvidence.objects.get()
    return approved


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("secretary_a", 200),
        ("admin", 200),
        ("superuser", 200),
        ("secretary_b", 404),
        ("reviewer", 404),
        ("other_reviewer", 404),
        ("other_admin", 404),
    ],
)
def test_download_only_for_the_secretary_and_administrators(client, evidence, role, status):
    client.force_login(getattr(evidence, role))
    response = client.get(reverse("reviews:rectification_evidence", args=[evidence.evidence.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_download_anonymous_goes_to_login(client, evidence):
    response = client.get(reverse("reviews:rectification_evidence", args=[evidence.evidence.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_public_media_url_serves_evidence(client, evidence):
    client.force_login(evidence.secretary_a)
    assert client.get("/" + settings.MEDIA_URL.strip("/") + "/" + evidence.evidence.file.name).status_code == 404
