from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, Notification, Organization


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
def organizations_create(*, organizations):
    """Create unsaved Organization instances in two queries. Their parents must be saved
    already (create a tree level by level)."""
    created = Organization.objects.bulk_create(organizations)
    for organization in created:
        organization.path = _path_for(organization)
    Organization.objects.bulk_update(created, ["path"])
    return created


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


@transaction.atomic
def administrator_grant(*, organization, user):
    """Make `user` an administrator of `organization` (and so of its subtree).

    This grants no staff status, group or permission: Django's admin site is for superusers
    only (config/admin.py); administrators work on the application's own pages."""
    organization.administrators.add(user)
    return user


def notify(*, users, text, url="", email=False):
    """Send an in-app notification to each of `users`; also by email when asked and configured."""
    users = [user for user in users if user is not None]
    Notification.objects.bulk_create([Notification(user=user, text=text[:300], url=url) for user in users])
    if email:
        messages = [
            ("【述评】" + text[:60], f"{text}\n{url}", settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in users
            if user.email
        ]
        # Mail only once the action that caused it is committed: a rolled-back action sends nothing.
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return len(users)


def notifications_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications read: the given ones, or all."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
