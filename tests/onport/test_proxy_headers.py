"""X-Forwarded-Proto is believed only when TRUST_PROXY_HEADERS says a TLS proxy sets it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

PRINT_SETTINGS = "import onport.settings as s; print(repr(s.SECURE_PROXY_SSL_HEADER), s.SECURE_SSL_REDIRECT)"


def _production_settings(**env: str) -> str:
    """The production settings (not the tests'), imported in a fresh interpreter with only `env` set."""
    environment = {"PATH": os.environ["PATH"], "SECRET_KEY": "subprocess-only", "DEBUG": "false", **env}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_header_is_not_trusted_by_default():
    assert _production_settings() == "None True"
    assert _production_settings(TRUST_PROXY_HEADERS="false") == "None True"


def test_the_header_is_trusted_when_a_proxy_is_said_to_set_it():
    assert _production_settings(TRUST_PROXY_HEADERS="true") == "('HTTP_X_FORWARDED_PROTO', 'https') True"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
def test_plain_http_claiming_https_is_still_redirected_when_the_header_is_untrusted(client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_trusted_proxy_its_https_requests_are_served(client):
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/login/").status_code == 301  # the proxy's own plain-HTTP requests are still sent to HTTPS
