"""The health checks docker-compose runs: config/healthcheck.py against a running server (web),
`manage.py healthcheck` (worker)."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from config import health
from tests.config.helpers import ROOT


def test_the_web_containers_check_passes_against_a_running_server(live_server):
    script = ROOT / "config" / "healthcheck.py"
    env = {"DJANGO_ALLOWED_HOSTS": "localhost,shuping.example.gov.cn", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, script, f"{live_server.url}/healthz"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert '"status": "ok"' in ok.stdout
    gone = subprocess.run([sys.executable, script, f"{live_server.url}/no-such-page"], env=env, capture_output=True)
    assert gone.returncode == 1


@pytest.mark.django_db
def test_the_worker_containers_check(monkeypatch, capsys):
    call_command("healthcheck")
    assert '"database": "ok"' in capsys.readouterr().out
    monkeypatch.setitem(health.CHECKS, "cache", lambda: 1 / 0)
    with pytest.raises(CommandError):
        call_command("healthcheck")
    assert '"cache": "error"' in capsys.readouterr().out
