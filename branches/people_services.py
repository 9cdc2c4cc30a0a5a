"""Writes of the administrator's people and organization pages (branches/people_views.py).

Every service re-checks that the actor may act on its object (the views check first and answer
404): an administrator changes only organizations of their subtree and only people whose every
role lies inside it (selectors.people_manageable_by), and never grants any system privilege.
Each change is audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import AuditEntry, Organization, User
from .permissions import is_administrator_of
from .roster import initial_password
from .selectors import people_manageable_by, people_visible_to, person_audit_organization
from .services import audit_record

PERSON_FIELDS = {"name": "姓名", "phone": "手机号", "email": "邮箱", "is_active": "可以登录"}


def _organization_for_update(*, organization, by):
    if not is_administrator_of(by, organization):
        raise PermissionDenied
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _require_visible(*, person, by):
    """A secretary or committee member is chosen among the people of the administrator's subtree."""
    if person is not None and not people_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied


def _person_for_update(*, person, by):
    if not people_manageable_by(by).filter(pk=person.pk).exists():
        raise PermissionDenied
    return User.objects.select_for_update().get(pk=person.pk)


def _label(person):
    return f"{person.display_name}（{person.username}）" if person is not None else "（无）"


@transaction.atomic
def organization_update(*, organization, by, name, order, secretary):
    """Rename, reorder or change the secretary of an organization of `by`'s subtree."""
    organization = _organization_for_update(organization=organization, by=by)
    _require_visible(person=secretary, by=by)
    changes = {}
    if organization.name != name:
        changes["名称"] = [organization.name, name]
    if organization.order != order:
        changes["排序"] = [organization.order, order]
    if organization.secretary_id != (secretary.pk if secretary else None):
        changes["书记"] = [_label(organization.secretary), _label(secretary)]
    if not changes:
        return organization
    organization.name, organization.order, organization.secretary = name, order, secretary
    organization.save(update_fields=["name", "order", "secretary"])
    audit_record(
        organization=organization,
        actor=by,
        action=AuditEntry.Action.ORGANIZATION_CHANGED,
        summary=f"修改党组织“{organization.name}”：" + "，".join(changes),
        obj=organization,
        changes=changes,
    )
    return organization


def committee_member_add(*, organization, person, by):
    """Add a person of `by`'s subtree to an organization's committee (班子成员)."""
    return _committee_member_change(organization=organization, person=person, by=by, adding=True)


def committee_member_remove(*, organization, person, by, reason=""):
    """Take a person off an organization's committee: they can no longer review its cycles' reports
    (reviews.permissions.can_review); their submitted reviews stay as they are."""
    return _committee_member_change(organization=organization, person=person, by=by, adding=False, reason=reason)


@transaction.atomic
def _committee_member_change(*, organization, person, by, adding, reason=""):
    """Add or remove a committee member and audit it; False when there was nothing to change.
    Only someone being added must be one of `by`'s people: anyone may be taken off."""
    organization = _organization_for_update(organization=organization, by=by)
    if adding:
        _require_visible(person=person, by=by)
    if organization.committee_members.filter(pk=person.pk).exists() == adding:
        return False
    if adding:
        organization.committee_members.add(person)
    else:
        organization.committee_members.remove(person)
    audit_record(
        organization=organization,
        actor=by,
        action=AuditEntry.Action.COMMITTEE_MEMBER_ADDED if adding else AuditEntry.Action.COMMITTEE_MEMBER_REMOVED,
        summary=f"{organization.name}{'增加' if adding else '移除'}班子成员{_label(person)}",
        obj=organization,
        reason=reason,
        changes={"班子成员": ["", person.username] if adding else [person.username, ""]},
    )
    return True


@transaction.atomic
def person_update(*, person, by, name, phone, email, is_active):
    """Correct a person's details or stop/allow their login. No privilege is ever set here."""
    person = _person_for_update(person=person, by=by)
    new = {"name": name, "phone": phone, "email": email, "is_active": is_active}
    changes = {
        PERSON_FIELDS[field]: [getattr(person, field), value] for field, value in new.items() if getattr(person, field) != value
    }
    if not changes:
        return person
    for field, value in new.items():
        setattr(person, field, value)
    person.save(update_fields=list(new))
    audit_record(
        organization=person_audit_organization(person=person, by=by),
        actor=by,
        action=AuditEntry.Action.PERSON_CHANGED,
        summary=f"修改人员信息：{_label(person)}（" + "，".join(changes) + "）",
        obj=person,
        changes=changes,
    )
    return person


@transaction.atomic
def person_password_reset(*, person, by, reason):
    """Give a person a new one-time password (returned, never stored in plain text).

    Their old password stops working and their open sessions end (the session hash changes);
    at the next login they must set their own password (branches.middleware)."""
    person = _person_for_update(person=person, by=by)
    password = initial_password()
    person.set_password(password)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    audit_record(
        organization=person_audit_organization(person=person, by=by),
        actor=by,
        action=AuditEntry.Action.PASSWORD_RESET,
        summary=f"重置密码：{_label(person)}",
        obj=person,
        reason=reason,
    )
    return password
