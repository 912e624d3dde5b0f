"""Setup > Accounting › Tracking in a real browser: an admin maps Xero's tracking categories, finance syncs, and the
bill's lines in Xero carry the options."""

import pytest
from playwright.sync_api import expect

from accounting.sync.models import AccountingSync
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_maps_tracking_and_the_synced_bill_carries_it(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, sales_channel="Marketplace"))
    login(page, books.admin.email)

    # Setup > Accounting › Tracking
    page.goto(f"{live_server.url}/setup/accounting/")
    page.get_by_role("link", name="Tracking", exact=True).click()
    expect(page.get_by_role("heading", name="Tracking", exact=True)).to_be_visible()

    # a rule by the order's sales channel, and a default for the other category
    page.get_by_label("Tracking option").select_option(label="Marketplace")
    page.get_by_label("For", exact=True).select_option(label="Orders from the sales channel below")
    page.get_by_label("Sales channel or brand").fill("Marketplace")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Saved: Sales channel is “Marketplace” for sales channel 'Marketplace'.")).to_be_visible()
    page.get_by_label("Tracking option").select_option(label="North")
    page.get_by_label("For", exact=True).select_option(label="Every bill (the category's default)")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("table", name="Rules for Region")).to_contain_text("North")
    expect(page.get_by_role("table", name="Rules for Sales channel")).to_contain_text("Marketplace")
    page.screenshot(path="/tmp/onport-setup-tracking.png", full_page=True)

    # finance previews and syncs the invoice
    page.context.clear_cookies()
    login(page, MembershipFactory(account=account, role="finance").user.email)
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("link", name="Preview bill").click()
    expect(page.locator("#preview-tracking")).to_contain_text("Region: North (every bill)")
    expect(page.locator("#preview-tracking")).to_contain_text(
        "Sales channel: Marketplace (sales channel 'Marketplace')"
    )
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)

    # the bill in the sandbox: every line carries both options
    sync = AccountingSync.objects.get(invoice=invoice)
    [bill] = books.bills()
    assert bill["InvoiceID"] == sync.xero_id
    assert [sorted((entry["Name"], entry["Option"]) for entry in line["Tracking"]) for line in bill["LineItems"]] == [
        [("Region", "North"), ("Sales channel", "Marketplace")]
    ] * 3
