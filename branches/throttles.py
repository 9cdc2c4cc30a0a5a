"""Limits on logging in and on password-reset mail, counted in the shared cache
(settings.CACHES) so that every gunicorn worker and instance agrees.

django-axes locks one username at one address after 5 failures; that does nothing against
one password tried over every account ("spraying"). `login_address` counts failures per
address across usernames. `reset_address` and `reset_account` bound password-reset mail.
Keys hold a digest, not the address or the account itself.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache


class Throttle:
    """At most `limit` hits per `window` seconds for one key; the window starts at the first hit."""

    def __init__(self, name, *, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, value):
        digest = hashlib.sha256(f"{self.name}\0{value}".encode()).hexdigest()[:40]
        return f"throttle:{self.name}:{digest}"

    def count(self, value):
        return cache.get(self._key(value), 0)

    def exceeded(self, value):
        return self.count(value) >= self.limit()

    def hit(self, value):
        key = self._key(value)
        if cache.add(key, 1, self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window)
            return 1


def _setting(name):
    return lambda: getattr(settings, name)


login_address = Throttle("login-address", limit=_setting("LOGIN_ADDRESS_FAILURE_LIMIT"), window=15 * 60)
reset_address = Throttle("reset-address", limit=_setting("PASSWORD_RESET_ADDRESS_LIMIT"), window=60 * 60)
reset_account = Throttle("reset-account", limit=_setting("PASSWORD_RESET_ACCOUNT_LIMIT"), window=60 * 60)


def client_address(request):
    """The address the throttles count, found as django-axes finds it (proxy-aware)."""
    return get_client_ip_address(request) or "unknown"


def login_failed(sender, credentials=None, request=None, **kwargs):
    """user_login_failed receiver: one more failure for the request's address."""
    if request is not None:
        login_address.hit(client_address(request))
