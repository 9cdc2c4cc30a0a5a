"""Roster import: preview (plan) and apply, every kind of error, idempotent re-import, export round trip."""

import io
import json

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from openpyxl import load_workbook

from branches.models import AuditEntry, Organization, User
from branches.roster import (
    INITIAL_PASSWORD_ITERATIONS,
    MEMBER_SHEET,
    ORGANIZATION_SHEET,
    RosterInvalid,
    initial_password_hash,
    keypair,
    roster_export,
    roster_import,
    roster_plan,
    roster_template,
    seal,
    seal_to,
    unseal,
    unseal_with,
)
from tests.branches.roster_helpers import branches_rows, roster_bytes, sheet_rows

COMMITTEE = "测试街道党工委"


def good_file():
    return roster_bytes(
        [
            ("机关党总支", "党总支", COMMITTEE, "钱总支", "13900000001", "qian"),
            ("机关第一党支部", "党支部", "机关党总支", "孙一支", "13900000002", "sun1"),
            ("机关第二党支部", "党支部", "机关党总支", "", "", ""),
            ("甲社区党支部", "党支部", COMMITTEE, "甲书记新名", "", "secretary_a"),
        ],
        [("机关党总支", "周委员", "13900000003", "zhou"), ("机关党总支", "孙一支", "13900000002", "sun1")],
    )


def messages(plan):
    return [str(error) for error in plan.errors]


def test_plan_of_a_good_file_lists_every_change_and_writes_nothing(world):
    before = Organization.objects.count(), User.objects.count()
    plan = roster_plan(content=good_file(), user=world.admin)
    assert plan.errors == []
    statuses = {row.name: row.status for row in plan.organizations}
    assert statuses == {"机关党总支": "new", "机关第一党支部": "new", "机关第二党支部": "new", "甲社区党支部": "unchanged"}
    assert [p.username for p in plan.new_accounts] == ["qian", "sun1", "zhou"]
    # secretary_a keeps being secretary; only the name changes
    changed = {account.username: changes for account, changes, _person in plan.changed_accounts}
    assert list(changed) == ["secretary_a"] and "甲书记新名" in changed["secretary_a"][0]
    assert plan.counts["new_members"] == 2
    assert (Organization.objects.count(), User.objects.count()) == before


def test_apply_creates_tree_people_members_and_one_time_passwords(world):
    outcome = roster_import(content=good_file(), by=world.admin)
    general = Organization.objects.get(name="机关党总支")
    assert general.parent == world.committee and general.kind == Organization.Kind.GENERAL_BRANCH
    assert general.path == f"{world.committee.path}{general.pk}/"
    first = Organization.objects.get(name="机关第一党支部")
    assert first.parent == general and first.path.startswith(general.path) and first.secretary.username == "sun1"
    assert Organization.objects.get(name="机关第二党支部").secretary is None
    assert set(general.committee_members.values_list("username", flat=True)) == {"zhou", "sun1"}
    qian = User.objects.get(username="qian")
    assert qian.must_change_password and qian.name == "钱总支" and qian.phone == "13900000001"
    passwords = {p["username"]: p["password"] for p in outcome.passwords}
    assert set(passwords) == {"qian", "sun1", "zhou"}
    assert qian.check_password(passwords["qian"])
    assert passwords["qian"] not in qian.password  # hashed, never stored in plain text
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.name == "甲书记新名" and not world.secretary_a.must_change_password
    entry = AuditEntry.objects.get(summary__startswith="导入党组织名册")
    assert entry.actor == world.admin and entry.organization == world.committee


def test_reimport_is_idempotent(world):
    roster_import(content=good_file(), by=world.admin)
    counts = Organization.objects.count(), User.objects.count(), AuditEntry.objects.count()
    plan = roster_plan(content=good_file(), user=world.admin)
    assert plan.errors == [] and not plan.has_changes
    assert {row.status for row in plan.organizations} == {"unchanged"}
    outcome = roster_import(content=good_file(), by=world.admin)
    assert outcome.passwords == []
    assert (Organization.objects.count(), User.objects.count(), AuditEntry.objects.count()) == counts


def test_export_then_import_round_trips(world):
    roster_import(content=good_file(), by=world.admin)
    exported = roster_export(world.admin)
    rows = sheet_rows(exported, ORGANIZATION_SHEET)
    assert rows[0] == ["名称", "类型", "上级党组织", "书记姓名", "手机号", "书记账号"]
    assert [COMMITTEE, "党委", None, None, None, None] == rows[1]
    assert ["机关第一党支部", "党支部", "机关党总支", "孙一支", "13900000002", "sun1"] in rows
    assert "丙社区党支部" not in {row[0] for row in rows}  # another subtree
    assert ["测试街道党工委", None, None, "reviewer_t"][3] in {row[3] for row in sheet_rows(exported, MEMBER_SHEET)}
    plan = roster_plan(content=exported, user=world.admin)
    assert plan.errors == [] and not plan.has_changes


def test_export_writes_paths_for_names_that_are_not_unique(world):
    for parent in [world.branch_a, world.branch_b]:
        Organization.objects.filter(pk=parent.pk).update(kind=Organization.Kind.GENERAL_BRANCH)
    roster_import(
        content=roster_bytes(
            [("第一党小组支部", "党支部", "甲社区党支部", "", "", ""), ("第一党小组支部", "党支部", "乙社区党支部", "", "", "")],
            [("测试街道党工委/甲社区党支部/第一党小组支部", "周委员", "", "zhou")],
        ),
        by=world.admin,
    )
    assert Organization.objects.get(name="第一党小组支部", parent=world.branch_a).committee_members.get().username == "zhou"
    exported = roster_export(world.admin)
    assert "测试街道党工委/甲社区党支部/第一党小组支部" in {row[0] for row in sheet_rows(exported, MEMBER_SHEET)}
    assert not roster_plan(content=exported, user=world.admin).has_changes


@pytest.mark.parametrize(
    "organizations, members, expected",
    [
        ([("新支部", "党支部", "不存在的党委", "", "", "")], [], "党组织表第2行“上级党组织”列：找不到党组织“不存在的党委”"),
        ([("新支部", "党小组", COMMITTEE, "", "", "")], [], "党组织表第2行“类型”列：类型“党小组”无效"),
        ([("", "党支部", COMMITTEE, "", "", "")], [], "党组织表第2行“名称”列：请填写党组织名称"),
        ([("新支部", "党支部", COMMITTEE, "张三", "12345", "zhang")], [], "党组织表第2行“手机号”列：手机号“12345”格式不正确"),
        ([("新支部", "党支部", COMMITTEE, "张三", "", "")], [], "党组织表第2行“书记账号”列：填写了姓名或手机号，请同时填写账号"),
        ([("新支部", "党支部", COMMITTEE, "张三", "", "zhang san")], [], "账号“zhang san”无效"),
        ([("新支部", "党支部", COMMITTEE, "", "", "zhang")], [], "党组织表第2行“书记姓名”列：请填写姓名"),
        (
            [("A支部", "党支部", COMMITTEE, "张三", "13900000001", "zhang"), ("B支部", "党支部", COMMITTEE, "张四", "", "zhang")],
            [],
            "党组织表第3行“书记账号”列：账号“zhang”重复，且姓名或手机号与党组织表第2行不一致",
        ),
        (
            [("A总支", "党总支", "B总支", "", "", ""), ("B总支", "党总支", "A总支", "", "", "")],
            [],
            "上级党组织形成循环",
        ),
        ([("A总支", "党总支", "A总支", "", "", "")], [], "上级党组织不能是它自己"),
        ([("新支部", "党支部", COMMITTEE, "", "", ""), ("新支部", "党支部", COMMITTEE, "", "", "")], [], "党组织表第3行“名称”列：与第2行是同一个党组织"),
        ([("新支部", "党支部", "另一街道党工委", "", "", "")], [], "找不到党组织“另一街道党工委”"),
        ([("新支部", "党支部", "", "", "", "")], [], "请填写上级党组织"),
        ([("新支部", "党支部", COMMITTEE, "冒名", "", "secretary_c")], [], "账号“secretary_c”已被您管理范围以外的人员使用"),
        ([("新支部", "党支部", COMMITTEE, "超级", "", "root")], [], "账号“root”已被您管理范围以外的人员使用"),
        ([], [("不存在的支部", "周委员", "", "zhou")], "班子成员表第2行“党组织”列：找不到党组织“不存在的支部”"),
        ([], [("甲社区党支部", "周委员", "", "")], "班子成员表第2行“账号”列：填写了姓名或手机号，请同时填写账号"),
        ([], [("甲社区党支部", "", "", "")], "班子成员表第2行“账号”列：请填写账号"),
    ],
)
def test_errors_are_reported_in_chinese_with_row_and_column_and_nothing_is_written(world, organizations, members, expected):
    content = roster_bytes(organizations, members)
    plan = roster_plan(content=content, user=world.admin)
    assert any(expected in message for message in messages(plan)), messages(plan)
    before = Organization.objects.count(), User.objects.count(), AuditEntry.objects.count()
    with pytest.raises(RosterInvalid):
        roster_import(content=content, by=world.admin)
    assert (Organization.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before


def test_a_file_with_one_bad_row_among_good_ones_is_not_half_imported(world):
    rows = branches_rows(COMMITTEE, 20) + [("坏支部", "党支部", "不存在", "", "", "")]
    with pytest.raises(RosterInvalid) as raised:
        roster_import(content=roster_bytes(rows), by=world.admin)
    assert len(raised.value.plan.errors) == 1
    assert not Organization.objects.filter(name__startswith="新建").exists()
    assert not User.objects.filter(username__startswith="新建").exists()


def test_malformed_files(world):
    assert "不是有效的 Excel" in messages(roster_plan(content=b"not a zip", user=world.admin))[0]
    missing = roster_bytes([], [], organization_columns=["名称", "类型"])
    assert "缺少列：上级党组织、书记姓名、手机号、书记账号" in " ".join(messages(roster_plan(content=missing, user=world.admin)))
    assert "没有任何党组织" in messages(roster_plan(content=roster_bytes(), user=world.admin))[0]


def test_administrator_of_another_subtree_cannot_touch_this_one(world):
    content = roster_bytes([("新支部", "党支部", COMMITTEE, "", "", ""), ("甲社区党支部", "党支部", COMMITTEE, "", "", "")])
    text = " ".join(messages(roster_plan(content=content, user=world.other_admin)))
    assert "找不到党组织“测试街道党工委”" in text


def test_top_level_root_row_of_the_administrator_is_recognised(world):
    plan = roster_plan(content=roster_bytes([(COMMITTEE, "党委", "", "", "", "")]), user=world.admin)
    assert plan.errors == [] and plan.organizations[0].status == "unchanged"


def test_superuser_may_create_top_level_organizations(world):
    roster_import(content=roster_bytes([("新区党委", "党委", "", "", "", ""), ("新区第一支部", "党支部", "新区党委", "", "", "")]), by=world.superuser)
    top = Organization.objects.get(name="新区党委")
    assert top.parent is None and top.children.get().name == "新区第一支部"


def test_phone_typed_as_a_number_is_read_as_text(world):
    roster_import(content=roster_bytes([("新支部", "党支部", COMMITTEE, "张三", 13900000009, "zhang")]), by=world.admin)
    assert User.objects.get(username="zhang").phone == "13900000009"


def test_template_has_both_sheets_with_headers_and_an_example_row(world):
    content = roster_template(world.admin)
    assert sheet_rows(content, ORGANIZATION_SHEET) == [
        ["名称", "类型", "上级党组织", "书记姓名", "手机号", "书记账号"],
        ["示例：幸福社区党支部", "党支部", COMMITTEE, "张三", "13800000000", "zhangsan"],
    ]
    assert sheet_rows(content, MEMBER_SHEET) == [["党组织", "姓名", "手机号", "账号"], [f"示例：{COMMITTEE}", "李四", "13800000001", "lisi"]]
    # the administrator's organizations that can be parents (not the branches), and no other subtree's
    assert sheet_rows(content, "上级党组织名单") == [["您管理的党组织（可作上级党组织）"], [COMMITTEE]]


def test_template_drop_downs_for_type_and_parent(world):
    workbook = load_workbook(io.BytesIO(roster_template(world.admin)))
    validations = {str(v.sqref): v for v in workbook[ORGANIZATION_SHEET].data_validations.dataValidation}
    kind = validations["B2:B3001"]
    assert kind.type == "list" and kind.formula1 == '"党委,党工委,党总支,党支部"' and kind.showErrorMessage
    assert kind.errorStyle in (None, "stop")  # another type is refused in Excel
    parent = validations["C2:C3001"]
    assert parent.type == "list" and parent.formula1 == "'上级党组织名单'!$A$2:$A$2"
    assert parent.errorStyle == "warning"  # a parent new in the same file may be typed
    member = {str(v.sqref): v for v in workbook[MEMBER_SHEET].data_validations.dataValidation}["A2:A3001"]
    assert member.formula1 == parent.formula1


def test_template_imported_unchanged_is_refused_with_the_example_rows_named(world):
    plan = roster_plan(content=roster_template(world.admin), user=world.admin)
    assert messages(plan) == [
        "党组织表第2行“名称”列：这是模板中的示例行，请删除或改写后再导入。",
        "班子成员表第2行“党组织”列：这是模板中的示例行，请删除或改写后再导入。",
    ]
    with pytest.raises(RosterInvalid):
        roster_import(content=roster_template(world.admin), by=world.admin)


def test_initial_password_hash_is_cheap_pbkdf2_and_upgraded_on_login(settings, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    encoded = initial_password_hash("Abcdefgh2345")
    assert identify_hasher(encoded).algorithm == "pbkdf2_sha256"
    assert encoded.split("$")[1] == str(INITIAL_PASSWORD_ITERATIONS)
    user = User.objects.create(username="new", password=encoded)
    assert user.check_password("Abcdefgh2345")
    user.refresh_from_db()
    assert user.password.split("$")[1] != str(INITIAL_PASSWORD_ITERATIONS)  # upgraded to the default strength
    assert check_password("Abcdefgh2345", user.password)


def test_seal_round_trip_and_wrong_key():
    key, sealed = seal("初始密码".encode())
    assert "初始密码".encode() not in sealed
    assert unseal(key, sealed).decode() == "初始密码"
    assert unseal(b"x" * 32, sealed) is None


def test_seal_to_a_public_key_round_trip_and_wrong_key():
    private, public = keypair()
    data = json.dumps([{"username": "zhou", "password": "Abcdefgh2345"}]).encode()
    box = seal_to(public, data)
    assert unseal_with(private, box) == data
    other_private, _ = keypair()
    assert unseal_with(other_private, box) is None
    assert unseal_with(public, box) is None  # the public key does not open it
    tampered = box[:-1] + bytes([box[-1] ^ 1])
    assert unseal_with(private, tampered) is None


def test_a_sealed_box_alone_reveals_nothing():
    private, public = keypair()
    data = b"Abcdefgh2345 zhou"
    first, second = seal_to(public, data), seal_to(public, data)
    assert b"Abcdefgh2345" not in first and b"zhou" not in first
    assert private not in first and public not in first
    # a fresh ephemeral key and nonce each time: equal plain texts are not recognisable
    assert first != second and first[:32] != second[:32]
    assert len(first) == 32 + 12 + len(data) + 16


def test_import_never_claims_an_unattached_account(world):
    """An account attached nowhere (a superuser's new user, someone removed everywhere) is not the
    importer's: claiming it would make it theirs to reset (issue 12)."""
    User.objects.create(username="loose", name="游离账号")
    content = roster_bytes([("新支部", "党支部", COMMITTEE, "游离账号", "", "loose")])
    plan = roster_plan(content=content, user=world.admin)
    assert any("账号“loose”已被您管理范围以外的人员使用" in message for message in messages(plan)), messages(plan)
    with pytest.raises(RosterInvalid):
        roster_import(content=content, by=world.admin)
    assert not Organization.objects.filter(name="新支部").exists()


def test_import_does_not_rename_a_person_who_also_serves_outside_the_subtree(world):
    world.branch_c.committee_members.add(world.secretary_a)  # also on another subtree's committee
    content = roster_bytes([], [("乙社区党支部", "冒名改名", "", "secretary_a")])
    plan = roster_plan(content=content, user=world.admin)
    assert any("其姓名、手机号请由系统管理员修改" in message for message in messages(plan)), messages(plan)
    with pytest.raises(RosterInvalid):
        roster_import(content=content, by=world.admin)
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.name != "冒名改名"
    assert not world.branch_b.committee_members.filter(pk=world.secretary_a.pk).exists()
