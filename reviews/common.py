"""What every room's services share: the cycle's locks, input cleaning, the audit trail, notices."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.services import audit_record, notify
from reports.models import Cycle
from reviews.models import ResultSettings

# ---------------------------------------------------------------- helpers

CLOSED_MESSAGE = "本年度述职评议已结束，所有内容已锁定，不能再修改。"
PUBLISHED_MESSAGE = "本年度结果已公布，评议、得分和设置已锁定；如需修改，请先撤回公布。"
REVIEW_LOCKED_MESSAGE = "本年度结果已公布，评议已锁定，不能再修改；如确需修改，请联系组织部门撤回公布。"


def ensure_open(cycle):
    # Asks the database: the caller's cycle object may predate the closing.
    if Cycle.objects.filter(pk=cycle.pk, status=Cycle.Status.CLOSED).exists():
        raise ValidationError(CLOSED_MESSAGE)


def ensure_not_published(cycle, message=PUBLISHED_MESSAGE):
    """Published results are a record: what they were computed from changes only after 撤回公布."""
    ensure_open(cycle)
    if Cycle.objects.filter(pk=cycle.pk, published_at__isnull=False).exists():
        raise ValidationError(message)


def lock_cycle(cycle):
    """The cycle's row, locked: publish, withdraw, compute and close serialise on it, and each
    re-checks the state it changes inside the lock (parallel clicks give one change)."""
    return Cycle.objects.select_for_update(of=("self",)).select_related("organization").get(pk=cycle.pk)


def decimal_or_none(value):
    """Decimal from a form value, or None when empty. Raises InvalidOperation on garbage."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return Decimal(str(value).strip())


def clean_text(value, *, field, label, max_length, required=True):
    """The stripped text, or ValidationError on `field` when empty (if `required`) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"})
    if len(text) > max_length:
        raise ValidationError({field: f"{label}最多 {max_length} 字，当前 {len(text)} 字。"})
    return text


def is_half_step(value):
    return (value * 2) == (value * 2).to_integral_value()


def audit(cycle, by, action, summary, **kwargs):
    """Record an action of the review workflow; the reviewing organization's administrators see it."""
    return audit_record(organization=cycle.organization, actor=by, action=action, summary=summary, **kwargs)


def audit_change(cycle, by, action, summary, **kwargs):
    """Record a change the results depend on, and mark them for recomputation."""
    ResultSettings.objects.filter(cycle=cycle).update(results_changed_at=timezone.now())
    return audit(cycle, by, action, summary, **kwargs)


def notify_secretaries(cycle, text, url):
    """Notify the secretary of every organization taking part in the cycle."""
    reports = cycle.reports.select_related("organization__secretary")
    return notify(users={r.organization.secretary for r in reports} - {None}, text=text, url=url, email=True)


def upsert_with_changes(model, field, *, existing, values, new, label, default=None, show=None):
    """Write `values` {key: value} into `field`: rows in `existing` {key: row} are updated, the
    others made by `new(key, value)`; unchanged values are skipped. Two queries, whatever the
    number of rows. Returns the change log {label(key): {"old": …, "new": …}} (values through
    `show`, as they are by default) for the audit trail."""
    show = show or (lambda value: value)
    changed, created, changes = [], [], {}
    for key, value in values.items():
        row = existing.get(key)
        old = getattr(row, field) if row else default
        if old == value:
            continue
        changes[label(key)] = {"old": show(old), "new": show(value)}
        if row is None:
            created.append(new(key, value))
        else:
            setattr(row, field, value)
            changed.append(row)
    model.objects.bulk_update(changed, [field])
    model.objects.bulk_create(created)
    return changes
