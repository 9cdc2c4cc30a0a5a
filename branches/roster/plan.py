"""Planning an import: the rows resolved against the organizations and people the importer
may see, every change and every error listed, nothing written (`roster_plan`)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import Organization, User
from ..selectors import organizations_administered_by, people_manageable_by, people_visible_to
from .format import KIND_LABEL, MAX_DEPTH, MEMBER_SHEET, ORGANIZATION_SHEET, PATH_SEPARATOR
from .read import OrganizationRow, RosterError, roster_read


@dataclass
class RosterPlan:
    organizations: list = field(default_factory=list)
    members: list = field(default_factory=list)
    new_accounts: list = field(default_factory=list)  # [Person]
    changed_accounts: list = field(default_factory=list)  # [(User, [change text])]
    errors: list = field(default_factory=list)

    def count(self, status):
        return sum(1 for row in self.organizations if row.status == status)

    @property
    def counts(self):
        return {
            "new": self.count("new"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "new_members": sum(1 for row in self.members if row.status == "new"),
            "new_accounts": len(self.new_accounts),
            "changed_accounts": len(self.changed_accounts),
        }

    @property
    def has_changes(self):
        counts = self.counts
        return any(counts[key] for key in ["new", "changed", "new_members", "new_accounts", "changed_accounts"])


class _Tree:
    """Resolves the file's rows against the existing organizations the importer may see.

    A row is either an existing organization (same name under the same parent) or a new
    one; parents are resolved by name (or path) among both, recursively, with cycles and
    unknown or ambiguous names reported."""

    def __init__(self, rows, existing, scope_ids, is_superuser, errors):
        self.rows = rows
        self.scope_ids = scope_ids
        self.is_superuser = is_superuser
        self.errors = errors
        self.by_key = {(org.parent_id, org.name): org for org in existing}
        self.existing_by_name = {}
        for org in existing:
            self.existing_by_name.setdefault(org.name, []).append(org)
        self.rows_by_name = {}
        for row in rows:
            self.rows_by_name.setdefault(row.name, []).append(row)
        self.resolved = {}  # id(row) -> Organization | OrganizationRow | None (failed)
        self.in_progress = []
        self.in_cycle = set()  # ids of rows already reported as part of a cycle

    def _error(self, row, column, message):
        self.errors.append(RosterError(ORGANIZATION_SHEET, row.line, column, message))

    def node(self, row):
        """The node a row stands for: the existing Organization, the row itself if new, None on error."""
        if id(row) in self.resolved:
            return self.resolved[id(row)]
        if row in self.in_progress:  # identity: rows compare by identity
            cycle = self.in_progress[self.in_progress.index(row):] + [row]
            self._error(row, "上级党组织", "上级党组织形成循环：" + " → ".join(r.name for r in cycle) + "。")
            for member in cycle:
                self.resolved[id(member)] = None
                self.in_cycle.add(id(member))
            return None
        if len(self.in_progress) > MAX_DEPTH:
            self._error(row, "上级党组织", f"层级超过 {MAX_DEPTH} 级。")
            return None
        self.in_progress.append(row)
        try:
            node = self._resolve(row)
        finally:
            self.in_progress.pop()
        if id(row) not in self.resolved:  # a cycle may have marked it already
            self.resolved[id(row)] = node
        return self.resolved[id(row)]

    def _resolve(self, row):
        if row.parent_text:
            parent = self.reference(row.parent_text, context=row, column="上级党组织")
            if parent is None:
                return None
        else:
            parent = None
        row.parent = parent
        parent_id = parent.pk if isinstance(parent, Organization) else None
        existing = self.by_key.get((parent_id, row.name)) if not isinstance(parent, OrganizationRow) else None
        if existing is not None:
            if not self.is_superuser and existing.pk not in self.scope_ids:
                self._error(row, "名称", f"“{row.name}”不在您管理的范围内，不能修改。")
                return None
            row.existing = existing
            return existing
        if not self.is_superuser:
            if parent is None:
                self._error(row, "上级党组织", "请填写上级党组织：只能在您管理的党组织之下增加党组织。")
                return None
            if isinstance(parent, Organization) and parent.pk not in self.scope_ids:
                self._error(row, "上级党组织", f"上级党组织“{row.parent_text}”不在您管理的范围内。")
                return None
        return row

    def _children(self, node, name):
        """Nodes called `name` directly under `node` (an Organization or a new row). Only rows of
        that name are resolved: resolving every row would resolve the row whose parent path is
        being read, and report it as a loop through itself."""
        found = []
        if isinstance(node, Organization):
            found += [org for org in self.by_key.values() if org.parent_id == node.pk and org.name == name]
        for row in self.rows:
            if row.name != name or not row.parent_text:
                continue
            if self.node(row) is not None and row.parent is node and row.existing is None:
                found.append(row)
        return found

    def _named(self, name, context):
        """Distinct nodes called `name`: existing organizations and resolved rows."""
        nodes = list(self.existing_by_name.get(name, []))
        for row in self.rows_by_name.get(name, []):
            if row is context:
                continue
            node = self.node(row)
            if node is not None and node not in nodes:
                nodes.append(node)
        return nodes

    def reference(self, text, *, context, column, sheet=ORGANIZATION_SHEET):
        """The node named by `text` (a name or a path of names), or None with an error."""
        parts = [part.strip() for part in text.split(PATH_SEPARATOR)]
        line = context.line

        def fail(message):
            self.errors.append(RosterError(sheet, line, column, message))
            return None

        if not all(parts):
            return fail(f"“{text}”格式不正确。")
        candidates = self._named(parts[0], context)
        for part in parts[1:]:
            if len(candidates) != 1:
                break
            candidates = self._children(candidates[0], part)
        if not candidates:
            if any(id(row) in self.in_cycle for row in self.rows_by_name.get(parts[0], [])):
                return None  # already reported as a cycle
            if isinstance(context, OrganizationRow) and text == context.name:
                return fail("上级党组织不能是它自己。")
            return fail(f"找不到党组织“{text}”（须在本名册中或在您管理的范围内）。")
        if len(candidates) > 1:
            return fail(f"有多个党组织名为“{text}”，请写出从上级开始的完整路径，如“上级名称{PATH_SEPARATOR}{parts[-1]}”。")
        return candidates[0]


def _scope(user):
    """(organizations the importer may see — their scope plus the scope roots' parents, with
    secretaries and committee members — and the ids of those they may change)."""
    organizations = list(
        organizations_administered_by(user).select_related("secretary").prefetch_related(
            Prefetch("committee_members", queryset=User.objects.only("pk", "username"))
        )
    )
    scope_ids = {org.pk for org in organizations}
    outside_parents = {org.parent_id for org in organizations if org.parent_id and org.parent_id not in scope_ids}
    parents = list(Organization.objects.filter(pk__in=outside_parents).select_related("secretary"))
    return organizations + parents, scope_ids


def _check_people(plan, people, user, own_accounts):
    """One name and phone per account; existing accounts only within the importer's scope (or
    created by this very import: `own_accounts`). Returns {username: User} of the existing accounts."""
    by_username = {}
    for person in people:
        by_username.setdefault(person.username, []).append(person)
    for username, mentions in by_username.items():
        first = mentions[0]
        for other in mentions[1:]:
            if (other.name, other.phone) != (first.name, first.phone):
                plan.errors.append(
                    RosterError(
                        other.sheet, other.line, "账号" if other.sheet == MEMBER_SHEET else "书记账号",
                        f"账号“{username}”重复，且姓名或手机号与{first.sheet}表第{first.line}行不一致。",
                    )
                )
    existing = {u.username: u for u in User.objects.filter(username__in=list(by_username))}
    # The same rule as the people pages: an existing account is named only if it is one of the
    # importer's people (attached to their subtree, not a superuser); an unattached account or one
    # of another subtree is never claimed. Its name and phone change only if the importer may
    # manage it (every role inside the subtree; not a staff account or a peer administrator).
    visible = manageable = set(existing)
    if not user.is_superuser and existing:
        visible = set(people_visible_to(user).filter(username__in=list(existing)).values_list("username", flat=True))
        manageable = set(
            people_manageable_by(user).filter(username__in=list(existing)).values_list("username", flat=True)
        )
        # An import that created accounts before being interrupted (roster_import) finds them
        # attached nowhere yet: they are its own.
        visible |= own_accounts & set(existing)
        manageable |= own_accounts & set(existing)
    for username in existing:
        if username not in visible:
            mention = by_username[username][0]
            plan.errors.append(
                RosterError(mention.sheet, mention.line, "账号" if mention.sheet == MEMBER_SHEET else "书记账号",
                            f"账号“{username}”已被您管理范围以外的人员使用，请换一个账号。")
            )
    for username, mentions in by_username.items():
        person = mentions[0]
        account = existing.get(username)
        if account is None:
            plan.new_accounts.append(person)
            continue
        changes = []
        if account.name != person.name:
            changes.append(f"姓名：{account.name or '（空）'} → {person.name}")
        if account.phone != person.phone:
            changes.append(f"手机号：{account.phone or '（空）'} → {person.phone or '（空）'}")
        if changes and username in visible and username not in manageable:
            plan.errors.append(
                RosterError(person.sheet, person.line, "姓名",
                            f"账号“{username}”还在您管理范围以外任职或是管理员，其姓名、手机号请由系统管理员修改。")
            )
        elif changes:
            plan.changed_accounts.append((account, changes, person))
    return existing


def roster_plan(*, content, user, own_accounts=frozenset()):
    """Read and check a roster file against the database; nothing is written.
    `own_accounts`: usernames this import already created (see roster_import)."""
    plan = RosterPlan()
    rows, members, plan.errors = roster_read(content)
    if not rows and not members and not plan.errors:
        plan.errors.append(RosterError("", None, "", "名册中没有任何党组织或班子成员。"))
    existing, scope_ids = _scope(user)
    tree = _Tree(rows, existing, scope_ids, user.is_superuser, plan.errors)
    seen, failed = {}, set()
    for row in rows:
        node = tree.node(row)
        if node is None:
            failed.add(id(row))
            continue
        key = ("existing", node.pk) if isinstance(node, Organization) else ("new", id(row.parent), row.name)
        if key in seen:
            plan.errors.append(RosterError(ORGANIZATION_SHEET, row.line, "名称", f"与第{seen[key]}行是同一个党组织，重复了。"))
            failed.add(id(row))
            continue
        seen[key] = row.line
    for member in members:
        org = tree.reference(member.organization_text, context=member, column="党组织", sheet=MEMBER_SHEET)
        if isinstance(org, Organization) and not user.is_superuser and org.pk not in scope_ids:
            plan.errors.append(
                RosterError(MEMBER_SHEET, member.line, "党组织", f"“{member.organization_text}”不在您管理的范围内。")
            )
        member.organization = org

    people = [row.secretary for row in rows if row.secretary] + [member.person for member in members]
    accounts = _check_people(plan, people, user, set(own_accounts))

    for row in rows:
        if id(row) in failed:
            row.status = "error"
            continue
        if row.existing is None:
            row.status = "new"
            continue
        org = row.existing
        if row.kind and org.kind != row.kind:
            row.changes.append(f"类型：{KIND_LABEL[org.kind]} → {row.kind_label}")
        old = org.secretary.username if org.secretary_id else ""
        new = row.secretary.username if row.secretary else ""
        if old != new:
            old_label = f"{org.secretary.display_name}（{old}）" if old else "（无）"
            new_label = f"{row.secretary.name}（{new}）" if new else "（无）"
            row.changes.append(f"书记：{old_label} → {new_label}")
        row.status = "changed" if row.changes else "unchanged"
    for member in members:
        org = member.organization
        account = accounts.get(member.person.username)
        already = (
            isinstance(org, Organization) and account is not None
            and any(m.pk == account.pk for m in org.committee_members.all())
        )
        member.status = "unchanged" if already else "new"
    plan.organizations = rows
    plan.members = members
    return plan
