"""The main pages under the Content-Security-Policy in Chromium: nothing is refused, htmx polls, Connect works."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP = "Content Security Policy"


def _listen(page, heard: list[str]) -> None:
    page.on("console", lambda message: heard.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: heard.append(f"{page.url}: {error}"))


def test_main_pages_load_without_a_content_security_policy_violation(
    page, login, live_server, settings, books, account
):
    # given: an admin whose books sync, with an invoice synced (its panel and the Sync log poll with htmx)
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor))
    heard: list[str] = []
    _listen(page, heard)
    page.context.on("page", lambda opened: _listen(opened, heard))
    login(page, books.admin.email)

    # when: the pages people use most, each given time for its scripts and polls
    page.goto("/")
    page.get_by_role("link", name="Payments").click()
    expect(page.locator(".status-counts a").first).to_be_visible()  # loaded by htmx after the page
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    page.goto(reverse("sync:log"))
    expect(page.get_by_role("heading", name="Sync log")).to_be_visible()
    page.get_by_role("link", name="Setup").click()
    page.goto(reverse("accounting:setup_accounting"))
    expect(page.get_by_label("Automatically sync dropship invoices")).to_be_visible()
    page.goto(books.xero_account.get_absolute_url())
    with page.expect_response(lambda response: "/status/" in response.url, timeout=6_000):
        pass  # the status card's htmx poll (every 2 s) ran
    # Reconnect posts to us and is redirected to the consent page: form-action must allow Xero's origin
    with page.context.expect_page() as consent_tab:
        page.get_by_role("button", name=re.compile("^(Connect|Reconnect)$")).click()
    consent = consent_tab.value
    expect(consent.get_by_role("button", name="Allow access")).to_be_visible()
    consent.close()
    page.wait_for_timeout(500)

    # then: the browser refused nothing and no script failed
    assert [line for line in heard if CSP in line] == []
    assert not [line for line in heard if "Uncaught" in line or "Error" in line], heard

    # and the listener does hear a refusal: an inline script is blocked and said so
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
    for _ in range(50):  # the console message may take a while on a busy machine
        if [line for line in heard if CSP in line]:
            break
        page.wait_for_timeout(100)
    assert [line for line in heard if CSP in line]
