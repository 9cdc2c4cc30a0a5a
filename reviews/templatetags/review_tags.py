from django import template

from reviews.computation import points_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def change_value(value):
    """A value of a review's change history as text: scores and problems one item after another."""
    if value in (None, "", [], {}):
        return "（空）"
    if isinstance(value, dict):
        return "；".join(f"{key} {item}" for key, item in value.items())
    if isinstance(value, list):
        return "；".join(str(item) for item in value)
    return str(value)


register.filter("points", points_text)
