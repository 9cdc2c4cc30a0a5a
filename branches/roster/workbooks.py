"""The roster as workbooks to download: the template, the export (in the import format), and
the initial passwords to hand out."""

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ..downloads import workbook_bytes, write_table
from ..models import Organization, User
from ..selectors import organizations_administered_by
from .format import (
    EXAMPLE_PREFIX,
    KIND_BY_LABEL,
    KIND_LABEL,
    MAX_ROWS,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_SHEET,
    PARENT_LIST_SHEET,
    PATH_SEPARATOR,
)


def _workbook(sheets):
    """.xlsx bytes of {title: (columns, rows)} with styled headers and fitted columns."""
    return workbook_bytes(_build(sheets))


def _build(sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        write_table(sheet, 1, columns, rows)
        for column in range(1, len(columns) + 1):  # text cells: phone numbers stay text
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "@"
    return workbook


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


def roster_template(user):
    """The roster to fill in: both sheets with an example row each (refused on import until
    deleted or rewritten), drop-downs for the type and the parent (the user's organizations,
    listed on their own sheet; a parent new in this file may still be typed), and the notes."""
    organizations = _tree_order(list(organizations_administered_by(user)))
    ids = {org.pk for org in organizations}
    parents = list(Organization.objects.filter(pk__in={o.parent_id for o in organizations if o.parent_id} - ids))
    label, _ = _labeller(organizations, parents)
    parent_labels = [label(org) for org in organizations if org.kind != Organization.Kind.BRANCH]
    example_parent = parent_labels[0] if parent_labels else "城关街道党工委"
    workbook = _build(
        {
            ORGANIZATION_SHEET: (
                ORGANIZATION_COLUMNS,
                [[f"{EXAMPLE_PREFIX}幸福社区党支部", "党支部", example_parent, "张三", "13800000000", "zhangsan"]],
            ),
            MEMBER_SHEET: (MEMBER_COLUMNS, [[f"{EXAMPLE_PREFIX}{example_parent}", "李四", "13800000001", "lisi"]]),
            PARENT_LIST_SHEET: (["您管理的党组织（可作上级党组织）"], [[name] for name in parent_labels]),
            "填写说明": (
                ["说明"],
                [
                    [f"两张表的第 2 行是示例（名称以“{EXAMPLE_PREFIX}”开头），请删除或直接改写；留着示例行的名册不会被导入。"],
                    ["“党组织”表每行一个党组织：名称、类型（党委、党工委、党总支或党支部，可从下拉列表选择）、上级党组织名称，以及书记的姓名、手机号和登录账号。"],
                    ["上级党组织可从下拉列表选择您管理的党组织（见“上级党组织名单”表），也可以填写本表中新增的党组织；同名时写完整路径，如“城关街道党工委/机关党总支”。"],
                    ["“班子成员”表每行一名班子成员：所在党组织名称、姓名、手机号和登录账号。"],
                    ["账号只能包含字母、数字和 @ . + - _；新账号导入后获得一次性初始密码，首次登录须修改。"],
                    ["已有党组织按“上级党组织 + 名称”识别：再次导入同一名册不会重复创建。班子成员只增加不删除。"],
                    ["导入前会先预览全部变动，确认后才写入；有任何错误时不会导入任何内容。"],
                ],
            ),
        }
    )
    organization_sheet = workbook[ORGANIZATION_SHEET]
    last = MAX_ROWS + 1
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(label for label in KIND_BY_LABEL if "（" not in label) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="类型无效",
        error="请从下拉列表中选择：党委、党工委、党总支或党支部。",
    )
    kinds.add(f"B2:B{last}")
    organization_sheet.add_data_validation(kinds)
    if parent_labels:
        for sheet, column in ((organization_sheet, "C"), (workbook[MEMBER_SHEET], "A")):
            choice = DataValidation(
                type="list",
                formula1=f"'{PARENT_LIST_SHEET}'!$A$2:$A${len(parent_labels) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",  # a parent added in this same file is not in the list yet
                errorTitle="不在名单中",
                error="不是您管理的党组织。如果它是本表中新增的党组织，请点“是”保留。",
            )
            choice.add(f"{column}2:{column}{last}")
            sheet.add_data_validation(choice)
    return workbook_bytes(workbook)


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
