"""GET /metrics is for Prometheus only: a bearer token (METRICS_TOKEN), or DEBUG; never open by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_without_a_token_configured_metrics_are_off(settings):
    settings.METRICS_TOKEN, settings.DEBUG = "", False

    assert Client().get("/metrics").status_code == 404


def test_a_scrape_needs_the_bearer_token(settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    client = Client()

    refused = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"
    assert client.get("/metrics").status_code == 401

    answered = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert answered.status_code == 200 and answered["Content-Type"].startswith("text/plain")
    assert b"onport_outbox_due_rows" in answered.content and b"s3cret-scrape-token" not in answered.content


COUNT = """
import django; django.setup()
from integrations.xero.telemetry import XERO_CALLS
XERO_CALLS.labels(method="PUT", status_class="2xx").inc(3)
"""
SCRAPE = """
import django; django.setup()
from django.test import Client
print(Client().get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode())
"""


def test_multiprocess_mode_adds_up_the_counters_of_other_processes(tmp_path: Path):
    # given two worker processes that each counted Xero calls, then exited
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": "t",
        "DJANGO_SETTINGS_MODULE": "onport.settings_test",
        "DATABASE_URL": _database_url(),
    }
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT], env=env, check=True, cwd=django_settings.BASE_DIR, timeout=60)

    # when a third process answers the scrape
    scraped = subprocess.run(
        [sys.executable, "-c", SCRAPE],
        env=env,
        check=True,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout

    assert 'onport_xero_calls_total{method="PUT",status_class="2xx"} 6.0' in scraped
    assert "onport_outbox_due_rows" in scraped  # the database gauges are there in multiprocess mode too


def _database_url() -> str:
    """The test database this session uses (the subprocesses read the gauges from it)."""
    db = django_settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        pytest.skip("another process cannot see an in-memory test database")
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
