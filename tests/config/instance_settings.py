"""Production settings for the app servers the two-instance test starts (test_two_instances.py):
the same as config.settings, but static files from the source tree (no collectstatic per run) and
the test suite's fast password hasher known, so that users made by the test can log in."""

from config.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
