import pytest

from tests.factories import build_world


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    # Fast hashing, no login throttling state between tests, files in a temporary folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    # The test client speaks plain http; production's https redirect is tested on its own.
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    """A committee with two branches, reviewers and administrators, and an open cycle. See build_world."""
    return build_world()
