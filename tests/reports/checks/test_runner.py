from reports.checks import BLOCKING, KINDS, WARNING, run_checks

from .helpers import check_input, findings


def test_a_good_report_has_no_finding():
    assert findings() == []


def test_findings_are_warnings_unless_their_kind_is_blocking():
    data = check_input(plans="三、下一步打算\n二个维护。" + "抓好党员教育，改进学习方式，提高青年党员参学率，充实志愿服务队伍。" * 2)
    warnings = run_checks(data)
    assert {f.kind for f in warnings} == {"terminology"}
    assert all(f.severity == WARNING and not f.is_blocking for f in warnings)
    blocking = run_checks(data, blocking_kinds=["terminology"])
    assert [f.severity for f in blocking] == [BLOCKING]
    assert run_checks(data, blocking_kinds=["figures"])[0].severity == WARNING


def test_finding_as_dict_carries_span_message_and_label():
    found = findings(plans="三、下一步打算\n做到二个维护，" + "改进党员教育方式，提高青年党员参学率，充实志愿服务队伍。" * 2)[0]
    data = found.as_dict()
    assert data["kind"] == "terminology" and data["kind_label"] == KINDS["terminology"]
    assert data["section"] == "plans" and data["excerpt"] == "二个维护"
    assert "您" in "".join(f.suggestion + f.message for f in findings(performance=""))
