"""Guard: control characters pasted into user fields (a vertical tab or form feed from Word, a
stray NUL-less C0 character) never turn a document into a 500. XML 1.0 cannot hold them, so
python-docx and openpyxl refuse them; every generator must drop them and still write the file."""

import io
import zipfile

import pytest
from django.urls import reverse

from branches.downloads import safe_filename, unique_name
from branches.models import User
from reports.services import report_save_draft, report_submit
from reviews.models import Criterion, Problem, RectificationItem, Review
from reviews.results.archive import cycle_archive_write
from reviews.results.feedback import letters_zip_write
from tests.exports.conftest import REPORT_TEXT
from tests.reviews.rectification.scenes import build_approved, build_published

CONTROL = "\x0b\x0c\x01\x1f"


def dirty(text):
    return f"{CONTROL}{text}{CONTROL}中{CONTROL}"


@pytest.fixture
def dirty_world(world):
    w = build_approved(build_published(world))
    for org in [w.committee, w.branch_a, w.branch_b]:
        org.name = dirty(org.name)
        org.save(update_fields=["name"])
    for user in User.objects.all():
        user.name = dirty(user.name)[:50]
        user.save(update_fields=["name"])
    for criterion in Criterion.objects.filter(cycle=w.cycle):
        criterion.name = dirty(criterion.name)
        criterion.save(update_fields=["name"])
    Problem.objects.update(text=dirty("问题"))
    Review.objects.update(comment=dirty("点评"))
    RectificationItem.objects.update(text=dirty("问题"), measures=dirty("措施"), owner=dirty("责任人"))
    return w


DOCUMENTS = [
    ("reviews:summary_xlsx", "cycle"),
    ("reviews:summary_docx", "cycle"),
    ("reviews:progress_xlsx", "cycle"),
    ("reviews:notice_docx", "cycle"),
    ("reviews:feedback_docx_zip", "cycle"),
    ("reviews:rectification_ledger_xlsx", "cycle"),
    ("reviews:rectification_ledger_docx", "cycle"),
    ("reviews:rectification_lists_xlsx", "cycle"),
    ("reviews:rectification_lists_docx", "cycle"),
    ("reviews:rectification_plan_lists_xlsx", "plan"),
    ("reviews:rectification_plan_lists_docx", "plan"),
    ("reviews:result_docx", "report"),
    ("reviews:feedback_docx", "report"),
    ("reports:report_docx", "report"),
    ("branches:roster_export", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,arg", DOCUMENTS)
def test_every_document_is_written_despite_control_characters(client, dirty_world, name, arg):
    w = dirty_world
    client.force_login(w.admin)
    args = {"cycle": [w.cycle.pk], "plan": [w.plan_a.pk], "report": [w.report_a.pk], None: []}[arg]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content[:2] == b"PK"


@pytest.mark.django_db
def test_the_years_archive_is_written_despite_control_characters(dirty_world):
    buffer = io.BytesIO()
    count = cycle_archive_write(cycle=dirty_world.cycle, formats={"docx", "xlsx"}, fileobj=buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert len(archive.namelist()) == count > 0
        assert not any(ord(char) < 32 for name in archive.namelist() for char in name)


@pytest.mark.django_db
def test_archive_entries_never_overwrite_each_other_nor_exceed_a_file_name(published_world):
    """Two organizations whose names differ only in characters a file name cannot hold (or two
    第一党支部 of different parents) must not share an entry; a 100-character name must still
    unpack (255 bytes a file name); '../' stays inside the archive."""
    w = published_world
    w.branch_a.name = "../甲社区 党支部"
    w.branch_a.save(update_fields=["name"])
    w.branch_b.name = "甲社区/党支部"
    w.branch_b.save(update_fields=["name"])
    w.committee.name = "长" * 100
    w.committee.save(update_fields=["name"])
    buffer = io.BytesIO()
    cycle_archive_write(cycle=w.cycle, formats={"docx"}, fileobj=buffer)
    with zipfile.ZipFile(buffer) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names))
    results = [name for name in names if name.endswith("年度述职评议结果.docx") or "年度述职评议结果（" in name]
    assert len(results) == 2, names
    for name in names:
        assert not name.startswith("/") and ".." not in name.split("/"), name
        assert all(len(part.encode()) <= 255 for part in name.split("/")), name
    letters = io.BytesIO()
    letters_zip_write(w.cycle, letters)
    with zipfile.ZipFile(letters) as archive:
        assert len(archive.namelist()) == len(set(archive.namelist())) == 2


def test_unique_name_numbers_repeats_before_the_extension():
    taken = set()
    assert [unique_name(name, taken) for name in ["a.docx", "a.docx", "a.docx", "b", "b", "c.d/e", "c.d/e"]] == [
        "a.docx", "a（2）.docx", "a（3）.docx", "b", "b（2）", "c.d/e", "c.d/e（2）",
    ]


def test_safe_filename_drops_control_characters_and_keeps_to_a_file_name():
    assert safe_filename("甲\x01\x0b支部\x7f") == "甲_支部"
    assert len(safe_filename("长" * 100).encode()) + len(".docx（99）".encode()) <= 255
    assert safe_filename("长" * 100 + "（第2版）").endswith("长（第2版）") and len(safe_filename("长" * 100)) == 75


@pytest.mark.django_db
def test_a_report_with_control_characters_downloads_as_word_and_pdf(client, world):
    report = world.report_b
    text = {key: dirty(value) for key, value in REPORT_TEXT.items()}
    report_save_draft(report=report, by=world.secretary_b, data=text, base_revision=report.revision)
    client.force_login(world.secretary_b)
    for name in ["reports:report_docx", "reports:report_pdf"]:
        response = client.get(reverse(name, args=[report.pk]))
        assert response.status_code == 200, name
    version = report_submit(report=report, by=world.secretary_b)
    for name in ["reports:version_docx", "reports:version_pdf"]:
        assert client.get(reverse(name, args=[report.pk, version.number])).status_code == 200, name
