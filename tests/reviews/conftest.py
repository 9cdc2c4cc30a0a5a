import pytest

from tests.reviews.helpers import submit_report


@pytest.fixture
def submitted(world):
    """The standard world with report_a and report_b written and submitted (version 1 each)."""
    submit_report(world.report_a, text="一、履职情况：全年召开支部党员大会12次。")
    submit_report(world.report_b)
    world.report_a.refresh_from_db()
    world.report_b.refresh_from_db()
    return world
