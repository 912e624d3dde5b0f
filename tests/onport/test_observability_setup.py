"""Sentry only with SENTRY_DSN, without personal data; JSON log lines with LOG_FORMAT=json."""

import json
import os
import subprocess
import sys

import pytest
import sentry_sdk
from django.conf import settings

from onport.sentry import before_send

UNREACHABLE_DSN = "https://public@127.0.0.1:9/1"  # port 9 (discard): nothing is ever sent


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    """`code` in a fresh Python with the test settings and `env`: settings are read once, at start."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "onport.settings_test", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_dsn_sentry_is_not_initialised():
    if settings.SENTRY_DSN:
        pytest.skip("this environment sets SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()


SENTRY_STATE = """
import json, django; django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({"active": client.is_active(), "pii": client.options["send_default_pii"],
                  "environment": client.options["environment"], "release": client.options["release"],
                  "before_send": client.options["before_send"].__name__,
                  "integrations": sorted(client.integrations)}))
"""


def test_with_a_dsn_sentry_starts_with_django_and_celery_and_no_personal_data():
    state = json.loads(
        _run(
            SENTRY_STATE, SENTRY_DSN=UNREACHABLE_DSN, SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="onport@1.2.3"
        ).stdout.splitlines()[-1]
    )

    assert state["active"] and state["pii"] is False and state["before_send"] == "before_send"
    assert {"django", "celery"} <= set(state["integrations"])
    assert (state["environment"], state["release"]) == ("staging", "onport@1.2.3")


def test_before_send_drops_cookies_and_credential_headers():
    event = {
        "request": {
            "url": "https://onport.example.com/",
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer eyJ.secret", "Cookie": "sessionid=abc", "Accept": "*/*"},
        }
    }

    sent = before_send(event, {})

    assert "cookies" not in sent["request"] and sent["request"]["headers"] == {"Accept": "*/*"}


JSON_LOG = """
import logging, django; django.setup()
logging.getLogger("onport.xero").info("xero call GET /api.xro/2.0/Organisation -> 200", extra={"status": 200, "tenant_id": "t-1"})
"""


def test_log_format_json_writes_one_json_object_a_line_with_the_extra_fields():
    output = _run(JSON_LOG, LOG_FORMAT="json").stderr
    [line] = [json.loads(line) for line in output.splitlines() if '"onport.xero"' in line]

    assert line["name"] == "onport.xero" and line["levelname"] == "INFO"
    assert line["status"] == 200 and line["tenant_id"] == "t-1" and line["message"].startswith("xero call GET")


def test_the_default_log_format_is_text():
    output = _run(JSON_LOG).stderr
    [line] = [line for line in output.splitlines() if "onport.xero" in line]

    assert line.endswith("INFO onport.xero xero call GET /api.xro/2.0/Organisation -> 200") and not line.startswith("{")
