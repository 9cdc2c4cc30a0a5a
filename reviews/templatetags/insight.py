"""{% organization_link organization %}: an organization's name, linked to its file (党组织档案)
where the viewer may open it — the one piece of code every page that names an organization uses."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from branches.permissions import is_administrator_of
from reviews.insight.permissions import can_see_organization_file

register = template.Library()


@register.simple_tag(takes_context=True)
def organization_link(context, organization, text=""):
    """`organization`: an Organization, or the insight selectors' reference (pk, name, path, no
    secretary: linked for administrators only). The name alone where the viewer may not open the file."""
    if organization is None:
        return text
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    label = text or organization.name
    if user is None or not _may_open(user, organization):
        return label
    return format_html(
        '<a class="organization-link" href="{}" title="党组织档案">{}</a>', reverse("reviews:organization_file", args=[organization.pk]), label
    )


def _may_open(user, organization):
    if hasattr(organization, "secretary_id"):
        return can_see_organization_file(user, organization)
    return is_administrator_of(user, organization)
