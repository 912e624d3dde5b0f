"""The Content-Security-Policy header, and templates that need nothing it forbids."""

import re

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string

STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
]


def _directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part for part in (p.strip() for p in header.split(";"))}


@pytest.mark.django_db
def test_pages_carry_the_strict_policy_with_xeros_consent_origin_in_form_action(client, settings):
    settings.XERO_AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"

    response = client.get("/login/")

    directives = _directives(response)
    for directive in STRICT:
        assert directives[directive.split(" ", 1)[0]] == directive
    assert directives["form-action"] == "form-action 'self' https://login.xero.com"


@pytest.mark.django_db
def test_form_action_follows_the_authorize_setting_to_the_sandbox(admin_client_, settings):
    settings.XERO_AUTHORIZE_URL = "http://127.0.0.1:8765/identity/connect/authorize"

    response = admin_client_.get("/integrations/xero/")

    assert response.status_code == 200
    assert _directives(response)["form-action"] == "form-action 'self' http://127.0.0.1:8765"


@pytest.mark.django_db
def test_redirects_and_error_pages_carry_it_too(client):
    assert "Content-Security-Policy" in client.get("/").headers  # the redirect to log in
    assert "Content-Security-Policy" in client.get("/no-such-page/").headers


INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on (needs eval)": re.compile(r"\s(hx-on|data-hx-on)[:\-=]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_have_no_inline_script_style_or_handler():
    found = []
    for path in sorted((django_settings.BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        found += [f"{path.name}: {what}" for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == []


def test_htmx_is_configured_without_eval_or_injected_styles():
    base = (django_settings.BASE_DIR / "templates" / "base.html").read_text()
    assert """<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false}'>""" in base


def test_the_500_page_is_styled_from_the_stylesheet_even_without_a_static_manifest(settings, tmp_path):
    # given: production's manifest storage with no manifest (collectstatic not run): {% static %} would raise
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    html = render_to_string("500.html")

    assert html.startswith("<!doctype html>")
    assert '<body class="error-page">' in html and '<link rel="stylesheet" href="/static/css/onport.css">' in html
