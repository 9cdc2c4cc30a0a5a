import pytest

from reviews.ballots.services import evaluation_open
from tests.reviews.ballots.helpers import setup_evaluation


@pytest.fixture
def scene(submitted):
    """The world with report_a and report_b submitted and a draft evaluation of both:
    班子成员 3 voters (weight 60), 群众代表 4 voters (weight 40), marks 好1/较好0.9/一般0.7/差0.5."""
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin)
    submitted.evaluation = evaluation
    submitted.codes = codes
    return submitted


@pytest.fixture
def opened(scene):
    """`scene` with voting open (the codes' plain text survives only in scene.codes)."""
    evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    scene.evaluation.refresh_from_db()
    return scene
