"""What every app's Django admin shares."""


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted by hand: such rows change only through the
    application's services, which keep the history and the audit log."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
