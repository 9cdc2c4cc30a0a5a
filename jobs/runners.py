"""What each kind of job does. A runner gets the job, a binary file to write its result into and
`progress(done, total)`; it returns a RunResult. Every runner may run again from the start after
an interruption: it writes a fresh file, or skips what an earlier run already did."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from branches.models import Notification
from branches.services import notify
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


RUNNERS = {
    "cycle_archive": run_cycle_archive,
    "summary": run_summary,
    "reminders": run_reminders,
}
