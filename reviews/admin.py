"""Django admin for the review workflow, scoped to the cycles the user administers.

Only the problem categories (a global list) and, before the first score, the criteria are
edited here. Reviews, results and their history are changed through the application's
pages, whose services keep the change history and audit log; here they are read-only.
"""

from django.contrib import admin

from branches.admin_mixins import ReadOnlyAdminMixin
from reviews.models import (
    Assignment,
    Criterion,
    ProblemCategory,
    Question,
    Result,
    ResultSettings,
    Review,
    ReviewChange,
)
from reviews.selectors import cycles_administered_by, rubric_is_locked


class CycleScopedAdmin(admin.ModelAdmin):
    """Rows of the cycles the user administers (superusers: all). `cycle_path` leads to the cycle."""

    cycle_path = "cycle"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.cycle_path}__in": cycles_administered_by(request.user)})


class ReadOnlyAdmin(ReadOnlyAdminMixin, CycleScopedAdmin):
    pass


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]

    def has_delete_permission(self, request, obj=None):
        # A category in use stays (problems refer to it); an unused one may go.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.problems.exists())


@admin.register(Criterion)
class CriterionAdmin(CycleScopedAdmin):
    list_display = ["name", "cycle", "max_points", "order"]
    list_filter = ["cycle"]
    list_select_related = ["cycle"]
    fields = ["cycle", "name", "description", "max_points", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cycle" and not request.user.is_superuser:
            kwargs["queryset"] = cycles_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # The rubric is locked once anyone has scored.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not (obj.cycle.is_closed or rubric_is_locked(obj.cycle)))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(ResultSettings)
class ResultSettingsAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "aggregation", "review_weight", "routine_weight", "ballot_weight"]
    list_select_related = ["cycle"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    cycle_path = "report__cycle"
    list_display = ["report", "reviewer", "created_at"]
    list_filter = ["report__cycle"]
    list_select_related = ["report__organization", "report__cycle", "reviewer"]
    search_fields = ["report__organization__name", "reviewer__name", "reviewer__username"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    cycle_path = "report__cycle"
    list_display = ["report", "reviewer", "status", "version", "submitted_at", "updated_at"]
    list_filter = ["status", "report__cycle"]
    list_select_related = ["report__organization", "report__cycle", "reviewer", "version"]
    search_fields = ["report__organization__name", "reviewer__name", "reviewer__username"]


@admin.register(ReviewChange)
class ReviewChangeAdmin(ReadOnlyAdmin):
    cycle_path = "review__report__cycle"
    list_display = ["review", "changed_by", "changed_at"]
    list_select_related = ["review__report__organization", "review__report__cycle", "review__reviewer", "changed_by"]
    fields = ["review", "changed_by", "changed_at", "old", "new"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    cycle_path = "report__cycle"
    list_display = ["report", "asked_by", "asked_at", "answered_at"]
    list_select_related = ["report__organization", "report__cycle", "asked_by"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    cycle_path = "report__cycle"
    list_display = ["report", "total", "rank", "computed_grade", "grade", "override_reason", "computed_at"]
    list_filter = ["report__cycle", "grade"]
    list_select_related = ["report__organization", "report__cycle"]
