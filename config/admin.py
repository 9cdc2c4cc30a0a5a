"""Django's admin site, for superusers only.

Organization departments (subtree administrators) maintain their organizations and people on the
application's own pages (branches.people_views), whose forms are scoped to their subtree. The admin
offers every user of the system, sets passwords and grants staff, groups and permissions; scoping all
of that safely would mean re-checking every form and change view Django adds, so it stays with the
superuser."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.shortcuts import render

from branches.throttles import client_address, login_address


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "请输入系统管理员的账号和密码。系统管理后台只供系统管理员（超级用户）使用。",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise self.get_invalid_login_error()


class SuperuserAdminSite(admin.AdminSite):
    site_header = "述评 · 党组织书记抓基层党建工作述职评议考核"
    site_title = "述评管理"
    index_title = "系统管理"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        # The same limit per address as the app's login (branches.views.LoginView): otherwise
        # this form is a second door for spraying one password over every account.
        if request.method == "POST" and login_address.exceeded(client_address(request)):
            context = {"minutes": login_address.window // 60}
            return render(request, "registration/address_locked_out.html", context, status=429)
        return super().login(request, extra_context)
