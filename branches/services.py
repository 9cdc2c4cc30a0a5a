from django.db import transaction

from .models import AuditEntry, Organization


def _path_for(organization):
    parent_path = organization.parent.path if organization.parent_id else "/"
    return f"{parent_path}{organization.pk}/"


@transaction.atomic
def organization_create(*, name, kind=Organization.Kind.BRANCH, parent=None, secretary=None, order=0):
    organization = Organization.objects.create(name=name, kind=kind, parent=parent, secretary=secretary, order=order)
    organization.path = _path_for(organization)
    organization.save(update_fields=["path"])
    return organization


@transaction.atomic
def organization_move(*, organization, parent):
    """Re-parent an organization and rewrite the paths of its whole subtree."""
    if parent is not None and parent.path.startswith(organization.path):
        raise ValueError("不能把党组织移动到它自己的下级之下。")
    old_path = organization.path
    organization.parent = parent
    organization.path = _path_for(organization)
    organization.save(update_fields=["parent", "path"])
    for descendant in Organization.objects.filter(path__startswith=old_path).exclude(pk=organization.pk):
        descendant.path = organization.path + descendant.path[len(old_path):]
        descendant.save(update_fields=["path"])
    return organization


def audit_record(*, organization, actor, action, summary, obj=None, reason="", changes=None):
    """Append an audit entry. Call inside the transaction of the action it records."""
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        summary=summary[:300],
        reason=reason,
        changes=changes or {},
    )


ADMINISTRATOR_GROUP = "组织部门管理员"
ADMINISTRATOR_PERMISSIONS = [
    ("branches", "organization", ["view", "add", "change"]),
    ("branches", "user", ["view", "add", "change"]),
    ("branches", "auditentry", ["view"]),
]


@transaction.atomic
def administrator_grant(*, organization, user):
    """Make `user` an administrator of `organization` with access to the management site."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)
    codenames = [
        (app, f"{action}_{model}") for app, model, actions in ADMINISTRATOR_PERMISSIONS for action in actions
    ]
    query = Permission.objects.none()
    for app, codename in codenames:
        query |= Permission.objects.filter(content_type__app_label=app, codename=codename)
    group.permissions.set(query)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    organization.administrators.add(user)
    return user
