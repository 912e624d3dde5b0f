"""The first-run checklist on Integrations > Xero walks a new account from connecting Xero to its first bill."""

import pytest
from playwright.sync_api import expect

from contacts.models import VendorKind
from integrations.models import XeroContactImport
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checklist(page):
    page.goto("/integrations/xero/")
    return page.locator("#first-run-checklist")


def _done(checklist, *steps):
    for step in steps:
        expect(checklist.locator(f'[data-step="{step}"]')).to_have_class("done")


def test_the_checklist_walks_a_new_account_from_connect_to_the_first_bill(
    page, login, live_server, settings, xero_sandbox, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    provider = VendorFactory(
        account=account, kind=VendorKind.DROPSHIP, name="Cobalt Logistics", email="", tax_number=""
    )
    invoice = invoice_create(order=order_create(vendor=provider, tax_rate="20.00"))
    login(page, admin.email)

    checklist = _checklist(page)
    expect(checklist).to_contain_text("Getting started with Xero: 0 of 7 done")
    expect(checklist.locator('[data-step="5"]')).to_contain_text("0 of 1 vendors linked to a Xero contact.")

    # 1–3: add the Xero account, connect, choose the Tenant: its contacts import by themselves
    checklist.get_by_role("link", name="Add a Xero account").click()
    page.get_by_label("Name of your Xero account").fill("Main entity")
    page.get_by_role("button", name="Create").click()
    with page.context.expect_page() as consent_tab:
        page.get_by_role("button", name="Connect").click()
    consent = consent_tab.value
    with consent.expect_event("close", timeout=10_000):  # the consent tab hands back to this one and closes
        consent.get_by_role("button", name="Allow access").click()
    expect(page.locator("#xero-status .badge")).to_have_text("connected", timeout=10_000)
    page.get_by_label("Tenant").select_option(label="Onport Demo (UK)")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Its contacts are being imported")).to_be_visible()
    assert XeroContactImport.objects.get(xero_account__account=account).state == "done"
    checklist = _checklist(page)
    _done(checklist, 1, 2, 3)
    expect(checklist).to_contain_text("3 of 7 done")

    # 4 and 6: Setup > Accounting — the Xero account, its codes, automatic sync
    checklist.locator('[data-step="4"]').get_by_role("link").click()
    page.get_by_label("Xero account").select_option(label="Main entity (Onport Demo (UK))")
    page.get_by_role("button", name="Save accounting settings").click()
    expect(page.get_by_text("Invoices now sync to Main entity")).to_be_visible()
    page.get_by_label("Account code for product lines").select_option("300")
    page.get_by_label("Account code for shipping lines").select_option("425")
    page.get_by_label("Automatically sync dropship invoices").check()
    page.get_by_role("button", name="Save accounting settings").click()
    expect(page.get_by_text("Accounting settings saved.")).to_be_visible()
    checklist = _checklist(page)
    _done(checklist, 4, 6)

    # 5: link the vendor to its Xero contact
    checklist.locator('[data-step="5"]').get_by_role("link").click()
    page.get_by_role("link", name="Cobalt Logistics").click()
    page.get_by_role("link", name="Tax").click()
    page.get_by_label("Search Xero contacts").press_sequentially("cobalt", delay=30)
    page.locator("#xero-contact-results").get_by_role("button", name="Link Cobalt Freight").click()
    expect(page.get_by_text("is linked to the Xero contact “Cobalt Freight”.")).to_be_visible()

    # 7: the first bill — the invoice issued before automatic sync, sent by hand
    checklist = _checklist(page)
    expect(checklist.locator('[data-step="7"]')).to_contain_text("Issue an invoice and press sync accounting.")
    page.goto(invoice.get_absolute_url())
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)

    checklist = _checklist(page)
    expect(checklist).to_contain_text("Getting started with Xero: 7 of 7 done")
    expect(checklist.locator('[data-step="7"]')).to_contain_text(f"{invoice.number} is in Xero.")
    expect(checklist.locator("details")).not_to_have_attribute("open", "")
    page.screenshot(path="/tmp/onport-first-run.png", full_page=True)
