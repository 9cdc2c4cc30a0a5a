"""Limits on logging in and on password-reset mail, counted in the shared cache
(settings.CACHES) so that every gunicorn worker and instance agrees.

django-axes locks one username at one address after 5 failures; that does nothing against
one password tried over every account ("spraying"). `login_address` counts failures per
address across usernames. `reset_address` and `reset_account` bound password-reset mail.
Keys hold a keyed digest (HMAC with the secret key), not the address or the account itself:
a plain hash of an IPv4 address is reversed by trying all of them.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from config.proxy import client_ip


class Throttle:
    """At most `limit` hits per `window` seconds for one key; the window starts at the first hit.
    `limit` is a number or a callable returning one (read from settings when used)."""

    def __init__(self, name, *, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, value):
        digest = salted_hmac(f"throttle-{self.name}", str(value)).hexdigest()[:40]
        return f"throttle:{self.name}:{digest}"

    def count(self, value):
        return cache.get(self._key(value), 0)

    def exceeded(self, value):
        limit = self.limit() if callable(self.limit) else self.limit
        return self.count(value) >= limit

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
    """The address the throttles count: behind the proxy, the one it appended (as django-axes
    is told to read it, config.proxy); otherwise the connection's own."""
    address = client_ip(request) if settings.BEHIND_PROXY else request.META.get("REMOTE_ADDR")
    return address or "unknown"


def login_failed(sender, credentials=None, request=None, **kwargs):
    """user_login_failed receiver: one more failure for the request's address."""
    if request is not None:
        login_address.hit(client_address(request))
