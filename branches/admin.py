"""Django admin for organizations and people, scoped to the administrator's subtree.

Superusers see everything. An administrator (staff, with model permissions) sees and
changes only the organizations of their subtree and the people attached to them.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q

from .models import AuditEntry, Organization, User
from .permissions import is_administrator_of
from .selectors import audit_entries_for_user, organizations_administered_by, users_attached_to
from .services import organization_create, organization_move


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "secretary", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "secretary__name", "secretary__username"]
    list_select_related = ["parent", "secretary"]
    autocomplete_fields = ["parent", "secretary"]
    filter_horizontal = ["committee_members", "administrators"]
    fields = ["name", "kind", "parent", "order", "secretary", "committee_members", "administrators"]
    ordering = ["path"]

    def get_queryset(self, request):
        return organizations_administered_by(request.user).select_related("parent", "secretary")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent" and not request.user.is_superuser:
            kwargs["queryset"] = organizations_administered_by(request.user)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The materialized path is maintained by the services, never by hand.
        if not change:
            created = organization_create(
                name=obj.name, kind=obj.kind, parent=obj.parent, secretary=obj.secretary, order=obj.order
            )
            obj.pk, obj.path = created.pk, created.path
            return
        if "parent" in form.changed_data:
            organization_move(organization=obj, parent=obj.parent)
        obj.save()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or is_administrator_of(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # Organizations carry reports and results; they are never deleted from here.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "phone", "is_active", "must_change_password", "last_login"]
    list_filter = ["is_active", "is_staff", "must_change_password"]
    search_fields = ["username", "name", "phone"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["name", "phone", "email"]}),
        ("状态", {"fields": ["is_active", "must_change_password", "last_login", "date_joined"]}),
        ("系统权限", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "name", "phone", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        organizations = organizations_administered_by(request.user)
        unattached = Q(led_organizations=None, committee_organizations=None, administered_organizations=None)
        return users.filter(users_attached_to(organizations) | unattached).distinct()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Administrators manage people, not system privileges.
        return [fs for fs in fieldsets if fs[0] != "系统权限"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "organization", "summary", "reason"]
    list_filter = ["action"]
    search_fields = ["summary", "reason", "actor__name", "actor__username"]
    list_select_related = ["actor", "organization"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return audit_entries_for_user(request.user)

    # Append-only: nobody adds, edits or deletes entries by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
