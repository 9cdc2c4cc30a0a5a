import io
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import docx_import

from .conftest import fill

PASTED = "述职报告\r\n一、履职情况\r\n召开支委会12次。\r\n二、存在问题\r\n学习不够。\r\n三、下一步打算\r\n加强学习。"


def make_docx(paragraphs, table=None):
    document = docx.Document()
    for text in paragraphs:
        if text.startswith("#"):
            document.add_heading(text[1:], level=1)
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(content, name="报告.docx"):
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def import_url(report):
    return reverse("reports:import", args=[report.pk])


def textarea(html, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return match.group(1) if match else None


# --- docx_to_text ----------------------------------------------------------------------


def test_docx_to_text_reads_paragraphs_and_tables_in_order():
    content = make_docx(["#一、工作开展情况", "召开支委会12次。", "二、存在问题"], table=[["项目", "次数"], ["党课", "4"]])
    text = docx_import.docx_to_text(upload(content))
    assert text.split("\n") == ["一、工作开展情况", "召开支委会12次。", "二、存在问题", "项目\t次数", "党课\t4"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("报告.doc", b"\xd0\xcf\x11\xe0", "另存为"),
        ("报告.pdf", b"%PDF-1.4", "只能上传 Word 文档"),
        ("报告.docx", b"this is not a zip", "不是有效的 .docx 文档"),
        ("报告.docx", b"PK\x03\x04broken", "不是有效的 .docx 文档"),
    ],
)
def test_docx_to_text_rejects_bad_files(name, content, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        docx_import.docx_to_text(upload(content, name))
    assert message in info.value.messages[0]


def test_docx_to_text_rejects_zip_that_is_not_word():
    from django.core.exceptions import ValidationError

    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError) as info:
        docx_import.docx_to_text(upload(buffer.getvalue()))
    assert "无法读取该 Word 文档" in info.value.messages[0]


def test_docx_to_text_rejects_empty_document():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        docx_import.docx_to_text(upload(make_docx(["", "  "])))
    assert "没有找到文字" in info.value.messages[0]


# --- the import views ------------------------------------------------------------------


def test_paste_shows_preview_without_saving(client, world):
    client.force_login(world.secretary_a)
    response = client.post(import_url(world.report_a), {"full_text": PASTED})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="import-confirm-form"' in html
    assert textarea(html, "performance") == "一、履职情况\n召开支委会12次。"
    assert textarea(html, "problems") == "二、存在问题\n学习不够。"
    assert textarea(html, "preamble") == "述职报告"
    assert 'id="import-headings"' in html
    world.report_a.refresh_from_db()
    assert world.report_a.revision == 0 and world.report_a.performance == ""


def test_confirm_saves_through_service(client, world):
    fill(world.report_a, world.secretary_a, member_count=7)
    world.report_a.refresh_from_db()
    client.force_login(world.secretary_a)
    data = {
        "base_revision": world.report_a.revision,
        "preamble": "导语",
        "performance": "一、履职情况\n改过的内容",
        "problems": "问题",
        "plans": "计划",
        "rectification": "",
        **{f"keep_{name}": "imported" for name in ("preamble", "performance", "problems", "plans")},
    }
    response = client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("reports:editor", args=[world.report_a.pk])
    world.report_a.refresh_from_db()
    assert world.report_a.performance == "一、履职情况\n改过的内容" and world.report_a.preamble == "导语"
    assert world.report_a.member_count == 7  # figures untouched


DRAFTED_RECTIFICATION = "针对上年度述职评议指出的“组织生活不规范”问题，已建立台账，整改3项。"


def test_preview_asks_about_drafted_parts_and_keeps_a_part_the_import_lacks(client, world):
    fill(world.report_a, world.secretary_a, rectification=DRAFTED_RECTIFICATION)
    client.force_login(world.secretary_a)
    text = "一、履职情况\n召开支委会12次。\n二、存在问题\n理论学习不够深入。"  # the same problems as drafted
    html = client.post(import_url(world.report_a), {"full_text": text}).content.decode()
    # performance: drafted and imported differ → the choice, keep both preselected
    block = re.search(r'<fieldset class="import-drafted[^"]*" id="drafted-performance">(.*?)</fieldset>', html, re.S).group(1)
    assert "全年召开主题党日12次。" in block  # the drafted text, to look at
    assert re.search(r'<input type="radio" name="keep_performance" value="both"[^>]*checked', block)
    assert 'value="imported"' in block and 'value="draft"' in block
    # problems: the same text → nothing to ask; rectification: not in the import → kept, said so
    assert 'id="drafted-problems"' in html and "已有内容与导入的相同" in html
    assert not re.search(r'<fieldset[^>]*id="drafted-problems"', html)
    assert "导入的全文中没有这一部分，将保留原有内容" in html and textarea(html, "rectification") == ""


@pytest.mark.parametrize(
    "keep, expected",
    [
        (None, "一、工作开展情况\n全年召开主题党日12次。\n一、履职情况\n导入的内容"),  # default: both, draft first
        ("both", "一、工作开展情况\n全年召开主题党日12次。\n一、履职情况\n导入的内容"),
        ("imported", "一、履职情况\n导入的内容"),
        ("draft", "一、工作开展情况\n全年召开主题党日12次。"),
    ],
)
def test_confirm_never_silently_replaces_a_drafted_part(client, world, keep, expected):
    fill(world.report_a, world.secretary_a, rectification=DRAFTED_RECTIFICATION)
    world.report_a.refresh_from_db()
    client.force_login(world.secretary_a)
    data = {
        "base_revision": world.report_a.revision,
        "preamble": "",
        "performance": "一、履职情况\n导入的内容",
        "problems": "",
        "plans": "",
        "rectification": "",
    }
    if keep:
        data["keep_performance"] = keep
    assert client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data).status_code == 302
    world.report_a.refresh_from_db()
    assert world.report_a.performance == expected
    # parts the import left empty keep their drafts, 上年度问题整改情况 included
    assert world.report_a.rectification == DRAFTED_RECTIFICATION
    assert world.report_a.problems == "二、存在问题\n理论学习不够深入。" and world.report_a.preamble == "各位领导、同志们："


def test_import_into_an_empty_report_takes_the_import_as_it_is(client, world):
    client.force_login(world.secretary_a)
    data = {"base_revision": 0, "preamble": "导语", "performance": "一、履职情况\n甲", "problems": "", "plans": "", "rectification": ""}
    client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data)
    world.report_a.refresh_from_db()
    assert (world.report_a.preamble, world.report_a.performance) == ("导语", "一、履职情况\n甲")


def test_confirm_conflict_keeps_text_and_asks_again(client, world):
    client.force_login(world.secretary_a)
    data = {"base_revision": 0, "preamble": "", "performance": "导入的内容", "problems": "", "plans": "", "rectification": ""}
    fill(world.report_a, world.secretary_a)  # another tab saved meanwhile
    html = client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data).content.decode()
    assert 'id="import-conflict"' in html and textarea(html, "performance") == "导入的内容"
    # the text the other tab saved is now a draft: asked about, not overwritten
    assert re.search(r'<fieldset[^>]*id="drafted-performance"', html)
    world.report_a.refresh_from_db()
    assert world.report_a.performance != "导入的内容"
    data["base_revision"] = world.report_a.revision
    data["keep_performance"] = "imported"
    client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data)
    world.report_a.refresh_from_db()
    assert world.report_a.performance == "导入的内容"


def test_confirm_too_long_keeps_text(client, world):
    client.force_login(world.secretary_a)
    long_text = "甲" * 3001
    data = {"base_revision": 0, "preamble": long_text, "performance": "", "problems": "", "plans": "", "rectification": ""}
    html = client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), data).content.decode()
    assert "最多 3000 字" in html and long_text in html


def test_upload_docx_shows_preview(client, world):
    client.force_login(world.secretary_a)
    content = make_docx(["关于2024年度抓基层党建工作的述职报告", "一、工作开展情况", "甲", "二、存在的问题", "乙", "三、下步工作打算", "丙"])
    html = client.post(import_url(world.report_a), {"docx_file": upload(content)}).content.decode()
    assert textarea(html, "problems") == "二、存在的问题\n乙"
    assert textarea(html, "plans") == "三、下步工作打算\n丙"


def test_upload_bad_file_shows_error_on_editor(client, world):
    client.force_login(world.secretary_a)
    response = client.post(import_url(world.report_a), {"docx_file": upload(b"garbage")})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="editor-form"' in html
    assert "不是有效的 .docx 文档" in html
    # a report not started: the import is the first thing on the page, open
    assert re.search(r'<section id="import-panel"', html) and html.index('id="import-panel"') < html.index('id="editor-form"')


def test_upload_too_large(client, world, monkeypatch):
    monkeypatch.setattr(docx_import, "MAX_DOCX_BYTES", 100)
    client.force_login(world.secretary_a)
    html = client.post(import_url(world.report_a), {"docx_file": upload(make_docx(["一、履职情况"]))}).content.decode()
    assert "请上传不超过 5 MB 的文件" in html


def test_import_nothing_given(client, world):
    client.force_login(world.secretary_a)
    html = client.post(import_url(world.report_a), {"full_text": "  "}).content.decode()
    assert "请粘贴报告全文，或选择一个 Word（.docx）文件。" in html


def test_import_speech_without_headings_warns(client, world):
    client.force_login(world.secretary_a)
    html = client.post(import_url(world.report_a), {"full_text": "同志们：\n今天我讲三点意见。"}).content.decode()
    assert 'id="import-no-headings"' in html and textarea(html, "preamble") == "同志们：\n今天我讲三点意见。"


@pytest.mark.parametrize("role", ["secretary_b", "reviewer", "admin"])
def test_import_by_others_is_404(client, world, role):
    client.force_login(getattr(world, role))
    assert client.post(import_url(world.report_a), {"full_text": PASTED}).status_code == 404
    assert client.post(reverse("reports:import_confirm", args=[world.report_a.pk]), {"base_revision": 0}).status_code == 404


def test_import_on_submitted_report_redirects(client, submitted_world):
    w = submitted_world
    client.force_login(w.secretary_a)
    response = client.post(import_url(w.report_a), {"full_text": PASTED})
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[w.report_a.pk])


def test_import_anonymous_redirects(client, world):
    response = client.post(import_url(world.report_a), {"full_text": PASTED})
    assert response.status_code == 302 and reverse("login") in response["Location"]
