"""Re-importing a roster whose parents are written as paths (names that are not unique) reports
no loop: a row's own resolution is not a loop through itself (issue 20: “机关第三党支部 → 机关第三党支部”)."""

from branches.models import Organization
from branches.roster import ORGANIZATION_SHEET, roster_export, roster_import, roster_plan
from tests.branches.roster_helpers import roster_bytes, sheet_rows

PATH_FILE = [
    ("机关党总支", "党总支", "甲社区党支部", "", "", ""),
    ("机关党总支", "党总支", "乙社区党支部", "", "", ""),
    ("机关第三党支部", "党支部", "测试街道党工委/甲社区党支部/机关党总支", "", "", ""),
]


def two_general_branches_of_one_name(world):
    for parent in [world.branch_a, world.branch_b]:
        Organization.objects.filter(pk=parent.pk).update(kind=Organization.Kind.COMMITTEE)


def test_path_parent_is_no_loop_through_the_row_itself(world):
    two_general_branches_of_one_name(world)
    plan = roster_plan(content=roster_bytes(PATH_FILE, []), user=world.admin)
    assert [str(error) for error in plan.errors] == []
    assert plan.counts["new"] == 3


def test_reimport_with_path_parents_reports_no_false_loop(world):
    two_general_branches_of_one_name(world)
    roster_import(content=roster_bytes(PATH_FILE, []), by=world.admin)
    exported = roster_export(world.admin)
    rows = sheet_rows(exported, ORGANIZATION_SHEET)
    assert any(row[0] == "机关第三党支部" and "/" in (row[2] or "") for row in rows)  # a path parent
    plan = roster_plan(content=exported, user=world.admin)
    assert [str(error) for error in plan.errors] == []
    assert not plan.has_changes


def test_a_real_loop_through_a_path_is_still_reported(world):
    two_general_branches_of_one_name(world)
    rows = [("甲组", "党支部", "测试街道党工委/乙组", "", "", ""), ("乙组", "党支部", "甲组", "", "", "")]
    plan = roster_plan(content=roster_bytes(rows, []), user=world.admin)
    assert any("上级党组织形成循环" in str(error) for error in plan.errors)
    rows = [("甲组", "党支部", "测试街道党工委/甲组", "", "", "")]
    assert [str(e) for e in roster_plan(content=roster_bytes(rows, []), user=world.admin).errors] != []
