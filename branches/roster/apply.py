"""Applying a roster: re-planned and written in one transaction (`roster_import`), or nothing."""

from dataclasses import dataclass

from django.db import transaction

from ..models import AuditEntry, Organization, User
from ..selectors import organizations_administered_by
from ..services import audit_record, organizations_create
from .passwords import initial_password, initial_password_hash
from .plan import roster_plan
from .read import OrganizationRow


class RosterInvalid(Exception):
    """The roster has errors; nothing was written. `plan` holds them."""

    def __init__(self, plan):
        super().__init__("名册有错误，未导入。")
        self.plan = plan


@dataclass
class RosterOutcome:
    counts: dict
    passwords: list  # [{"username", "name", "phone", "organizations", "password"}]


def _levels(rows):
    """The new rows level by level: parents in an earlier level than their children."""
    levels, placed = [], set()
    pending = [row for row in rows if row.status == "new"]
    while pending:
        level = [row for row in pending if not (isinstance(row.parent, OrganizationRow) and id(row.parent) not in placed)]
        if not level:  # cannot happen after planning; never loop forever
            raise RuntimeError("unresolvable roster order")
        placed |= {id(row) for row in level}
        pending = [row for row in pending if id(row) not in placed]
        levels.append(level)
    return levels


# New accounts are created this many at a time, each batch committed with its passwords (hashing
# is the slow part of a large import: one progress step per batch).
ACCOUNT_BATCH = 100


def _roles(plan):
    """{username: "…书记、…班子成员"} of the plan's new accounts."""
    new = {person.username for person in plan.new_accounts}
    roles = {}
    for row in plan.organizations:
        if row.secretary and row.secretary.username in new:
            roles.setdefault(row.secretary.username, []).append(f"{row.name}书记")
    for member in plan.members:
        if member.person.username in new:
            roles.setdefault(member.person.username, []).append(f"{member.organization.name}班子成员")
    return {username: "、".join(names) for username, names in roles.items()}


def _accounts_create(people, roles):
    """The accounts of `people` with random initial passwords; their records to hand out."""
    records = [
        {"username": p.username, "name": p.name, "phone": p.phone, "roles": roles.get(p.username, ""), "password": initial_password()}
        for p in people
    ]
    User.objects.bulk_create(
        [
            User(
                username=record["username"],
                name=record["name"],
                phone=record["phone"],
                password=initial_password_hash(record["password"]),
                must_change_password=True,
            )
            for record in records
        ]
    )
    return records


def roster_import(*, content, by, own_accounts=(), on_accounts=None, progress=None):
    """Plan and apply a roster. Raises RosterInvalid (nothing written) when the plan has errors.

    New accounts get a random initial password and must change it at first login. They are created
    ACCOUNT_BATCH at a time, each batch in one transaction with `on_accounts(records)` (the caller
    keeps the passwords, sealed, in that same transaction); then the organizations, secretaries and
    members in one transaction. Run again after an interruption, an import passes the usernames its
    earlier runs created as `own_accounts`: they are found, not created twice, and still counted as
    new. Without `on_accounts` the whole import is one transaction and the passwords are returned
    (never stored in plain text). `progress(done, total)` counts accounts, then the rows."""
    if on_accounts is None:
        with transaction.atomic():
            return _import(content=content, by=by, own_accounts=(), on_accounts=None, progress=progress)
    return _import(content=content, by=by, own_accounts=own_accounts, on_accounts=on_accounts, progress=progress)


def _import(*, content, by, own_accounts, on_accounts, progress):
    progress = progress or (lambda done, total: None)
    own_accounts = set(own_accounts)
    plan = roster_plan(content=content, user=by, own_accounts=own_accounts)
    if plan.errors:
        raise RosterInvalid(plan)
    people, roles = list(plan.new_accounts), _roles(plan)
    total = len(people) + len(plan.organizations) + len(plan.members)
    progress(0, total)
    records = []
    for start in range(0, len(people), ACCOUNT_BATCH):
        with transaction.atomic():
            batch = _accounts_create(people[start : start + ACCOUNT_BATCH], roles)
            if on_accounts is not None:
                on_accounts(batch)
        records += batch
        own_accounts |= {record["username"] for record in batch}
        progress(start + len(batch), total)
    with transaction.atomic():
        _write(content=content, by=by, own_accounts=own_accounts, counts=plan.counts)
    progress(total, total)
    return RosterOutcome(counts={**plan.counts, "new_accounts": len(own_accounts)}, passwords=records)


def _write(*, content, by, own_accounts, counts):
    """Everything but the new accounts (which exist by now), planned again in this transaction."""
    plan = roster_plan(content=content, user=by, own_accounts=own_accounts)
    if plan.errors:
        raise RosterInvalid(plan)
    counts = {**counts, "new_accounts": len(own_accounts)}

    changed = []
    for account, _changes, person in plan.changed_accounts:
        account.name, account.phone = person.name, person.phone
        changed.append(account)
    User.objects.bulk_update(changed, ["name", "phone"])
    usernames = {row.secretary.username for row in plan.organizations if row.secretary}
    usernames |= {member.person.username for member in plan.members}
    accounts = {u.username: u for u in User.objects.filter(username__in=list(usernames))}

    created = {}
    for level in _levels(plan.organizations):
        organizations = organizations_create(
            organizations=[
                Organization(
                    name=row.name,
                    kind=row.kind,
                    parent=created[id(row.parent)] if isinstance(row.parent, OrganizationRow) else row.parent,
                    secretary=accounts[row.secretary.username] if row.secretary else None,
                    order=row.line,
                )
                for row in level
            ]
        )
        created.update({id(row): org for row, org in zip(level, organizations, strict=True)})
    updated = []
    for row in plan.organizations:
        if row.status == "changed":
            org = row.existing
            org.kind = row.kind or org.kind
            org.secretary = accounts[row.secretary.username] if row.secretary else None
            updated.append(org)
    Organization.objects.bulk_update(updated, ["kind", "secretary"])

    through = Organization.committee_members.through
    through.objects.bulk_create(
        [
            through(
                organization_id=(created[id(m.organization)] if isinstance(m.organization, OrganizationRow) else m.organization).pk,
                user_id=accounts[m.person.username].pk,
            )
            for m in plan.members
            if m.status == "new"
        ],
        ignore_conflicts=True,
    )

    if plan.has_changes:
        anchor = _audit_anchor(plan, created, by)
        audit_record(
            organization=anchor,
            actor=by,
            action=AuditEntry.Action.SETTINGS_CHANGED,
            summary=(
                f"导入党组织名册：新增{counts['new']}个党组织，修改{counts['changed']}个，"
                f"新建{counts['new_accounts']}个账号，增加{counts['new_members']}名班子成员"
            ),
            changes={
                "new": [row.name for row in plan.organizations if row.status == "new"],
                "changed": {row.name: row.changes for row in plan.organizations if row.status == "changed"},
                "new_accounts": sorted(own_accounts),
            },
        )


def _audit_anchor(plan, created, by):
    """The organization the import's audit entry belongs to: the top-most one it touched."""
    touched = []
    for row in plan.organizations:
        node = row.existing or row
        while isinstance(node, OrganizationRow) and node.parent is not None:
            node = node.parent  # a new organization belongs to the existing one it is created under
        touched.append(created[id(node)] if isinstance(node, OrganizationRow) else node)
    touched += [m.organization for m in plan.members if isinstance(m.organization, Organization)]
    if not touched:
        touched = list(organizations_administered_by(by)[:1])
    return min(touched, key=lambda org: (org.path.count("/"), org.path))
