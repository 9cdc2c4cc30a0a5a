"""Django admin for organizations and people: superusers only (config/admin.py).

Subtree administrators maintain their organizations and people on the application's own,
scoped pages (branches/people_views.py).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .admin_mixins import ReadOnlyAdminMixin
from .models import AuditEntry, Organization, User
from .selectors import audit_entries_for_user
from .services import organization_create, organization_move


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = "__all__"

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        organization = self.instance
        # A move under itself or its own subtree would make the tree a loop (organization_move refuses it).
        if parent is not None and organization.pk and organization.path and parent.path.startswith(organization.path):
            raise forms.ValidationError("不能把党组织移动到它自己或它的下级之下。")
        return parent


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "kind", "parent", "secretary", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "secretary__name", "secretary__username"]
    list_select_related = ["parent", "secretary"]
    autocomplete_fields = ["parent", "secretary"]
    filter_horizontal = ["committee_members", "administrators"]
    fields = ["name", "kind", "parent", "order", "secretary", "committee_members", "administrators"]
    ordering = ["path"]

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

    def has_delete_permission(self, request, obj=None):
        # Organizations carry reports and results; they are never deleted from here.
        return False


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Append-only: nobody adds, edits or deletes entries by hand.
    list_display = ["created_at", "actor", "action", "organization", "summary", "reason"]
    list_filter = ["action"]
    search_fields = ["summary", "reason", "actor__name", "actor__username"]
    list_select_related = ["actor", "organization"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return audit_entries_for_user(request.user)
