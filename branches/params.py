"""Object ids read from a query string or a posted form (a hidden field, a select), where the
URL's <int:...> converter does not guard them."""

from django.core.exceptions import BadRequest

_MAX_DIGITS = 18  # within a bigint; longer is no id of ours


def id_param(value):
    """The id in `value` as an int; None when it is absent or empty. Anything but ASCII digits
    ("abc", "1.5", "²") raises BadRequest, which Django answers with the Chinese 400 page —
    instead of the ValueError (a 500) the ORM raises for such a pk."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS):
        raise BadRequest("编号无效。")
    return int(value)


def id_params(values):
    """id_param of each non-empty value of a list (request.POST.getlist)."""
    return [number for number in map(id_param, values) if number is not None]
