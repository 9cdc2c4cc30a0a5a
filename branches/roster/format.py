"""The roster file's format: its two sheets, their columns, the organization kinds, and the
limits a file is read within.

  党组织   名称 · 类型 (党委/党工委/党总支/党支部) · 上级党组织 · 书记姓名 · 手机号 · 书记账号
  班子成员 党组织 · 姓名 · 手机号 · 账号
"""

import re

from django.contrib.auth.validators import UnicodeUsernameValidator

from ..models import Organization

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
# The template's example rows begin with this; a file that still holds one is refused with a
# message (an example imported by mistake would create an organization).
EXAMPLE_PREFIX = "示例："
PARENT_LIST_SHEET = "上级党组织名单"
PHONE = re.compile(r"^1\d{10}$")
USERNAME_VALIDATOR = UnicodeUsernameValidator()
