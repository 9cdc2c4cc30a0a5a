"""What each kind of job does. A runner gets the job, a binary file to write its result into and
`progress(done, total)`; it returns a RunResult. Every runner may run again from the start after
an interruption: it writes a fresh file, or skips what an earlier run already did."""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from branches.models import Notification
from branches.roster import RosterInvalid, roster_import, seal_to
from branches.services import notify
from jobs.models import Job
from reviews.console.progress import late_reports
from reviews.console.reminders import reminder_text
from reviews.results.archive import cycle_archive_filename, cycle_archive_write
from reviews.results.summary import summary_docx, summary_filename, summary_pdf, summary_workbook


class JobSuperseded(Exception):
    """This run is no longer the job's current one (it was taken for dead and queued again)."""


@dataclass
class RunResult:
    filename: str = ""
    outcome: str = ""


def run_cycle_archive(job, out, progress):
    formats = set(job.params.get("formats") or ["pdf", "docx", "xlsx"])
    count = cycle_archive_write(cycle=job.cycle, formats=formats, fileobj=out, progress=progress)
    return RunResult(filename=cycle_archive_filename(job.cycle), outcome=f"共 {count} 个文件")


SUMMARY_FORMATS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel"}


def run_summary(job, out, progress):
    extension = job.params["format"]
    progress(0, 1)
    if extension == "pdf":
        rendered = summary_pdf(job.cycle)
        out.write(rendered.content)
        outcome = f"{rendered.page_count} 页"
    elif extension == "docx":
        out.write(summary_docx(job.cycle))
        outcome = "Word 文档"
    else:
        out.write(summary_workbook(job.cycle))
        outcome = "Excel 工作簿"
    progress(1, 1)
    return RunResult(filename=summary_filename(job.cycle, extension), outcome=outcome)


# Reminders are written this many at a time (one INSERT, one mail connection, one progress step).
REMINDER_BATCH = 200


def run_reminders(job, out, progress):
    """Remind every late secretary, a batch at a time; a secretary an earlier run of this job
    already reminded (the same text since the job was started) is not reminded twice."""
    if not job.cycle.accepts_reports:
        raise ValidationError("本年度述职报告收集已结束。")
    reports = list(late_reports(job.cycle))
    total = len(reports)
    url = reverse("reports:home")
    progress(0, total)
    sent = set(
        Notification.objects.filter(created_at__gte=job.created_at, url=url)
        .filter(text__in={reminder_text(report) for report in reports})
        .values_list("user_id", "text")
    )
    for start in range(0, total, REMINDER_BATCH):
        texts = {}
        for report in reports[start : start + REMINDER_BATCH]:
            secretary, text = report.organization.secretary, reminder_text(report)
            if (secretary.pk, text) not in sent:
                texts.setdefault(text, []).append(secretary)
                sent.add((secretary.pk, text))
        with transaction.atomic():
            for text, users in texts.items():
                notify(users=users, text=text, url=url, email=True)
        progress(min(start + REMINDER_BATCH, total), total)
    return RunResult(outcome=f"已提醒 {total} 个逾期未提交的党组织书记")


ROSTER_CHANGED_ERROR = "名册在预览后发生了变化，导入前检查发现错误，请重新上传并预览。"


def run_roster(job, out, progress):
    """Import the previewed roster as its administrator. Each batch of new accounts is committed
    with its initial passwords sealed to the administrator's public key (jobs.Job.sealed), so a run
    after an interruption finds the accounts an earlier run created (never creates them twice) and
    their passwords are still delivered with the rest."""
    public_key = base64.b64decode(job.params["public_key"])

    def keep(records):
        # Inside the batch's transaction: a superseded run adds nothing (and its accounts roll back).
        current = Job.objects.select_for_update().filter(pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING).first()
        if current is None:
            raise JobSuperseded
        box = seal_to(public_key, json.dumps(records, ensure_ascii=False).encode())
        current.sealed.append({"usernames": [r["username"] for r in records], "box": base64.b64encode(box).decode()})
        current.save(update_fields=["sealed"])

    try:
        outcome = roster_import(
            content=base64.b64decode(job.params["content"]),
            by=job.requested_by,
            own_accounts={username for part in job.sealed for username in part["usernames"]},
            on_accounts=keep,
            progress=progress,
        )
    except RosterInvalid as invalid:
        raise ValidationError(ROSTER_CHANGED_ERROR) from invalid
    counts = outcome.counts
    return RunResult(
        outcome=(
            f"名册已导入：新增{counts['new']}个党组织，修改{counts['changed']}个，"
            f"新建{counts['new_accounts']}个账号，增加{counts['new_members']}名班子成员"
        )
    )


RUNNERS = {
    "cycle_archive": run_cycle_archive,
    "summary": run_summary,
    "reminders": run_reminders,
    "roster": run_roster,
}
