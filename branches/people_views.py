"""The administrator's pages for the organizations and people of their subtree (党组织与人员).

They replace the Django admin for subtree administrators (that site is for superusers only):
every object is looked up inside the user's subtree (404 otherwise), every choice of a person is
limited to the people of the subtree, and no page touches staff, superuser, group or permission."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .decorators import administrator_required
from .forms import (
    CommitteeMemberAddForm,
    CommitteeMemberRemoveForm,
    OrganizationForm,
    PasswordResetReasonForm,
    PersonForm,
)
from .people_services import (
    committee_member_add,
    committee_member_remove,
    organization_update,
    person_password_reset,
    person_update,
)
from .selectors import organizations_administered_by, people_manageable_by, people_visible_to
from .tables import Table

PAGE_SIZE = 50
PEOPLE_SORTS = {"name": ["name", "username"], "username": ["username"], "phone": ["phone", "username"]}


def _organization_or_404(request, pk):
    return get_object_or_404(organizations_administered_by(request.user).select_related("parent", "secretary"), pk=pk)


def _person_or_404(request, pk):
    return get_object_or_404(people_manageable_by(request.user), pk=pk)


@administrator_required
@require_GET
def organizations(request):
    """The subtree's organizations, in tree order (or ?sort=), 50 a page; ?q= searches the name."""
    rows = organizations_administered_by(request.user).select_related("secretary").annotate(member_count=Count("committee_members"))
    query = request.GET.get("q", "").strip()[:50]
    if query:
        rows = rows.filter(name__icontains=query)
    table = Table(request, rows, sorts=ORGANIZATION_SORTS, default="tree")
    return render(request, "branches/organizations.html", {"organizations": table.rows, "table": table, "q": query})


ORGANIZATION_SORTS = {
    "tree": ["path"],
    "name": ["name"],
    "kind": ["kind", "path"],
    "secretary": ["secretary__name", "secretary__username", "path"],
    "members": ["member_count", "path"],
}


def _organization_page(request, organization, *, form=None, add_form=None, status=200):
    people = people_visible_to(request.user)
    return render(
        request,
        "branches/organization.html",
        {
            "organization": organization,
            "form": form or OrganizationForm(organization=organization, people=people),
            "add_form": add_form or CommitteeMemberAddForm(organization=organization, people=people),
            "members": organization.committee_members.order_by("username"),
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def organization(request, pk):
    organization = _organization_or_404(request, pk)
    if request.method == "GET":
        return _organization_page(request, organization)
    form = OrganizationForm(request.POST, organization=organization, people=people_visible_to(request.user))
    if not form.is_valid():
        return _organization_page(request, organization, form=form, status=400)
    organization_update(organization=organization, by=request.user, **form.cleaned_data)
    messages.success(request, "已保存。")
    return redirect("branches:organization", pk=organization.pk)


@administrator_required
@require_POST
def organization_member_add(request, pk):
    organization = _organization_or_404(request, pk)
    form = CommitteeMemberAddForm(request.POST, organization=organization, people=people_visible_to(request.user))
    if not form.is_valid():
        return _organization_page(request, organization, add_form=form, status=400)
    person = form.cleaned_data["person"]
    committee_member_add(organization=organization, person=person, by=request.user)
    messages.success(request, f"已增加班子成员：{person.display_name}。")
    return redirect("branches:organization", pk=organization.pk)


@administrator_required
@require_POST
def organization_member_remove(request, pk, person_pk):
    organization = _organization_or_404(request, pk)
    person = get_object_or_404(organization.committee_members.all(), pk=person_pk)
    form = CommitteeMemberRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "原因不能超过 300 字。")
        return redirect("branches:organization", pk=organization.pk)
    committee_member_remove(organization=organization, person=person, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, f"已移除班子成员：{person.display_name}（已提交的评议保留）。")
    return redirect("branches:organization", pk=organization.pk)


@administrator_required
@require_GET
def people(request):
    """The people of the subtree with their roles in it; ?q= searches name, account and phone."""
    # secretary_id too: the led_organizations prefetch sets it on each row (deferred, a query per row).
    subtree = organizations_administered_by(request.user).only("pk", "name", "secretary_id")
    rows = people_visible_to(request.user).prefetch_related(
        Prefetch("led_organizations", queryset=subtree),
        Prefetch("committee_organizations", queryset=subtree),
        Prefetch("administered_organizations", queryset=subtree),
    )
    query = request.GET.get("q", "").strip()[:50]
    if query:
        rows = rows.filter(Q(username__icontains=query) | Q(name__icontains=query) | Q(phone__icontains=query))
    table = Table(request, rows, sorts=PEOPLE_SORTS, default="username", per_page=PAGE_SIZE)
    manageable = set(
        people_manageable_by(request.user).filter(pk__in=[p.pk for p in table.rows]).values_list("pk", flat=True)
    )
    context = {"page": table.rows, "table": table, "q": query, "manageable": manageable}
    return render(request, "branches/people.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def person(request, pk):
    person = _person_or_404(request, pk)
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            person_update(person=person, by=request.user, **form.cleaned_data)
            messages.success(request, "已保存。")
            return redirect("branches:person", pk=person.pk)
        status = 400
    else:
        form = PersonForm(
            initial={"name": person.name, "phone": person.phone, "email": person.email, "is_active": person.is_active}
        )
        status = 200
    return render(
        request,
        "branches/person.html",
        {"person": person, "form": form, "password_form": PasswordResetReasonForm()},
        status=status,
    )


@never_cache
@administrator_required
@require_http_methods(["GET", "POST"])
def person_password(request, pk):
    """Reset a person's password: GET explains the consequences, POST (with a reason) does it and
    shows the one-time password this once."""
    person = _person_or_404(request, pk)
    form = PasswordResetReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password = person_password_reset(person=person, by=request.user, reason=form.cleaned_data["reason"])
        return render(request, "branches/person_password_done.html", {"person": person, "password": password})
    return render(
        request,
        "branches/person_password.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )
