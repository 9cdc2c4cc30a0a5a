from django.contrib import admin

from branches.admin_mixins import ReadOnlyAdminMixin
from branches.permissions import administered_paths
from branches.selectors import subtree_q

from .models import FIGURES, Cycle, Report, ReportVersion
from .services import TEXT_FIELDS


class ReviewingOrganizationScopedAdmin(admin.ModelAdmin):
    """Staff see only the cycles (and their reports) of organizations they administer."""

    reviewing_organization_path = "organization__"  # lookup prefix to the cycle's reviewing organization

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(subtree_q(administered_paths(request.user), prefix=self.reviewing_organization_path))


class ReadOnlyAdmin(ReadOnlyAdminMixin, ReviewingOrganizationScopedAdmin):
    """Report text changes only through the secretary's editor (optimistic locking, versions on
    submission, audit) and is sent back through 退回修改: the admin only shows it."""


@admin.register(Cycle)
class CycleAdmin(ReviewingOrganizationScopedAdmin):
    """Dates and titles can be corrected here; state changes go through the services (启动、公布)."""

    list_display = ["title", "organization", "year", "status", "submission_deadline", "published_at"]
    list_filter = ["status", "year"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = ["organization", "year", "status", "published_at", "published_by", "created_at"]
    fields = [
        "organization",
        "year",
        "title",
        "submission_deadline",
        "review_deadline",
        "meeting_date",
        "status",
        "published_at",
        "published_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # a cycle is launched from the administrator's pages (rubric, reports, assignments)

    def has_delete_permission(self, request, obj=None):
        return False


class ReportVersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ["number", "submitted_at", "submitted_by", "is_late"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    reviewing_organization_path = "cycle__organization__"
    list_display = ["organization", "cycle", "status", "is_late", "submitted_at", "updated_at"]
    list_filter = ["status", "is_late", "cycle__year", "cycle"]
    search_fields = ["organization__name", "cycle__title"]
    list_select_related = ["organization", "cycle"]
    readonly_fields = [
        "cycle",
        "organization",
        "status",
        *TEXT_FIELDS,
        *FIGURES,
        "revision",
        "updated_at",
        "updated_by",
        "submitted_at",
        "is_late",
        "return_reason",
        "returned_at",
        "returned_by",
    ]
    inlines = [ReportVersionInline]


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    reviewing_organization_path = "report__cycle__organization__"
    list_display = ["report", "number", "submitted_at", "submitted_by", "is_late"]
    list_filter = ["is_late", "report__cycle__year"]
    search_fields = ["report__organization__name"]
    list_select_related = ["report__organization", "report__cycle", "submitted_by"]
    readonly_fields = ["report", "number", *TEXT_FIELDS, "figures", "submitted_at", "submitted_by", "is_late"]
