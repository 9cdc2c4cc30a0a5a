from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """Django's admin with the superuser-only site of config/admin.py."""

    default_site = "config.admin.SuperuserAdminSite"
