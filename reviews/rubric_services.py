"""The cycle's rubric (评价指标) and result settings: editable until scores and publication lock them."""

from decimal import InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max

from branches.models import AuditEntry
from reviews.common import audit_change, decimal_or_none, ensure_not_published, is_half_step
from reviews.computation import points_text
from reviews.models import Criterion, ResultSettings
from reviews.selectors import rubric_is_locked

# ---------------------------------------------------------------- rubric and settings


def _ensure_rubric_editable(cycle):
    ensure_not_published(cycle)
    if rubric_is_locked(cycle):
        raise ValidationError("已有评议人打分，评价指标已锁定，不能再修改。")


@transaction.atomic
def criterion_save(*, cycle, by, name, max_points, description="", order=None, criterion=None):
    """Create a criterion of the cycle's rubric, or change `criterion`. Only before the first score."""
    _ensure_rubric_editable(cycle)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写指标名称。"
    elif cycle.criteria.filter(name=name).exclude(pk=getattr(criterion, "pk", None)).exists():
        errors["name"] = f"本年度已有名为“{name}”的指标。"
    try:
        max_points = decimal_or_none(max_points)
    except InvalidOperation:
        max_points = None
    if max_points is None or max_points <= 0 or max_points > 100 or not is_half_step(max_points):
        errors["max_points"] = "满分须为 0.5 到 100 之间的整分或半分。"
    if errors:
        raise ValidationError(errors)
    if order is None:  # a new criterion goes last; users count from 1
        order = criterion.order if criterion else (cycle.criteria.aggregate(last=Max("order"))["last"] or 0) + 1
    old = {"name": criterion.name, "max_points": str(criterion.max_points)} if criterion else {}
    criterion = criterion or Criterion(cycle=cycle)
    criterion.name, criterion.max_points = name, max_points
    criterion.description, criterion.order = (description or "").strip(), order
    criterion.save()
    audit_change(
        cycle, by, AuditEntry.Action.SETTINGS_CHANGED,
        f"{'修改' if old else '增加'}评价指标“{name}”（{points_text(max_points)}分）",
        obj=cycle,
        changes={"old": old, "new": {"name": name, "max_points": str(max_points)}},
    )
    return criterion


@transaction.atomic
def criterion_delete(*, criterion, by):
    cycle = criterion.cycle
    _ensure_rubric_editable(cycle)
    criterion.delete()
    audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"删除评价指标“{criterion.name}”", obj=cycle)


@transaction.atomic
def rubric_copy(*, cycle, source, by):
    """Replace the cycle's criteria with a copy of another cycle's (e.g. last year's)."""
    _ensure_rubric_editable(cycle)
    if source.organization_id != cycle.organization_id or source.pk == cycle.pk:
        raise ValidationError("只能复制本组织其他年度的评价指标。")
    cycle.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(cycle=cycle, name=c.name, description=c.description, max_points=c.max_points, order=c.order)
            for c in source.criteria.all()
        ]
    )
    audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"从“{source}”复制评价指标", obj=cycle)


SETTINGS_FIELDS = [
    "aggregation",
    "review_weight",
    "routine_weight",
    "ballot_weight",
    "threshold_excellent",
    "threshold_good",
    "threshold_fair",
    "label_excellent",
    "label_good",
    "label_fair",
    "label_poor",
    "top_grade_cap_numerator",
    "top_grade_cap_denominator",
    "show_rank",
    "show_reviewer_names",
]
WEIGHT_FIELDS = ["review_weight", "routine_weight", "ballot_weight"]
THRESHOLD_FIELDS = ["threshold_excellent", "threshold_good", "threshold_fair"]
LABEL_FIELDS = ["label_excellent", "label_good", "label_fair", "label_poor"]


def _clean_settings(values):
    errors = {}
    if values["aggregation"] not in ResultSettings.Aggregation.values:
        errors["aggregation"] = "请选择评议得分计算方式。"
    for name in WEIGHT_FIELDS + THRESHOLD_FIELDS:
        value = values[name]
        if value is None or not (0 <= value <= 100):
            errors[name] = "须为 0 到 100 之间的数。"
    if not errors and sum(values[name] for name in WEIGHT_FIELDS) != 100:
        errors[NON_FIELD_ERRORS] = [
            f"各项权重之和须为 100，当前为 {points_text(sum(values[name] for name in WEIGHT_FIELDS))}。"
        ]
    excellent, good, fair = (values[name] for name in THRESHOLD_FIELDS)
    if not errors and not (excellent >= good >= fair):
        errors["threshold_good"] = "等次分数线须从高到低：第一等次 ≥ 第二等次 ≥ 第三等次。"
    labels = [(values[name] or "").strip() for name in LABEL_FIELDS]
    for name, label in zip(LABEL_FIELDS, labels, strict=True):
        if not label:
            errors[name] = "请填写等次名称。"
    if all(labels) and len(set(labels)) < len(labels):
        errors["label_poor"] = "四个等次的名称不能重复。"
    numerator, denominator = values["top_grade_cap_numerator"], values["top_grade_cap_denominator"]
    if (numerator is None) != (denominator is None):
        errors["top_grade_cap_denominator"] = "比例上限须同时填写分子和分母，或都不填。"
    elif denominator is not None and (denominator == 0 or numerator > denominator):
        errors["top_grade_cap_denominator"] = "比例上限的分母须大于 0，且分子不大于分母。"
    if errors:
        raise ValidationError(errors)
    return {**values, **dict(zip(LABEL_FIELDS, labels, strict=True))}


@transaction.atomic
def result_settings_update(*, settings, data, by):
    """Change a cycle's result settings. `data` holds any of SETTINGS_FIELDS, already typed."""
    cycle = settings.cycle
    ensure_not_published(cycle)
    values = {name: data.get(name, getattr(settings, name)) for name in SETTINGS_FIELDS}
    values = _clean_settings(values)
    changes = {
        name: {"old": str(getattr(settings, name)), "new": str(value)}
        for name, value in values.items()
        if getattr(settings, name) != value
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save(update_fields=SETTINGS_FIELDS)
    if changes:
        audit_change(cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"修改“{cycle}”的结果设置", obj=cycle, changes=changes)
    return settings
