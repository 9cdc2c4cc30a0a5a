from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.db.models.signals import post_migrate

from .throttles import login_failed


def create_cache_table(*, using, **kwargs):
    """The database cache's table, made wherever the schema is (`migrate`, test databases).

    The shared cache (settings.CACHES) holds the limits every process must agree on; with the
    database backend its table must exist before the first request. `createcachetable` makes
    only what is missing, and does nothing for other backends.
    """
    call_command("createcachetable", database=using, verbosity=0)


class BranchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "branches"
    verbose_name = "党组织与人员"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="branches.create_cache_table")
        user_login_failed.connect(login_failed, dispatch_uid="branches.login_address_throttle")
