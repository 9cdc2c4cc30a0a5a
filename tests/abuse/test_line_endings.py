"""Browsers post a textarea's line breaks as CRLF (the autosave's JSON has LF): the report stores
LF either way, so a text at the limit is not refused for its line breaks and the editor does not
see unsaved changes that are not there."""

from django.urls import reverse

from reports.models import SECTION_MAX_LENGTH, Report


def test_form_posts_store_line_feeds_only(client, world):
    client.force_login(world.secretary_a)
    client.post(
        reverse("reports:editor", args=[world.report_a.pk]),
        {"performance": "一、工作开展情况\r\n全年召开主题党日12次。\r\n", "plans": "三、\r打算", "base_revision": 0},
    )
    report = Report.objects.get(pk=world.report_a.pk)
    assert report.performance == "一、工作开展情况\n全年召开主题党日12次。\n"
    assert report.plans == "三、\n打算"


def test_import_confirm_stores_line_feeds_only(client, world):
    client.force_login(world.secretary_a)
    client.post(
        reverse("reports:import_confirm", args=[world.report_a.pk]),
        {"performance": "一、工作开展情况\r\n内容", "base_revision": 0},
    )
    assert Report.objects.get(pk=world.report_a.pk).performance == "一、工作开展情况\n内容"


def test_a_text_at_the_limit_is_not_refused_for_its_line_breaks(client, world):
    limit = SECTION_MAX_LENGTH["preamble"]
    lines = "\r\n".join(["各位领导" + "字" * 5] * (limit // 10))  # 10 characters per line with LF
    text = lines[: limit + lines.count("\r\n")]
    assert len(text.replace("\r\n", "\n")) <= limit < len(text)
    client.force_login(world.secretary_a)
    client.post(reverse("reports:editor", args=[world.report_a.pk]), {"preamble": text, "base_revision": 0})
    assert Report.objects.get(pk=world.report_a.pk).preamble == text.replace("\r\n", "\n")
