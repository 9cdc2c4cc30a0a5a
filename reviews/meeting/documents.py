"""The meeting's record (会议记录): agenda, attendance, speakers and their times, questions asked on
the spot, the ballot's result and quorum — as PDF (reports.pdf.render_pdf) and as a 公文 .docx (reports.word)."""

from django.utils import timezone

from branches.downloads import safe_filename
from reports.pdf import render_pdf
from reports.word import OfficialDocument, chinese_date


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
        spoken = minutes_seconds(speech.elapsed_seconds) if speech.started_at and not speech.in_writing else "—"
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
    """The record as a 公文 .docx (reports.word.OfficialDocument), the same content as the PDF."""
    facts = record_rows(context)
    meeting = context["meeting"]
    organization = context["cycle"].organization.name
    doc = OfficialDocument(title=f"{meeting.title}会议记录", author=organization)
    doc.title(f"{meeting.title}会议记录")
    when = chinese_date(meeting.date) if meeting.date else "未填写"
    doc.paragraph(f"时间：{when}　地点：{meeting.place or '未填写'}", indent=False)
    doc.heading("一、出席情况")
    doc.table(
        ["测评人类别", "应到", "实到（签到）"],
        [[line.group.name, line.expected, line.present] for line in context["attendance"]],
        align=["left", "center", "center"],
    )
    doc.heading("二、议程与述职")
    if meeting.drawn_at:
        drawn_by = meeting.drawn_by.display_name if meeting.drawn_by else ""
        doc.paragraph(
            f"述职顺序由{drawn_by}于{timezone.localtime(meeting.drawn_at):%Y年%m月%d日 %H:%M}抽签确定（随机种子 {meeting.draw_seed}）。"
        )
    else:
        doc.paragraph("述职顺序由组织部门确定。")
    doc.table(
        ["顺序", "党组织", "书记", "方式", "开始", "用时（限时）"],
        [
            [row["speech"].order, row["organization"], row["secretary"], row["way"], row["started"], f"{row['spoken']}（{row['limit']}）"]
            for row in facts["speech_rows"]
        ],
        align=["center", "left", "left", "center", "center", "center"],
    )
    doc.heading("三、现场提问")
    for row in facts["speech_rows"]:
        for question in row["questions"]:
            doc.paragraph(f"{question.asker}问{row['organization']}{row['secretary']}：{question.text}")
            if question.answer:
                doc.paragraph(f"答复要点：{question.answer}")
    if not facts["has_questions"]:
        doc.paragraph("无。")
    doc.heading("四、民主测评")
    for line in _ballot_lines(context):
        doc.paragraph(line)
    tallies = context.get("tallies")
    if tallies:
        marks = context["marks"]
        doc.table(
            ["党组织", *[m.label for m in marks], "实投/应到", "得分", "是否有效"],
            [
                [
                    str(tally.entry.report.organization),
                    *tally.overall.counts,
                    f"{tally.voted}/{tally.expected}",
                    tally.score if tally.score is not None and tally.stands else "—",
                    "有效" if tally.stands else "无效（未过半数）",
                ]
                for tally in tallies
            ],
        )
    doc.signature(organization, timezone.localdate())
    return doc.to_bytes()


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
