"""The splitter on a collection of real heading styles (tests/reports/data/heading_styles.json)."""

import json
from pathlib import Path

import pytest

from reports.splitter import PARTS, split_report

CASES = json.loads((Path(__file__).parent / "data" / "heading_styles.json").read_text(encoding="utf-8"))["cases"]


def test_collection_is_large_and_covers_every_part():
    assert len(CASES) >= 30
    assert {part for case in CASES for _, part in case["outline"]} == set(PARTS) - {"preamble"}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_heading_style(case):
    lines = ["各位领导、同志们："]
    expected = {part: [] for part in PARTS}
    expected["preamble"].append(lines[0])
    for number, (heading, part) in enumerate(case["outline"], start=1):
        body = f"第{number}段正文，全年召开主题党日12次。"
        lines += [heading, body]
        expected[part] += [heading.strip(), body]
    result = split_report("\n".join(lines))
    assert {part: result[part].split("\n") if result[part] else [] for part in PARTS} == expected
