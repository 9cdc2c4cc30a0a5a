"""Each document is offered on the page where its readers look for it."""

from django.urls import reverse


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_report_pages_offer_the_pdf(client, published_world):
    w = published_world
    assert reverse("reports:report_pdf", args=[w.report_a.pk]) in page(client, w.secretary_a, "reports:detail", w.report_a.pk)
    version_pdf = reverse("reports:version_pdf", args=[w.report_a.pk, 1])
    assert version_pdf in page(client, w.reviewer, "reports:version_detail", w.report_a.pk, 1)
    assert reverse("reports:report_pdf", args=[w.report_a.pk]) in page(client, w.admin, "reviews:admin_report", w.report_a.pk)


def test_result_pages_offer_the_result_pdf(client, published_world):
    w = published_world
    result_pdf = reverse("reviews:result_pdf", args=[w.report_a.pk])
    assert result_pdf in page(client, w.secretary_a, "reviews:secretary_result", w.report_a.pk)
    assert result_pdf in page(client, w.reviewer, "reviews:queue", w.cycle.pk)
    assert result_pdf in page(client, w.admin, "reviews:admin_report", w.report_a.pk)


def test_results_page_offers_the_summary_and_each_result(client, scored_world):
    w = scored_world
    html = page(client, w.admin, "reviews:results", w.cycle.pk)
    # The summaries and the year's .zip are built in the background (jobs/): forms that start them.
    assert reverse("jobs:summary", args=[w.cycle.pk, "pdf"]) in html
    assert reverse("jobs:summary", args=[w.cycle.pk, "xlsx"]) in html
    assert reverse("jobs:cycle_archive", args=[w.cycle.pk]) in html
    assert reverse("reviews:result_pdf", args=[w.report_b.pk]) in html


def test_no_result_link_before_publication(client, scored_world):
    w = scored_world
    assert reverse("reviews:result_pdf", args=[w.report_a.pk]) not in page(client, w.reviewer, "reviews:queue", w.cycle.pk)
    assert reverse("reviews:result_pdf", args=[w.report_a.pk]) not in page(
        client, w.secretary_a, "reviews:secretary_result", w.report_a.pk
    )
