"""Integrations > Xero in a real browser: + New Xero account → Connect → consent tab → Allow → Tenant."""

import re

import pytest
from playwright.sync_api import expect

from integrations.models import XeroAccount, XeroAccountStatus
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_consent_tab(page):
    with page.context.expect_page() as consent_tab:
        page.get_by_role("button", name=re.compile("^(Connect|Reconnect)$")).click()
    consent = consent_tab.value
    consent.wait_for_load_state()
    expect(consent.get_by_role("button", name="Allow access")).to_be_visible()
    return consent


def _allow_in_new_tab(page, *, thirty_minutes=False):
    """Allow in Xero's tab, which then closes by itself: the tab the admin came from carries on (one copy of Onport)."""
    consent = _open_consent_tab(page)
    if thirty_minutes:
        consent.get_by_label("Only allow access for 30 minutes").check()
    with consent.expect_event("close", timeout=10_000):
        consent.get_by_role("button", name="Allow access").click()
    assert page.context.pages == [page]


def test_admin_connects_xero_chooses_the_tenant_reconnects_and_disconnects(
    page, login, live_server, settings, xero_sandbox, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    login(page, admin.email)

    # + New Xero account
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name="Manage Xero accounts").click()
    page.get_by_role("link", name="+ New Xero account").click()
    page.get_by_label("Name of your Xero account").fill("Main entity")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#xero-status .badge")).to_have_text("not connected")

    # Connect: Xero's consent opens in another tab; this tab updates by itself
    expect(page.get_by_role("button", name="Connect")).to_have_class(re.compile(r"\bbtn-connect\b"))  # red
    _allow_in_new_tab(page)
    expect(page.locator("#xero-status .badge")).to_have_text("connected", timeout=10_000)
    # the header's red Connect is now a green "connected", without a reload (the poll sends it too)
    expect(page.locator("#xero-connect-actions #xero-connected")).to_have_text("connected")
    expect(page.get_by_role("button", name="Reconnect")).not_to_have_class(re.compile(r"\bbtn-connect\b"))
    page.get_by_label("Tenant").select_option(label="Onport Demo (AU)")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Main entity now syncs to Onport Demo (AU).")).to_be_visible()
    page.screenshot(path="/tmp/onport-xero-connected.png", full_page=True)
    xero_account = XeroAccount.objects.get(account=account, name="Main entity")
    assert xero_account.tenant_id == xero_sandbox.au_tenant_id and xero_account.base_currency == "AUD"

    # Reconnect keeps the chosen Tenant
    _allow_in_new_tab(page)
    page.reload()
    expect(page.get_by_label("Tenant")).to_have_value(xero_sandbox.au_tenant_id)

    # Disconnect removes the connection in Xero
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("is disconnected from Xero. Its history is kept.")).to_be_visible()
    assert XeroAccount.objects.get(pk=xero_account.pk).status == XeroAccountStatus.DISCONNECTED
    deleted = [r for r in xero_sandbox.requests() if r["method"] == "DELETE"]
    assert deleted and not xero_sandbox.state()["connections"]  # every connection the consent made
    assert xero_sandbox.requests(path_prefix="/connect/revocation")  # and the grant is revoked


def test_thirty_minute_access_shows_when_it_ends(page, login, live_server, settings, xero_sandbox, account):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    xero_account = XeroAccount.objects.create(account=account, name="Trial")
    login(page, admin.email)
    page.goto(xero_account.get_absolute_url())

    _allow_in_new_tab(page, thirty_minutes=True)

    expect(page.get_by_text("only has 30-minute access")).to_be_visible(timeout=10_000)
    page.screenshot(path="/tmp/onport-xero-30-minutes.png", full_page=True)


def test_consent_tab_without_the_page_it_came_from_says_what_next_and_links_back(
    page, login, live_server, settings, xero_sandbox, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    xero_account = XeroAccount.objects.create(account=account, name="Main entity")
    login(page, admin.email)
    page.goto(xero_account.get_absolute_url())
    consent = _open_consent_tab(page)
    page.goto(f"{live_server.url}/")  # the admin has moved on in the first tab: nobody to hand back to

    consent.get_by_role("button", name="Allow access").click()

    expect(consent.get_by_role("heading", name="Connected to Xero")).to_be_visible()
    expect(consent.get_by_text("Main entity is connected. Next: choose the Tenant")).to_be_visible()
    consent.wait_for_timeout(500)  # the hand-back would have closed the tab by now
    assert not consent.is_closed()
    consent.get_by_role("link", name="Continue in this tab").click()
    expect(consent.get_by_label("Tenant")).to_be_visible()
