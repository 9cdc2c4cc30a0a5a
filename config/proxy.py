"""The client's address when the app runs behind a reverse proxy (DJANGO_BEHIND_PROXY=1)."""


def client_ip(request):
    """The last X-Forwarded-For entry: the address the trusted proxy itself appended.

    Entries before it come from the client and can be forged, so they must not decide
    whose login attempts are throttled. REMOTE_ADDR (the proxy) when the header is absent.
    """
    addresses = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    addresses = [address for address in addresses if address]
    return addresses[-1] if addresses else request.META.get("REMOTE_ADDR")
