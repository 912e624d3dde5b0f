"""A finance person with two accounts finds an invoice under Contacts > Payments and opens it."""

import csv
import datetime

import pytest
from playwright.sync_api import expect

from contacts.models import VendorKind
from tests.factories import (
    AccountFactory,
    MembershipFactory,
    UserFactory,
    VendorFactory,
    invoice_create,
    order_create,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/onport-invoice-search.png"


@pytest.fixture
def two_accounts():
    first = AccountFactory(name="Demo Retail")
    second = AccountFactory(name="Second Shop")
    user = UserFactory(email="fran@retail.test")
    MembershipFactory(account=first, user=user, role="finance")
    MembershipFactory(account=second, user=user, role="admin")
    # given: invoices in both accounts, so the switch has to matter
    mine = VendorFactory(account=first, name="First Account Vendor")
    invoice_create(order=order_create(vendor=mine))
    acme = VendorFactory(account=second, kind=VendorKind.REPLENISHMENT, name="Acme Wholesale")
    drop = VendorFactory(account=second, kind=VendorKind.DROPSHIP, name="Drop Co")
    invoice_create(order=order_create(vendor=drop), issue_date=datetime.date(2026, 11, 3))
    wanted = invoice_create(
        order=order_create(vendor=acme, lines=((3, "12.50"), (1, "40.00"))), issue_date=datetime.date(2026, 11, 4)
    )
    return user, wanted


def test_find_and_open_an_invoice_in_the_other_account(page, login, two_accounts):
    user, wanted = two_accounts

    # when: log in, switch to the second account, go to Contacts > Payments
    login(page, user.email)
    expect(page.locator(".topbar")).to_contain_text("Finance")
    with page.expect_navigation():
        page.get_by_label("Account", exact=True).select_option(label="Second Shop")
    expect(page.locator(".topbar")).to_contain_text("Admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", name="Payments")).to_be_visible()
    expect(page.get_by_role("table")).not_to_contain_text("First Account Vendor")

    # and: search invoices by vendor
    page.get_by_label("Vendor", exact=True).select_option(label="Acme Wholesale")
    page.get_by_role("button", name="Search invoices").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme Wholesale")

    # and: open it
    rows.first.get_by_role("link", name=wanted.number).click()

    # then: its lines, shipping and total are there
    expect(page.get_by_role("heading", name=f"Invoice {wanted.number}")).to_be_visible()
    lines = page.get_by_role("table", name="Invoice lines")
    expect(lines).to_contain_text("SKU-1")
    expect(lines).to_contain_text("SKU-2")
    expect(lines).to_contain_text("Shipping")
    expect(page.get_by_test_id("invoice-total")).to_have_text("99.00 GBP")  # (37.50 + 40.00 + 5.00 shipping) + 20%
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_export_the_search_as_csv(page, login, two_accounts):
    user, wanted = two_accounts
    login(page, user.email)
    with page.expect_navigation():
        page.get_by_label("Account", exact=True).select_option(label="Second Shop")
    page.goto("/contacts/payments/")

    # when: search invoices by vendor, then Export CSV
    page.get_by_label("Vendor", exact=True).select_option(label="Acme Wholesale")
    page.get_by_role("button", name="Search invoices").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()

    # then: the file holds the search's invoice, not the other vendor's or the other account's
    assert download.value.suggested_filename.startswith("payments-")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(exported))
    assert [(row["Number"], row["Vendor"], row["Total"], row["Xero status"]) for row in rows] == [
        (wanted.number, "Acme Wholesale", "99.00", "Not synced")
    ]
