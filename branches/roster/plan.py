"""The roster (名册) of organizations and people as an Excel workbook: template, export,
and an import that previews every change before anything is written.

Two sheets:
  党组织   名称 · 类型 (党委/党工委/党总支/党支部) · 上级党组织 · 书记姓名 · 手机号 · 书记账号
  班子成员 党组织 · 姓名 · 手机号 · 账号

An organization is identified by its name under its parent (names are unique per parent).
A parent is written by name, or — when the name is not unique — as a path of names from
the top ("城关街道党工委/机关党总支"). An administrator imports only inside their subtree.
Committee members are added, never removed (removal is on the people pages, people_views).

`roster_plan` reads a file and returns the plan (changes and errors, nothing written);
`roster_import` re-plans and applies it in one transaction, or raises RosterInvalid.
"""

import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from ..archives import ArchiveBroken, archive_check
from ..models import AuditEntry, Organization, User
from ..downloads import fit_columns, workbook_bytes, write_header
from ..selectors import organizations_administered_by, people_manageable_by, people_visible_to
from ..services import audit_record, organizations_create

ORGANIZATION_SHEET = "党组织"
MEMBER_SHEET = "班子成员"
ORGANIZATION_COLUMNS = ["名称", "类型", "上级党组织", "书记姓名", "手机号", "书记账号"]
MEMBER_COLUMNS = ["党组织", "姓名", "手机号", "账号"]
KIND_BY_LABEL = {
    "党委": Organization.Kind.COMMITTEE,
    "党工委": Organization.Kind.COMMITTEE,
    "党委（党工委）": Organization.Kind.COMMITTEE,
    "党总支": Organization.Kind.GENERAL_BRANCH,
    "党支部": Organization.Kind.BRANCH,
}
KIND_LABEL = {
    Organization.Kind.COMMITTEE: "党委",
    Organization.Kind.GENERAL_BRANCH: "党总支",
    Organization.Kind.BRANCH: "党支部",
}
MAX_ROWS = 3000
# A sheet is read no further than this many lines, empty ones included (openpyxl spends as
# long on an empty row as on a full one).
MAX_LINES = 2 * MAX_ROWS
# Both sheets full (3000 rows each) take about 2 MB of XML; a package inflating past twice
# that is refused before openpyxl reads it.
MAX_INFLATED_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 20
PATH_SEPARATOR = "/"
PHONE = re.compile(r"^1\d{10}$")
USERNAME_VALIDATOR = UnicodeUsernameValidator()

# Initial passwords: 12 characters from an alphabet without look-alikes (0/O, 1/l/I): ~68 bits.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12
# PBKDF2 iterations for the one-time initial password only. A 68-bit random secret needs no
# key stretching to resist guessing (2^67 × 1000 SHA-256 rounds on average), while Django's
# default (1,000,000) costs ~1 s per account: 500 accounts would take minutes. The hash is
# replaced by a full-strength one at the first login (Django upgrades it because the
# iteration count differs) and again when the person sets their own password, which the
# first-login middleware forces.
INITIAL_PASSWORD_ITERATIONS = 1000


class RosterInvalid(Exception):
    """The roster has errors; nothing was written. `plan` holds them."""

    def __init__(self, plan):
        super().__init__("名册有错误，未导入。")
        self.plan = plan


@dataclass
class RosterError:
    sheet: str
    line: int | None
    column: str
    message: str

    def __str__(self):
        where = f"{self.sheet}表" if self.sheet else ""
        if self.line:
            where += f"第{self.line}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Person:
    """A person named on a row: the secretary of an organization or a committee member."""

    sheet: str
    line: int
    username: str
    name: str
    phone: str


@dataclass(eq=False)  # rows are nodes of the tree: compared by identity
class OrganizationRow:
    line: int
    name: str
    kind: str
    parent_text: str
    secretary: Person | None
    # Filled in by the plan:
    existing: Organization | None = None
    parent: object = None  # Organization, OrganizationRow (new) or None (top level)
    status: str = ""  # new / changed / unchanged
    changes: list = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABEL.get(self.kind, "")

    @property
    def parent_label(self):
        return self.parent_text


@dataclass(eq=False)
class MemberRow:
    line: int
    organization_text: str
    person: Person
    organization: object = None  # Organization or OrganizationRow
    status: str = ""  # new / unchanged


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


# ---------------------------------------------------------------- workbook reading


def _cell_text(value):
    """A cell as stripped text; whole numbers (a phone typed as a number) without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_sheet(workbook, title, columns, errors):
    """[(line, {column: text})] of the sheet's non-empty rows; missing sheet/columns → errors."""
    if title not in workbook.sheetnames:
        errors.append(RosterError(title, None, "", f"缺少工作表“{title}”，请使用下载的名册模板。"))
        return []
    rows = workbook[title].iter_rows(values_only=True)
    header = [_cell_text(value) for value in next(rows, ())]
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(RosterError(title, 1, "", f"缺少列：{'、'.join(missing)}。请使用下载的名册模板。"))
        return []
    index = {column: header.index(column) for column in columns}
    result = []
    for line, values in enumerate(rows, start=2):
        if line > MAX_LINES + 1:
            errors.append(RosterError(title, line, "", f"行数超过 {MAX_LINES} 行（含空行），请删除多余的行或分批导入。"))
            break
        cells = {column: _cell_text(values[i]) if i < len(values) else "" for column, i in index.items()}
        if not any(cells.values()):
            continue
        if len(result) >= MAX_ROWS:
            errors.append(RosterError(title, line, "", f"行数超过 {MAX_ROWS} 行，请分批导入。"))
            break
        result.append((line, cells))
    return result


def _open_workbook(content):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, XML and its own errors for a bad file
        return None


def _person(sheet, line, cells, username_column, name_column, errors, required):
    username, name, phone = cells[username_column], cells[name_column], cells["手机号"]
    if not (username or name or phone):
        if required:
            errors.append(RosterError(sheet, line, username_column, "请填写账号。"))
        return None
    ok = True
    if not username:
        errors.append(RosterError(sheet, line, username_column, "填写了姓名或手机号，请同时填写账号。"))
        ok = False
    else:
        try:
            USERNAME_VALIDATOR(username)
            if len(username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            errors.append(RosterError(sheet, line, username_column, f"账号“{username}”无效：只能包含字母、数字和 @ . + - _，最多 150 个字符。"))
            ok = False
    if not name:
        errors.append(RosterError(sheet, line, name_column, "请填写姓名。"))
        ok = False
    elif len(name) > 50:
        errors.append(RosterError(sheet, line, name_column, "姓名最多 50 个字。"))
        ok = False
    if phone and not PHONE.match(phone):
        errors.append(RosterError(sheet, line, "手机号", f"手机号“{phone}”格式不正确，应为 11 位数字，以 1 开头。"))
        ok = False
    return Person(sheet, line, username, name, phone) if ok else None


def roster_read(content):
    """Parse the workbook: (organization rows, member rows, errors). Nothing is resolved yet;
    a package that would inflate out of proportion is refused before openpyxl reads it."""
    errors = []
    not_a_workbook = [RosterError("", None, "", "文件不是有效的 Excel 工作簿（.xlsx），请使用下载的名册模板。")]
    try:
        archive_check(content, max_total=MAX_INFLATED_BYTES, label="Excel 工作簿")
    except ArchiveBroken:
        return [], [], not_a_workbook
    except ValidationError as error:
        return [], [], [RosterError("", None, "", error.messages[0])]
    workbook = _open_workbook(content)
    if workbook is None:
        return [], [], not_a_workbook
    organizations = []
    for line, cells in _read_sheet(workbook, ORGANIZATION_SHEET, ORGANIZATION_COLUMNS, errors):
        name = cells["名称"]
        if not name:
            errors.append(RosterError(ORGANIZATION_SHEET, line, "名称", "请填写党组织名称。"))
            continue
        if len(name) > 100 or PATH_SEPARATOR in name:
            errors.append(RosterError(ORGANIZATION_SHEET, line, "名称", f"名称最多 100 个字，且不能包含“{PATH_SEPARATOR}”。"))
            continue
        kind = KIND_BY_LABEL.get(cells["类型"])
        if kind is None:
            errors.append(RosterError(ORGANIZATION_SHEET, line, "类型", f"类型“{cells['类型']}”无效，应为党委、党工委、党总支或党支部。"))
        secretary = _person(ORGANIZATION_SHEET, line, cells, "书记账号", "书记姓名", errors, required=False)
        organizations.append(OrganizationRow(line, name, kind or "", cells["上级党组织"], secretary))
    members = []
    for line, cells in _read_sheet(workbook, MEMBER_SHEET, MEMBER_COLUMNS, errors):
        if not cells["党组织"]:
            errors.append(RosterError(MEMBER_SHEET, line, "党组织", "请填写党组织。"))
        person = _person(MEMBER_SHEET, line, cells, "账号", "姓名", errors, required=True)
        if person is not None and cells["党组织"]:
            members.append(MemberRow(line, cells["党组织"], person))
    workbook.close()
    return organizations, members, errors


# ---------------------------------------------------------------- planning


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

    def _children(self, node):
        """Nodes directly under `node` (an Organization or a new row)."""
        found = []
        if isinstance(node, Organization):
            found += [org for org in self.by_key.values() if org.parent_id == node.pk]
        for row in self.rows:
            if row.parent_text and self.node(row) is not None and row.parent is node and row.existing is None:
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
            candidates = [child for child in self._children(candidates[0]) if _node_name(child) == part]
        if not candidates:
            if any(id(row) in self.in_cycle for row in self.rows_by_name.get(parts[0], [])):
                return None  # already reported as a cycle
            if isinstance(context, OrganizationRow) and text == context.name:
                return fail("上级党组织不能是它自己。")
            return fail(f"找不到党组织“{text}”（须在本名册中或在您管理的范围内）。")
        if len(candidates) > 1:
            return fail(f"有多个党组织名为“{text}”，请写出从上级开始的完整路径，如“上级名称{PATH_SEPARATOR}{parts[-1]}”。")
        return candidates[0]


def _node_name(node):
    return node.name


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


def _check_people(plan, people, user):
    """One name and phone per account; existing accounts only within the importer's scope.
    Returns {username: User} of the existing accounts."""
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


def roster_plan(*, content, user):
    """Read and check a roster file against the database; nothing is written."""
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
    accounts = _check_people(plan, people, user)

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


# ---------------------------------------------------------------- applying


def initial_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def initial_password_hash(password):
    """A hash of a one-time initial password, cheap enough for hundreds (see INITIAL_PASSWORD_ITERATIONS)."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)
    return make_password(password)


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


@transaction.atomic
def roster_import(*, content, by):
    """Plan and apply a roster in one transaction. Raises RosterInvalid (nothing written) on errors.

    New accounts get a random initial password and must change it at first login; the
    passwords are returned (never stored in plain text)."""
    plan = roster_plan(content=content, user=by)
    if plan.errors:
        raise RosterInvalid(plan)
    counts = plan.counts

    passwords = {person.username: initial_password() for person in plan.new_accounts}
    User.objects.bulk_create(
        [
            User(
                username=person.username,
                name=person.name,
                phone=person.phone,
                password=initial_password_hash(passwords[person.username]),
                must_change_password=True,
            )
            for person in plan.new_accounts
        ]
    )
    changed = []
    for account, _changes, person in plan.changed_accounts:
        account.name, account.phone = person.name, person.phone
        changed.append(account)
    User.objects.bulk_update(changed, ["name", "phone"])
    usernames = {p.username for p in plan.new_accounts} | {row.secretary.username for row in plan.organizations if row.secretary}
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
                "new_accounts": sorted(passwords),
            },
        )

    roles = {}
    for row in plan.organizations:
        if row.secretary and row.secretary.username in passwords:
            roles.setdefault(row.secretary.username, []).append(f"{row.name}书记")
    for member in plan.members:
        if member.person.username in passwords:
            roles.setdefault(member.person.username, []).append(f"{_node_name(member.organization)}班子成员")
    return RosterOutcome(
        counts=counts,
        passwords=[
            {
                "username": person.username,
                "name": person.name,
                "phone": person.phone,
                "roles": "、".join(roles.get(person.username, [])),
                "password": passwords[person.username],
            }
            for person in plan.new_accounts
        ],
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


# ---------------------------------------------------------------- writing workbooks


def _workbook(sheets):
    """.xlsx bytes of {title: (columns, rows)} with styled headers and fitted columns."""
    from openpyxl import Workbook


    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        write_header(sheet, 1, columns)
        for values in rows:
            sheet.append(values)
        for column in range(1, len(columns) + 1):  # text cells: phone numbers stay text
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "@"
        sheet.freeze_panes = "A2"
        fit_columns(sheet, header_row=1)
    return workbook_bytes(workbook)


def _tree_order(organizations):
    """Organizations depth first, children by (order, id)."""
    children = {}
    ids = {org.pk for org in organizations}
    for org in organizations:
        children.setdefault(org.parent_id if org.parent_id in ids else None, []).append(org)
    for siblings in children.values():
        siblings.sort(key=lambda org: (org.order, org.pk))
    ordered = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        org = stack.pop()
        ordered.append(org)
        stack.extend(reversed(children.get(org.pk, [])))
    return ordered


def _labeller(organizations, parents):
    """label(org): how the roster names an organization — its name, or its path from the top
    when another organization has the same name."""
    by_id = {org.pk: org for org in [*organizations, *parents]}
    name_count = {}
    for org in by_id.values():
        name_count[org.name] = name_count.get(org.name, 0) + 1

    def label(org):
        if name_count[org.name] == 1:
            return org.name
        names = []
        while org is not None:
            names.append(org.name)
            org = by_id.get(org.parent_id)
        return PATH_SEPARATOR.join(reversed(names))

    return label, by_id


def roster_export(user):
    """The roster of the user's organizations as .xlsx bytes, in the import format."""
    organizations = _tree_order(
        list(
            organizations_administered_by(user)
            .select_related("secretary")
            .prefetch_related(Prefetch("committee_members", queryset=User.objects.order_by("username")))
        )
    )
    ids = {org.pk for org in organizations}
    parents = list(Organization.objects.filter(pk__in={o.parent_id for o in organizations if o.parent_id} - ids))
    label, by_id = _labeller(organizations, parents)
    org_rows, member_rows = [], []
    for org in organizations:
        secretary = org.secretary
        parent = by_id.get(org.parent_id)
        org_rows.append(
            [
                org.name,
                KIND_LABEL[org.kind],
                label(parent) if parent else "",
                secretary.name if secretary else "",
                secretary.phone if secretary else "",
                secretary.username if secretary else "",
            ]
        )
        for member in org.committee_members.all():
            member_rows.append([label(org), member.name, member.phone, member.username])
    return _workbook({ORGANIZATION_SHEET: (ORGANIZATION_COLUMNS, org_rows), MEMBER_SHEET: (MEMBER_COLUMNS, member_rows)})


def roster_template():
    """An empty roster with both sheets and an example of each row (to be overwritten)."""
    return _workbook(
        {
            ORGANIZATION_SHEET: (ORGANIZATION_COLUMNS, []),
            MEMBER_SHEET: (MEMBER_COLUMNS, []),
            "填写说明": (
                ["说明"],
                [
                    ["“党组织”表每行一个党组织：名称、类型（党委、党工委、党总支或党支部）、上级党组织名称，以及书记的姓名、手机号和登录账号。"],
                    ["上级党组织可以是本表中的党组织，也可以是系统中已有的、您管理范围内的党组织；同名时写完整路径，如“城关街道党工委/机关党总支”。"],
                    ["“班子成员”表每行一名班子成员：所在党组织名称、姓名、手机号和登录账号。"],
                    ["账号只能包含字母、数字和 @ . + - _；新账号导入后获得一次性初始密码，首次登录须修改。"],
                    ["已有党组织按“上级党组织 + 名称”识别：再次导入同一名册不会重复创建。班子成员只增加不删除。"],
                    ["导入前会先预览全部变动，确认后才写入；有任何错误时不会导入任何内容。"],
                ],
            ),
        }
    )


def passwords_workbook(passwords):
    """The initial passwords as a sheet to hand out."""
    return _workbook(
        {
            "初始密码": (
                ["姓名", "账号", "手机号", "职务", "初始密码"],
                [[p["name"], p["username"], p["phone"], p["roles"], p["password"]] for p in passwords],
            )
        }
    )


# ---------------------------------------------------------------- sealing the passwords between requests


def seal(data: bytes):
    """(key, sealed) for keeping `data` in the database-backed session without the plain text:
    the session holds the ciphertext, the browser a cookie with the one-time key."""
    key = secrets.token_bytes(32)
    stream = hashlib.shake_256(key).digest(len(data))
    ciphertext = bytes(a ^ b for a, b in zip(data, stream, strict=True))
    tag = hmac.new(key, ciphertext, hashlib.sha256).digest()
    return key, tag + ciphertext


def unseal(key: bytes, sealed: bytes):
    """The data, or None when the key does not match."""
    tag, ciphertext = sealed[:32], sealed[32:]
    if not hmac.compare_digest(tag, hmac.new(key, ciphertext, hashlib.sha256).digest()):
        return None
    stream = hashlib.shake_256(key).digest(len(ciphertext))
    return bytes(a ^ b for a, b in zip(ciphertext, stream, strict=True))
