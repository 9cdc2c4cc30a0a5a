import importlib.util
import os

import pytest

from tests.config.helpers import ROOT, production_env


@pytest.fixture
def axes_on(settings):
    # tests/conftest.py turns axes off for every other test.
    settings.AXES_ENABLED = True


@pytest.fixture
def load_settings(monkeypatch):
    """load_settings(**env) -> a fresh copy of config/settings.py evaluated with exactly that environment
    (on top of production_env), leaving the test process's own settings alone."""

    def load(**overrides):
        env = production_env(**overrides)
        for name in list(os.environ):
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location("settings_under_test", ROOT / "config" / "settings.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
