import pytest

from tests.reviews.rectification.scenes import build_approved, build_next_year, build_published, category, fill_plan

__all__ = ["category", "fill_plan"]


@pytest.fixture
def published(world):
    return build_published(world)


@pytest.fixture
def approved(published):
    return build_approved(published)


@pytest.fixture
def next_year(approved):
    return build_next_year(approved)
