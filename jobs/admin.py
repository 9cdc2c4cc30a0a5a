from django.contrib import admin

from branches.admin_mixins import ReadOnlyAdminMixin
from jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Background jobs, for the system administrator looking into one that failed or waits."""

    list_display = ["pk", "kind", "status", "done", "total", "attempts", "requested_by", "organization", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["requested_by", "organization"]
    # The roster content and the sealed passwords are nobody's to read here.
    exclude = ["params", "sealed"]
