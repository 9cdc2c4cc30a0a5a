"""What the rectification services share: the event record, row locks, recipients, URLs."""


from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.models import RectificationEvent, RectificationItem, RectificationPlan

Kind = RectificationEvent.Kind
ItemStatus = RectificationItem.Status
PlanStatus = RectificationPlan.Status


def record_event(plan, by, kind, *, item=None, text="", reason=""):
    return RectificationEvent.objects.create(plan=plan, item=item, kind=kind, text=text, reason=reason, actor=by)


def plan_url(plan):
    return reverse("reviews:rectification_plan", args=[plan.pk])


def item_url(item):
    return reverse("reviews:rectification_item", args=[item.pk])


def administrators_of(plan):
    return list(plan.report.cycle.organization.administrators.all())


def secretary_of(plan):
    return [plan.report.organization.secretary] if plan.report.organization.secretary_id else []


def lock_plan(plan):
    return RectificationPlan.objects.select_for_update(of=("self",)).select_related(
        "report__organization__secretary", "report__cycle__organization"
    ).get(pk=plan.pk)


def lock_item(item):
    return RectificationItem.objects.select_for_update(of=("self",)).select_related(
        "plan__report__organization__secretary", "plan__report__cycle__organization", "category"
    ).get(pk=item.pk)


def require(allowed, message):
    if not allowed:
        raise ValidationError(message)
