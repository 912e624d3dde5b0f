"""The consent screen in a real Chromium: tick boxes, click "Allow access" / "Cancel"."""

from __future__ import annotations

import os
import shutil
import urllib.parse

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def authorize_url(sandbox, redirect_uri: str) -> str:
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": sandbox.client_id,
            "redirect_uri": redirect_uri,
            "scope": "offline_access accounting.transactions accounting.settings",
            "state": "s-1",
        }
    )
    return f"{sandbox.base_url}/identity/connect/authorize?{query}"


def callback_query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_allow_access_for_the_ticked_organisation(chromium, xero_sandbox):
    callback = f"{xero_sandbox.base_url}/callback"  # any local URI is allowed; the 404 there does not matter
    page = chromium.new_page()
    page.goto(authorize_url(xero_sandbox, callback))

    page.get_by_label("Onport Demo (AU)").uncheck()
    page.get_by_role("button", name="Allow access").click()
    page.wait_for_url(f"{callback}?*")

    query = callback_query(page.url)
    assert query["state"] == "s-1"
    token = xero_sandbox.sdk(xero_sandbox.sdk_token(xero_sandbox.exchange_code(query["code"], redirect_uri=callback)))
    assert [c.tenant_name for c in token.identity.get_connections()] == ["Onport Demo (UK)"]
    page.close()


def test_cancel_returns_access_denied(chromium, xero_sandbox):
    callback = f"{xero_sandbox.base_url}/callback"
    page = chromium.new_page()
    page.goto(authorize_url(xero_sandbox, callback))

    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{callback}?*")

    assert callback_query(page.url) == {"error": "access_denied", "state": "s-1"}
    page.close()
