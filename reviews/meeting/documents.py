"""The meeting's record (会议记录): agenda, attendance, speakers and their times, questions asked on
the spot, the ballot's result and quorum — as PDF (reports.pdf.render_pdf) and as .docx."""

import io

from django.utils import timezone
from docx import Document
from docx.shared import Pt

from branches.downloads import safe_filename
from reports.pdf import render_pdf

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def minutes_seconds(seconds):
    return f"{seconds // 60}分{seconds % 60:02d}秒"


def record_rows(context):
    """The record's facts, shared by the PDF and the .docx: [(heading, [lines or table])]."""
    meeting = context["meeting"]
    rows = []
    for speech in context["speeches"]:
        organization = speech.report.organization
        secretary = organization.secretary.display_name if organization.secretary else ""
        started = timezone.localtime(speech.started_at).strftime("%H:%M") if speech.started_at else "—"
        spoken = minutes_seconds(speech.elapsed_seconds) if speech.started_at else "—"
        over = speech.started_at is not None and speech.elapsed_seconds > speech.time_limit_minutes * 60
        rows.append(
            {
                "speech": speech,
                "organization": organization.name,
                "secretary": secretary,
                "way": "书面述职" if speech.in_writing else "现场述职",
                "started": started,
                "spoken": spoken + ("（超时）" if over else ""),
                "limit": f"{speech.time_limit_minutes}分钟",
                "questions": list(speech.questions.all()),
            }
        )
    return {"meeting": meeting, "speech_rows": rows, "has_questions": any(row["questions"] for row in rows)}


def record_pdf(context):
    return render_pdf(
        "pdf/meeting_record.html",
        {**context, **record_rows(context), "generated_at": timezone.localtime()},
        stylesheets=("sheet.css",),
    ).content


def record_docx(context):
    """The record as .docx (宋体 body; headings 黑体), the same content as the PDF."""
    facts = record_rows(context)
    meeting = context["meeting"]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "宋体")
    document.add_heading(f"{meeting.title}会议记录", level=0)
    document.add_paragraph(
        f"时间：{meeting.date:%Y年%m月%d日}" if meeting.date else "时间：未填写"
    ).add_run(f"　地点：{meeting.place or '未填写'}")
    document.add_heading("一、出席情况", level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["测评人类别", "应到", "实到（签到）"], strict=True):
        cell.text = text
    for line in context["attendance"]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = line.group.name, str(line.expected), str(line.present)
    document.add_heading("二、议程与述职", level=1)
    if meeting.drawn_at:
        drawn_by = meeting.drawn_by.display_name if meeting.drawn_by else ""
        document.add_paragraph(
            f"述职顺序由{drawn_by}于{timezone.localtime(meeting.drawn_at):%Y年%m月%d日 %H:%M}抽签确定（随机种子 {meeting.draw_seed}）。"
        )
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["顺序", "党组织", "书记", "方式", "开始", "用时（限时）"], strict=True):
        cell.text = text
    for row in facts["speech_rows"]:
        cells = table.add_row().cells
        values = [str(row["speech"].order), row["organization"], row["secretary"], row["way"], row["started"], f"{row['spoken']}（{row['limit']}）"]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.add_heading("三、现场提问", level=1)
    asked = False
    for row in facts["speech_rows"]:
        for question in row["questions"]:
            asked = True
            document.add_paragraph(f"{question.asker}问{row['organization']}{row['secretary']}：{question.text}")
            if question.answer:
                document.add_paragraph(f"答复要点：{question.answer}")
    if not asked:
        document.add_paragraph("无。")
    document.add_heading("四、民主测评", level=1)
    for line in _ballot_lines(context):
        document.add_paragraph(line)
    tallies = context.get("tallies")
    if tallies:
        marks = context["marks"]
        table = document.add_table(rows=1, cols=len(marks) + 4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["党组织", *[m.label for m in marks], "实投/应到", "得分", "是否有效"], strict=True):
            cell.text = text
        for tally in tallies:
            cells = table.add_row().cells
            values = [
                str(tally.entry.report.organization),
                *[str(n) for n in tally.overall.counts],
                f"{tally.voted}/{tally.expected}",
                str(tally.score) if tally.score is not None and tally.stands else "—",
                "有效" if tally.stands else "无效（未过半数）",
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ballot_lines(context):
    evaluation = context.get("evaluation")
    if evaluation is None:
        return ["本次会议未进行民主测评。"]
    participation = context["participation"]
    lines = [
        f"{evaluation.title}（{evaluation.get_mode_display()}，状态：{evaluation.get_status_display()}）。",
        f"应到{participation.expected}人，发出测评码{participation.expected}个，收回（实投）{participation.voted}票，"
        f"收回不超过发出；{'须过半数参加方为有效' if evaluation.quorum_required else '不要求过半数'}，"
        f"{'已过半数' if participation.quorum_met else '未过半数'}。",
    ]
    if context.get("tallies") is None:
        lines.append("测评尚未结束，结果待测评结束后统计。")
    return lines


def record_filename(meeting, extension):
    return safe_filename(f"{meeting.title}会议记录") + f".{extension}"
