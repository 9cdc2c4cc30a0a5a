"""Reading a roster workbook into rows; nothing is resolved against the database yet."""

import io
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError

from ..archives import ArchiveBroken, archive_check
from ..models import Organization
from .format import (
    EXAMPLE_PREFIX,
    KIND_BY_LABEL,
    KIND_LABEL,
    MAX_INFLATED_BYTES,
    MAX_LINES,
    MAX_ROWS,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_SHEET,
    PATH_SEPARATOR,
    PHONE,
    USERNAME_VALIDATOR,
)


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
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
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
        if name.startswith(EXAMPLE_PREFIX):
            errors.append(RosterError(ORGANIZATION_SHEET, line, "名称", "这是模板中的示例行，请删除或改写后再导入。"))
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
        elif cells["党组织"].startswith(EXAMPLE_PREFIX):
            errors.append(RosterError(MEMBER_SHEET, line, "党组织", "这是模板中的示例行，请删除或改写后再导入。"))
            continue
        person = _person(MEMBER_SHEET, line, cells, "账号", "姓名", errors, required=True)
        if person is not None and cells["党组织"]:
            members.append(MemberRow(line, cells["党组织"], person))
    workbook.close()
    return organizations, members, errors
