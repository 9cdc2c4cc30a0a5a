"""Forms of the democratic evaluation: they parse; the rules live in reviews.ballots.services."""

from django import forms

from reviews.ballots.services import DEFAULT_GROUPS, DEFAULT_MARKS, MAX_MARKS
from reviews.models import Evaluation

GROUP_ROWS = 5


class EvaluationSetupForm(forms.Form):
    """Title, closing time, the organizations on the ballot (with meeting order), up to
    GROUP_ROWS voter groups and MAX_MARKS marks. Empty group and mark rows are ignored."""

    title = forms.CharField(label="测评会议名称", max_length=120)
    closes_at = forms.DateTimeField(
        label="投票截止时间（可不填，由管理员手动结束）",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    mode = forms.ChoiceField(label="投票方式", choices=Evaluation.Mode.choices, initial=Evaluation.Mode.ONCE, required=False)
    quorum_required = forms.BooleanField(
        label="须过半数（超过应到人数的一半）参加，测评方为有效", required=False, initial=True
    )
    best_limit = forms.ChoiceField(
        label="每张票“好”的数量（仅集中测评）", choices=Evaluation.BestLimit.choices, required=False, initial=""
    )
    abstain_label = forms.CharField(
        label="不计分选项（如“不了解”，可不设）", max_length=10, required=False, initial=""
    )

    def __init__(self, *args, reports, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = reports
        entries = {entry.report_id: entry.order for entry in evaluation.entries.all()} if evaluation else None
        groups = (
            [(g.name, g.size, g.weight) for g in evaluation.groups.all()] if evaluation else DEFAULT_GROUPS
        )
        marks = [(m.label, m.factor) for m in evaluation.marks.all() if not m.abstain] if evaluation else DEFAULT_MARKS
        if evaluation:
            self.initial.update(
                {
                    "title": evaluation.title,
                    "closes_at": evaluation.closes_at,
                    "mode": evaluation.mode,
                    "quorum_required": evaluation.quorum_required,
                    "best_limit": evaluation.best_limit,
                    "abstain_label": next((m.label for m in evaluation.marks.all() if m.abstain), ""),
                }
            )
        for index, report in enumerate(reports):
            # Default: every organization with a submitted report, in the organizations' order.
            on = report.pk in entries if entries is not None else report.is_submitted
            order = entries[report.pk] + 1 if entries and report.pk in entries else index + 1
            self.fields[f"entry_{report.pk}"] = forms.BooleanField(label=str(report.organization), required=False, initial=on)
            self.fields[f"order_{report.pk}"] = forms.IntegerField(
                label="顺序", required=False, min_value=0, initial=order
            )
        for index in range(GROUP_ROWS):
            name, size, weight = groups[index] if index < len(groups) else ("", None, None)
            self.fields[f"group_name_{index}"] = forms.CharField(label="测评人类别", max_length=30, required=False, initial=name)
            self.fields[f"group_size_{index}"] = forms.IntegerField(label="人数", required=False, min_value=1, initial=size)
            self.fields[f"group_weight_{index}"] = forms.DecimalField(
                label="权重", required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=weight
            )
        for index in range(MAX_MARKS):
            label, factor = marks[index] if index < len(marks) else ("", None)
            self.fields[f"mark_label_{index}"] = forms.CharField(label="评价", max_length=10, required=False, initial=label)
            self.fields[f"mark_factor_{index}"] = forms.DecimalField(
                label="折算系数", required=False, min_value=0, max_value=1, max_digits=4, decimal_places=3, initial=factor
            )

    def entry_rows(self):
        return [(report, self[f"entry_{report.pk}"], self[f"order_{report.pk}"]) for report in self.reports]

    def group_rows(self):
        return [
            (self[f"group_name_{i}"], self[f"group_size_{i}"], self[f"group_weight_{i}"]) for i in range(GROUP_ROWS)
        ]

    def mark_rows(self):
        return [(self[f"mark_label_{i}"], self[f"mark_factor_{i}"]) for i in range(MAX_MARKS)]

    def clean(self):
        data = super().clean()
        for index in range(GROUP_ROWS):
            name = (data.get(f"group_name_{index}") or "").strip()
            if name and (data.get(f"group_size_{index}") is None or data.get(f"group_weight_{index}") is None):
                self.add_error(f"group_size_{index}", "请填写该类测评人的人数和权重。")
        for index in range(MAX_MARKS):
            label = (data.get(f"mark_label_{index}") or "").strip()
            if label and data.get(f"mark_factor_{index}") is None:
                self.add_error(f"mark_factor_{index}", "请填写折算系数。")
        return data

    def service_arguments(self):
        data = self.cleaned_data
        report_orders = {
            report.pk: data.get(f"order_{report.pk}") or 0 for report in self.reports if data.get(f"entry_{report.pk}")
        }
        groups = [
            {
                "name": data[f"group_name_{i}"].strip(),
                "size": data[f"group_size_{i}"],
                "weight": data[f"group_weight_{i}"],
            }
            for i in range(GROUP_ROWS)
            if (data.get(f"group_name_{i}") or "").strip()
        ]
        marks = [
            {"label": data[f"mark_label_{i}"].strip(), "factor": data[f"mark_factor_{i}"]}
            for i in range(MAX_MARKS)
            if (data.get(f"mark_label_{i}") or "").strip()
        ]
        return {
            "title": data["title"],
            "closes_at": data.get("closes_at"),
            "report_orders": report_orders,
            "groups": groups,
            "marks": marks,
            "mode": data.get("mode") or Evaluation.Mode.ONCE,
            "quorum_required": data["quorum_required"],
            "best_limit": data.get("best_limit") or "",
            "abstain_label": data.get("abstain_label") or "",
        }
