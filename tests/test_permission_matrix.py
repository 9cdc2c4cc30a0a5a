"""Every URL of the project × every role → the expected outcome.

The URL patterns come from the resolver (recursively through includes; Django's admin and static
files excepted), so a new URL without a line in EXPECTED fails with its name.

To add a URL: one entry in EXPECTED, keyed by its name:

    "app:name": Expect("login 200 404 200 404 404 200 200", pk="report_b"),

The outcomes are given per role, in the order of ROLES:
    anonymous, secretary_a, secretary_b, reviewer, other_reviewer, other_admin, admin, superuser
Outcomes: "login" (302 to the login page), "302" (a redirect anywhere else), or a status code
(200, 400, 403, 404, 405). `method="POST"` for POST-only views: they are POSTed with empty data
(and a GET of them must answer 405). Keyword arguments name objects of the scene (see `scene`):
`pk="report_a"`; the defaults per kwarg name are in DEFAULT_KWARGS. An unknown kwarg fails.

The scene (built once per URL through the services, see `scene` below):
    committee cycle `cycle` (collecting, results computed and published):
        report_a submitted (version 1), reviewed by `reviewer` (submitted review with a problem),
            a question asked and answered, its `result` computed; problem list generated.
        report_b draft (editable by secretary_b).
    other_committee's cycle `other_cycle` with report_c (draft).
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jobs.models import Job
from reports.services import report_save_draft, report_submit
from reviews.ballots.services import DEFAULT_MARKS, evaluation_save
from reviews.meeting.services import attendees_set, meeting_save
from reviews.models import (
    Assignment,
    Attendee,
    BallotCode,
    Criterion,
    ProblemCategory,
    ProblemListProposal,
    Publication,
    Question,
    RectificationPlan,
    Result,
    VoterGroup,
)
from reviews.rectification.services import plan_approve, plan_save, progress_report
from reviews.results.services import cycle_publish, results_compute
from reviews.services import question_answer, question_ask, review_save
from tests.factories import INCOMPLETE_OK, build_world

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "other_admin", "admin", "superuser"]
EXCLUDED_NAMESPACES = {"admin"}


@dataclass
class Expect:
    outcomes: str
    method: str = "GET"
    kwargs: dict = field(default_factory=dict)
    query: str = ""  # e.g. "?a=1&b=1"

    def __init__(self, outcomes, method="GET", query="", **kwargs):
        self.outcomes, self.method, self.query, self.kwargs = outcomes, method, query, kwargs

    def by_role(self):
        values = self.outcomes.split()
        assert len(values) == len(ROLES), f"{len(values)} outcomes for {len(ROLES)} roles: {self.outcomes!r}"
        return dict(zip(ROLES, values))


# The object a kwarg names unless the entry says otherwise (an attribute of the scene).
DEFAULT_KWARGS = {
    "report_pk": "report_a",
    "cycle_pk": "cycle",
    "number": "version_number",
}

#                     anon  sec_a sec_b  rev  o_rev o_adm adm  super
EXPECTED = {
    # --- reports: the secretary's own report; readers once submitted ---------------------
    "reports:home": Expect("login 200 200 200 200 200 200 200"),
    "reports:detail": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:editor": Expect("login 404 200 404 404 404 404 404", pk="report_b"),
    "reports:start": Expect("login 404 302 404 404 404 404 404", method="POST", pk="report_b"),
    "reports:autosave": Expect("login 404 400 404 404 404 404 404", method="POST", pk="report_b"),
    "reports:submit": Expect("login 404 200 404 404 404 404 404", pk="report_b"),  # GET: the confirmation
    "reports:check": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:preview": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:import": Expect("login 404 200 404 404 404 404 404", method="POST", pk="report_b"),
    "reports:import_confirm": Expect("login 404 200 404 404 404 404 404", method="POST", pk="report_b"),
    "reports:versions": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:version_diff": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:version_detail": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:report_pdf": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:report_docx": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:version_pdf": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    "reports:version_docx": Expect("login 200 404 200 404 404 200 200", pk="report_a"),
    # --- reviews: reviewers --------------------------------------------------------------
    "reviews:index": Expect("login 200 200 200 200 403 403 403"),
    "reviews:queue": Expect("login 404 404 200 404 404 404 404"),
    "reviews:review": Expect("login 404 404 200 404 404 404 404"),
    "reviews:question_ask": Expect("login 404 404 400 404 404 404 404", method="POST"),
    # The scene's results are published: no report goes back (issue 13) — a message and back (302).
    "reviews:report_return": Expect("login 404 404 302 404 404 302 302", method="POST"),
    # --- reviews: secretaries -------------------------------------------------------------
    "reviews:secretary_questions": Expect("login 200 404 404 404 404 404 404"),
    "reviews:secretary_result": Expect("login 200 404 404 404 404 404 404"),
    # Committee members may download result sheets once published (reviews/results/export_views.py).
    "reviews:result_pdf": Expect("login 200 404 200 404 404 200 200"),
    "reviews:result_docx": Expect("login 200 404 200 404 404 200 200"),
    # --- reviews: administrators ----------------------------------------------------------
    "reviews:admin_index": Expect("login 403 403 403 403 200 200 200"),
    "reviews:admin_cycle": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rubric": Expect("login 404 404 404 404 404 200 200"),
    "reviews:criterion_edit": Expect("login 404 404 404 404 404 200 200", pk="criterion"),
    "reviews:criterion_delete": Expect("login 404 404 404 404 404 302 302", method="POST", pk="criterion"),
    "reviews:result_settings": Expect("login 404 404 404 404 404 200 200"),
    "reviews:check_settings": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:assignments": Expect("login 404 404 404 404 404 200 200"),
    "reviews:assignment_remove": Expect("login 404 404 404 404 404 302 302", method="POST", pk="assignment"),
    "reviews:routine_scores": Expect("login 404 404 404 404 404 200 200"),
    "reviews:results": Expect("login 404 404 404 404 404 200 200"),
    "reviews:results_compute": Expect("login 404 404 404 404 404 302 302", method="POST"),
    # Publish, withdraw and close confirm first (GET: the consequences); the scene is published,
    # so the publish page sends the administrator back to the results.
    "reviews:cycle_publish": Expect("login 404 404 404 404 404 302 302"),
    "reviews:cycle_withdraw": Expect("login 404 404 404 404 404 200 200"),
    "reviews:cycle_close": Expect("login 404 404 404 404 404 200 200"),
    "reviews:result_override": Expect("login 404 404 404 404 404 200 200", pk="result"),
    "reviews:admin_report": Expect("login 404 404 404 404 404 200 200"),
    "reviews:summary_pdf": Expect("login 404 404 404 404 404 200 200"),
    "reviews:summary_docx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:notice": Expect("login 404 404 404 404 404 200 200"),
    "reviews:notice_reuse": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:notice_docx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:notice_pdf": Expect("login 404 404 404 404 404 200 200"),
    "reviews:feedback_docx": Expect("login 200 404 404 404 404 200 200"),
    "reviews:feedback_pdf": Expect("login 200 404 404 404 404 200 200"),
    "reviews:feedback_docx_zip": Expect("login 404 404 404 404 404 200 200"),
    "reviews:feedback_pdf_zip": Expect("login 404 404 404 404 404 200 200"),
    "reviews:summary_xlsx": Expect("login 404 404 404 404 404 200 200"),
    # The year's pages' old addresses under /reviews/admin/ redirect to /reviews/cycles/ (reviews/legacy_urls.py).
    "reviews:legacy_admin": Expect("301 301 301 301 301 301 301 301", rest="legacy_rest"),
    # the year's console (reviews/console/views.py)
    "reviews:cycle_setup": Expect("login 403 403 403 403 200 200 200"),
    "reviews:progress": Expect("login 404 404 404 404 404 200 200"),
    "reviews:progress_xlsx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:remind_late": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:remind": Expect("login 404 404 404 404 404 302 302", method="POST"),
    # --- health check for load balancers and docker-compose: no login (config/health.py)
    "healthz": Expect("200 200 200 200 200 200 200 200"),
    # --- background jobs (jobs/views.py): the administrators of the job's organization ----------
    "jobs:detail": Expect("login 404 404 404 404 404 200 200", pk="job"),
    "jobs:status": Expect("login 404 404 404 404 404 200 200", pk="job"),
    "jobs:download": Expect("login 404 404 404 404 404 200 200", pk="job"),
    "jobs:cycle_archive": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "jobs:summary": Expect("login 404 404 404 404 404 302 302", method="POST", extension="summary_extension"),
    # insight (reviews/insight/views.py): the file for the subtree's administrators and the
    # organization's own secretary; the analysis for the cycle's administrators; levels for administrators
    "reviews:organization_file": Expect("login 200 404 404 404 404 200 200", pk="branch_a"),
    "reviews:organization_file_pdf": Expect("login 200 404 404 404 404 200 200", pk="branch_a"),
    "reviews:cycle_analysis": Expect("login 404 404 404 404 404 200 200"),
    "reviews:levels": Expect("login 403 403 403 403 200 200 200"),
    # --- branches ---------------------------------------------------------------------------
    "branches:notifications": Expect("login 200 200 200 200 200 200 200"),
    "branches:notifications_read": Expect("login 302 302 302 302 302 302 302", method="POST"),
    "branches:audit_log": Expect("login 403 403 403 403 200 200 200"),
    # roster import and export (branches/roster_views.py); each administrator within their subtree
    "branches:roster": Expect("login 403 403 403 403 200 200 200"),
    "branches:roster_template": Expect("login 403 403 403 403 200 200 200"),
    "branches:roster_export": Expect("login 403 403 403 403 200 200 200"),
    "branches:roster_preview": Expect("login 403 403 403 403 400 400 400", method="POST"),
    # confirming runs the import as a job (jobs/roster_views.py); its passwords page is its requester's
    # alone (another administrator, even a superuser, finds no such job); no key in the session: 302
    "jobs:roster_apply": Expect("login 403 403 403 403 302 302 302", method="POST"),
    "jobs:roster_passwords": Expect("login 403 403 403 403 404 200 404", pk="roster_job"),
    "jobs:roster_passwords_download": Expect("login 403 403 403 403 404 302 404", pk="roster_job"),
    # organizations and people of the subtree (branches/people_views.py); Django's admin is for
    # superusers only (tests/branches/test_authority_matrix.py covers /admin/ by role)
    "branches:organizations": Expect("login 403 403 403 403 200 200 200"),
    "branches:organization": Expect("login 403 403 403 403 404 200 200", pk="branch_a"),
    "branches:organization_member_add": Expect("login 403 403 403 403 404 400 400", method="POST", pk="committee"),
    # the administrator removes the reviewer, so the superuser then finds no such member
    "branches:organization_member_remove": Expect(
        "login 403 403 403 403 404 302 404", method="POST", pk="committee", person_pk="reviewer"
    ),
    "branches:people": Expect("login 403 403 403 403 200 200 200"),
    "branches:person": Expect("login 403 403 403 403 404 200 200", pk="secretary_a"),
    "branches:person_password": Expect("login 403 403 403 403 404 200 200", pk="secretary_a"),
    # rectification (reviews/rectification/views.py): the organization's secretary and the cycle's administrators
    # A secretary without a problem list yet sees the empty page (the home page links it); only their own lists show.
    "reviews:rectification_index": Expect("login 200 200 403 403 200 200 200"),
    "reviews:rectification_plan": Expect("login 200 404 404 404 404 200 200", pk="rectification_plan"),
    "reviews:rectification_plan_lists_docx": Expect("login 200 404 404 404 404 200 200", pk="rectification_plan"),
    "reviews:rectification_plan_lists_xlsx": Expect("login 200 404 404 404 404 200 200", pk="rectification_plan"),
    "reviews:rectification_lists_docx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rectification_lists_xlsx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rectification_merge": Expect("login 404 404 404 404 404 302 302", method="POST", pk="rectification_plan"),
    # 审核通过 and 销号 confirm first (GET: the consequences, or why it cannot be done now).
    "reviews:rectification_plan_decide": Expect("login 404 404 404 404 404 200 200", pk="rectification_plan"),
    "reviews:rectification_proposal_decide": Expect("login 404 404 404 404 404 302 302", method="POST", pk="rectification_proposal"),
    "reviews:rectification_item": Expect("login 200 404 404 404 404 200 200", pk="rectification_item"),
    "reviews:rectification_item_edit": Expect("login 404 404 404 404 404 302 302", method="POST", pk="rectification_item"),
    "reviews:rectification_item_confirm": Expect("login 404 404 404 404 404 200 200", pk="rectification_item"),
    "reviews:rectification_item_reopen": Expect("login 404 404 404 404 404 302 302", method="POST", pk="rectification_item"),
    "reviews:rectification_evidence": Expect("login 200 404 404 404 404 200 200", pk="rectification_evidence"),
    "reviews:rectification_ledger": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rectification_generate": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:rectification_ledger_xlsx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rectification_ledger_pdf": Expect("login 404 404 404 404 404 200 200"),
    "reviews:rectification_ledger_docx": Expect("login 404 404 404 404 404 200 200"),
    # democratic evaluation (reviews/ballots/views.py): the cycle's administrators; the scene's is a draft
    "reviews:evaluation": Expect("login 404 404 404 404 404 200 200"),
    "reviews:evaluation_setup": Expect("login 404 404 404 404 404 200 200"),
    "reviews:evaluation_codes_pdf": Expect("login 404 404 404 404 404 200 200"),
    # opening and closing: GET is the confirmation page (closing a draft redirects back with a message)
    "reviews:evaluation_open": Expect("login 404 404 404 404 404 200 200"),
    "reviews:evaluation_close": Expect("login 404 404 404 404 404 302 302"),
    "reviews:evaluation_paper": Expect("login 404 404 404 404 404 200 200"),
    # the voters' phone pages: no login; the draft's code cannot vote yet (403 with the message)
    "vote:enter": Expect("200 200 200 200 200 200 200 200"),
    "vote:code": Expect("403 403 403 403 403 403 403 403", code="vote_code"),
    # rehearsal: the scene's cycle is published, so starting one is refused with a message
    "reviews:evaluation_rehearsal": Expect("login 404 404 404 404 404 302 302", method="POST"),
    # the review meeting (reviews/meeting/views.py): the cycle's administrators
    "reviews:meeting": Expect("login 404 404 404 404 404 200 200"),
    "reviews:meeting_console": Expect("login 404 404 404 404 404 200 200"),
    "reviews:meeting_confirm": Expect("login 404 404 404 404 404 200 200", action="meeting_confirm_action"),
    "reviews:meeting_record_pdf": Expect("login 404 404 404 404 404 200 200"),
    "reviews:meeting_record_docx": Expect("login 404 404 404 404 404 200 200"),
    "reviews:meeting_agenda": Expect("login 404 404 404 404 404 400 400", method="POST"),
    "reviews:meeting_attendees": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:meeting_checkin": Expect("login 404 404 404 404 404 302 302", method="POST", attendee_pk="attendee"),
    "reviews:meeting_screen_rotate": Expect("login 404 404 404 404 404 302 302", method="POST"),
    "reviews:meeting_action": Expect("login 404 404 404 404 404 400 400", method="POST"),
    "reviews:meeting_question": Expect("login 404 404 404 404 404 400 400", method="POST"),
    # the reviewer's jump to the current speaker: nobody speaks in the scene, back to the queue
    "reviews:current_speaker": Expect("login 404 404 302 404 404 404 404"),
    # the big screen and phone check-in: no login, the link is the key (a wrong one is a 404)
    "screen:page": Expect("200 200 200 200 200 200 200 200", token="screen_token"),
    "screen:state": Expect("200 200 200 200 200 200 200 200", token="screen_token"),
    "screen:checkin": Expect("200 200 200 200 200 200 200 200", token="checkin_token"),
}


# ----------------------------------------------------------------------------- the URLs


def url_patterns(resolver=None, namespace=""):
    """(full name, pattern) for every named URL pattern, recursively; Django's admin excepted."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"URL pattern {entry.pattern} has no name: name it and add it to EXPECTED")
            yield f"{namespace}{entry.name}", entry


def url_names():
    names = [name for name, _ in url_patterns() if not name.startswith("static")]
    return sorted(set(names))


def auth_expectations():
    # Django's own auth views (accounts/...) are not ours to police role by role; they must
    # simply answer everyone. They are listed so a new URL there is noticed too.
    return {
        "login": Expect("200 200 200 200 200 200 200 200"),
        "logout": Expect("405 405 405 405 405 405 405 405"),
        "password_change": Expect("login 200 200 200 200 200 200 200"),
        "password_change_done": Expect("login 200 200 200 200 200 200 200"),
        # Password reset exists only where mail is configured (not in the tests' settings):
        # tests/config/test_login_throttles.py checks it with mail.
        "password_reset": Expect("404 404 404 404 404 404 404 404"),
        "password_reset_done": Expect("404 404 404 404 404 404 404 404"),
        "password_reset_confirm": Expect("404 404 404 404 404 404 404 404", uidb64="uid", token="token"),
        "password_reset_complete": Expect("404 404 404 404 404 404 404 404"),
    }


ALL_EXPECTED = {**auth_expectations(), **EXPECTED}


# ----------------------------------------------------------------------------- the scene


class _FakeDocument:
    fonts, pages = {}, [None]

    def write_pdf(self):
        return b"%PDF-1.7 matrix"


class _FakeHTML:
    """Access is what this file checks: the PDF views run for real up to WeasyPrint's layout,
    which is skipped (seconds per document; tests/exports covers the documents)."""

    def __init__(self, *args, **kwargs):
        pass

    def render(self, **kwargs):
        return _FakeDocument()


@pytest.fixture(autouse=True)
def _no_pdf_layout(monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", _FakeHTML)


def scene():
    """The world plus one of everything the URLs' kwargs can name, built through the services."""
    w = build_world()
    w.uid, w.token = "MQ", "set-password"
    w.legacy_rest = f"cycle/{w.cycle.pk}/results/"
    w.category = ProblemCategory.objects.first()
    report_save_draft(
        report=w.report_a,
        by=w.secretary_a,
        data={"performance": "一、履职情况正文", "problems": "二、存在问题正文", "plans": "三、下一步打算正文"},
        base_revision=w.report_a.revision,
    )
    version = report_submit(report=w.report_a, by=w.secretary_a)
    w.version_number = version.number
    report_save_draft(
        report=w.report_b, by=w.secretary_b, data={"performance": "乙支部草稿"}, base_revision=w.report_b.revision
    )
    criteria = list(w.cycle.criteria.all())
    w.criterion = criteria[0]
    review_save(
        report=w.report_a,
        reviewer=w.reviewer,
        scores={c.pk: min(c.max_points, Decimal("18")) for c in criteria},
        comment="工作扎实。",
        problems=[{"text": "三会一课记录不规范", "category": w.category}],
        submit=True,
    )
    w.question = question_ask(report=w.report_a, by=w.reviewer, text="请说明发展党员工作的进展。")
    question_answer(question=w.question, by=w.secretary_a, answer="已发展2名。")
    # Democratic evaluation: a draft with its codes still printable (set up before
    # publication, which locks the ballot).
    evaluation_save(
        cycle=w.cycle,
        by=w.admin,
        title="民主测评",
        report_orders={w.report_a.pk: 0},
        groups=[{"name": "班子成员", "size": 2, "weight": Decimal(100)}],
        marks=[{"label": label, "factor": factor} for label, factor in DEFAULT_MARKS],
    )
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.result = Result.objects.get(report=w.report_a)
    # Rectification: report_a's problem list (from publication), its plan approved, evidence of progress.
    w.rectification_plan = RectificationPlan.objects.get(report=w.report_a)
    w.rectification_item = w.rectification_plan.items.get()
    entry = {"measures": "建立台账", "owner": "王书记", "deadline": "2026-06-30"}
    plan_save(plan=w.rectification_plan, by=w.secretary_a, entries={w.rectification_item.pk: entry}, submit=True)
    plan_approve(plan=w.rectification_plan, by=w.admin)
    progress = progress_report(
        item=w.rectification_item, by=w.secretary_a, text="已整改", files=[SimpleUploadedFile("佐证.pdf", b"%PDF-1.4\n%%EOF\n")]
    )
    w.rectification_evidence = progress.evidence.get()
    w.assignment = Assignment.objects.get(report=w.report_a, reviewer=w.reviewer)
    # A change a republication would offer for the approved list.
    w.rectification_proposal = ProblemListProposal.objects.create(
        plan=w.rectification_plan, publication=Publication.objects.get(cycle=w.cycle), kind="add", text="新问题", category=w.category
    )
    # A finished background job of the committee's cycle, started by its administrator.
    w.job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=w.admin, organization=w.committee, cycle=w.cycle, status=Job.Status.DONE,
        done=1, total=1, filename="汇总.pdf", params={"format": "pdf"},
    )
    w.job.file.save("summary.pdf", ContentFile(b"%PDF-1.7 job"))
    w.summary_extension = "pdf"
    w.roster_job = Job.objects.create(
        kind=Job.Kind.ROSTER, requested_by=w.admin, organization=w.committee, status=Job.Status.DONE, done=1, total=1
    )
    w.vote_code = BallotCode.objects.filter(group__evaluation__cycle=w.cycle).first().plain
    # The review meeting, its screen and check-in links, one expected attendee.
    meeting = meeting_save(cycle=w.cycle, by=w.admin, title="述职评议会")
    w.screen_token, w.checkin_token = meeting.screen_token, meeting.checkin_token
    w.meeting_confirm_action = "draw"
    group = VoterGroup.objects.get(evaluation__cycle=w.cycle)
    attendees_set(meeting=meeting, by=w.admin, names_by_group={group.pk: ["张三"]})
    w.attendee = Attendee.objects.get(meeting=meeting)
    for report in (w.report_a, w.report_b):
        report.refresh_from_db()
    assert Criterion.objects.filter(cycle=w.cycle).exists() and Question.objects.exists()
    return w


def resolve_kwargs(name, pattern, expect, w):
    kwargs = {}
    for kwarg in pattern.pattern.regex.groupindex:
        source = expect.kwargs.get(kwarg) or DEFAULT_KWARGS.get(kwarg)
        if source is None:
            raise AssertionError(
                f"{name}: unknown URL kwarg {kwarg!r} — say which object it names: "
                f"Expect(..., {kwarg}='<scene attribute>') or a DEFAULT_KWARGS entry"
            )
        if not hasattr(w, source):
            raise AssertionError(f"{name}: the scene has no {source!r} for kwarg {kwarg!r}; add it to scene()")
        value = getattr(w, source)
        kwargs[kwarg] = getattr(value, "pk", value)
    return kwargs


def outcome(response):
    if response.status_code == 302:
        return "login" if response.url.split("?")[0] == reverse("login") else "302"
    return str(response.status_code)


def request_as(client, user, method, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, {}) if method == "POST" else client.get(url)


# ----------------------------------------------------------------------------- the tests


def test_every_url_has_expectations():
    missing = [name for name in url_names() if name not in ALL_EXPECTED]
    assert not missing, f"URL patterns without an entry in tests/test_permission_matrix.py EXPECTED: {missing}"


def test_no_expectations_for_urls_that_are_gone():
    gone = sorted(set(ALL_EXPECTED) - set(url_names()))
    assert not gone, f"EXPECTED lists URL names that no longer exist: {gone}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", url_names())
def test_url_answers_each_role_as_expected(name, client):
    if name not in ALL_EXPECTED:
        pytest.fail(f"no expectation for URL {name!r}: add it to EXPECTED in tests/test_permission_matrix.py")
    expect = ALL_EXPECTED[name]
    expected = expect.by_role()
    patterns = dict(url_patterns())
    w = scene()
    url = reverse(name, kwargs=resolve_kwargs(name, patterns[name], expect, w)) + expect.query
    actual = {}
    for role in ROLES:
        user = None if role == "anonymous" else getattr(w, role)
        actual[role] = outcome(request_as(client, user, expect.method, url))
    mismatches = {role: f"expected {expected[role]}, got {actual[role]}" for role in ROLES if actual[role] != expected[role]}
    assert not mismatches, f"{name} ({expect.method} {url}):\n" + "\n".join(f"  {r}: {m}" for r, m in mismatches.items()) + (
        "\n  actual row: " + " ".join(actual[r] for r in ROLES)
    )
    if expect.method == "POST":
        client.force_login(w.superuser)
        assert client.get(url).status_code == 405, f"{name} is POST-only: a GET must answer 405"
