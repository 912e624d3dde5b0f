"""Integrations > Xero in a real browser: + New Xero account → Connect → consent tab → Allow → Tenant."""

import re

import pytest
from playwright.sync_api import expect

from integrations.models import XeroAccount, XeroAccountStatus
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _allow_in_new_tab(page, *, thirty_minutes=False):
    with page.context.expect_page() as consent_tab:
        page.get_by_role("button", name=re.compile("^(Connect|Reconnect)$")).click()
    consent = consent_tab.value
    consent.wait_for_load_state()
    expect(consent.get_by_role("button", name="Allow access")).to_be_visible()
    if thirty_minutes:
        consent.get_by_label("Only allow access for 30 minutes").check()
    consent.get_by_role("button", name="Allow access").click()
    consent.wait_for_url(re.compile(r"/integrations/xero/\d+/$"))
    return consent


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
    consent = _allow_in_new_tab(page)
    consent.close()
    expect(page.locator("#xero-status .badge")).to_have_text("connected", timeout=10_000)
    page.get_by_label("Tenant").select_option(label="Onport Demo (AU)")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Main entity now syncs to Onport Demo (AU).")).to_be_visible()
    page.screenshot(path="/tmp/onport-xero-connected.png", full_page=True)
    xero_account = XeroAccount.objects.get(account=account, name="Main entity")
    assert xero_account.tenant_id == xero_sandbox.au_tenant_id and xero_account.base_currency == "AUD"

    # Reconnect keeps the chosen Tenant
    consent = _allow_in_new_tab(page)
    consent.close()
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

    consent = _allow_in_new_tab(page, thirty_minutes=True)

    expect(consent.get_by_text("only has 30-minute access")).to_be_visible()
    consent.screenshot(path="/tmp/onport-xero-30-minutes.png", full_page=True)
