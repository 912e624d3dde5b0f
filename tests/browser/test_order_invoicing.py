"""Finance raises a purchase order (adding a line in the browser) and invoices part of it."""

import pytest
from playwright.sync_api import expect

from invoicing.models import PurchaseOrder
from tests.factories import MembershipFactory, UserFactory, VendorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_raise_an_order_then_part_invoice_it(page, login, account):
    user = UserFactory(email="fin@retail.test")
    MembershipFactory(account=account, user=user, role="finance")
    VendorFactory(account=account, name="Drop Co")

    # given: a new purchase order with two lines, the second added with "+ Add line"
    login(page, user.email)
    page.get_by_role("link", name="+ New purchase order").click()
    page.get_by_label("Vendor", exact=True).select_option(label="Drop Co")
    page.get_by_label("Shipping cost").fill("6.00")
    page.locator("#id_lines-0-sku").fill("MUG-1")
    page.locator("#id_lines-0-product_name").fill("Mug")
    page.locator("#id_lines-0-quantity").fill("4")
    page.locator("#id_lines-0-unit_cost").fill("3.50")
    page.get_by_role("button", name="+ Add line").click()
    page.locator("#id_lines-1-sku").fill("PLT-2")
    page.locator("#id_lines-1-product_name").fill("Plate")
    page.locator("#id_lines-1-quantity").fill("2")
    page.locator("#id_lines-1-unit_cost").fill("8.00")
    page.get_by_role("button", name="Create purchase order").dblclick()  # a double click makes one order
    expect(page.get_by_role("heading", name="Purchase order PO-1001")).to_be_visible()
    assert PurchaseOrder.objects.filter(account=account).count() == 1

    # when: asking to invoice more mugs than were ordered
    page.get_by_label("Quantity of MUG-1").fill("5")
    page.get_by_role("button", name="Create invoice").click()

    # then: the refusal says why, and what was typed is still there
    expect(page.locator(".errorlist.nonfield")).to_contain_text("MUG-1: you asked to invoice 5, but only 4")
    expect(page.get_by_label("Quantity of MUG-1")).to_have_value("5")

    # when: invoicing part of the order instead
    page.get_by_label("Quantity of MUG-1").fill("3")
    page.get_by_label("Quantity of PLT-2").fill("0")
    page.get_by_role("button", name="Create invoice").click()

    # then: the draft invoice bills 3 mugs and the shipping: (10.50 + 6.00) + 20% tax
    expect(page.locator(".messages")).to_contain_text("Draft invoice INV-000001 created.")
    expect(page.get_by_test_id("invoice-total")).to_have_text("19.80 GBP")
    page.get_by_role("button", name="Issue").click()
    expect(page.locator("h1 .badge")).to_have_text("Issued")
    page.screenshot(path="/tmp/onport-order-invoicing.png", full_page=True)
