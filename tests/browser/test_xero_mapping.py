"""Setup › Accounting and vendors ↔ Xero contacts in a real browser, against the sandbox."""

import re

import pytest
from playwright.sync_api import expect

from accounting.setup.models import AccountingSettings, TaxRateMapping
from accounting.setup.services import (
    accounting_settings_choose_xero_account,
    accounting_settings_get,
)
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.services import sync_request
from contacts.models import VendorKind
from integrations.models import VendorXeroLink, XeroContact
from integrations.xero.ratelimit import RateLimiter
from integrations.xero.sandbox import seed
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_rate_budget():
    """The sandbox forgets its rate-limit windows at each reset; forget Onport's shared copy of them too
    (in Redis it outlives the test, and Xero's X-MinLimit-Remaining fills it to the test's budget)."""

    def forget():
        for tenant in (seed.UK_TENANT_ID, seed.AU_TENANT_ID):
            limiter = RateLimiter(tenant)
            if limiter.redis is not None:
                limiter.redis.delete(*limiter.keys)

    forget()
    yield
    forget()


def sandbox_org(xero_sandbox) -> dict:
    uk = xero_sandbox.uk_tenant_id
    return xero_sandbox.state(uk)["orgs"][uk]


def test_admin_sets_up_accounting_then_maps_a_dropship_provider_by_search(
    page, login, live_server, settings, xero_sandbox, connect_xero, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    uk = connect_xero(account=account, user=admin, tenant=xero_sandbox.uk_tenant_id)
    provider = VendorFactory(
        account=account, kind=VendorKind.DROPSHIP, name="Cobalt Logistics", email="", tax_number=""
    )
    order_create(vendor=provider, tax_rate="20.00")
    login(page, admin.email)

    # Setup › Accounting: choose the Xero account (its contacts import starts by itself)
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("link", name="Accounting settings").click()
    page.get_by_label("Xero account").select_option(label="Main entity (Onport Demo (UK))")
    page.get_by_role("button", name="Save accounting settings").click()
    expect(page.get_by_text("Invoices now sync to Main entity")).to_be_visible()

    # the choices come from the organisation's chart of accounts and tax rates
    product = page.get_by_label("Account code for product lines")
    offered = set(product.locator("option").evaluate_all("options => options.map(o => o.value)")) - {""}
    org = sandbox_org(xero_sandbox)
    usable = {
        a["Code"]
        for a in org["accounts"].values()
        if a["Status"] == "ACTIVE"
        and a["Type"] != "BANK"
        and not a.get("SystemAccount")
        and (a["Class"] == "EXPENSE" or a["Type"] in {"INVENTORY", "FIXED"})
    }
    assert offered == usable and {"090", "461", "800", "200"}.isdisjoint(offered)
    product.select_option("300")
    page.get_by_label("Account code for shipping lines").select_option(label="425 – Freight & Courier")
    expect(page.get_by_label("Onport tax rate 20%")).to_have_value("INPUT2")  # the one 20 % rate for expenses
    page.get_by_label("Automatically sync dropship invoices").check()
    page.get_by_label("Create bills as").select_option(label="Awaiting approval")
    page.get_by_role("button", name="Save accounting settings").click()
    expect(page.get_by_text("Accounting settings saved.")).to_be_visible()
    page.screenshot(path="/tmp/onport-setup-accounting.png", full_page=True)
    saved = AccountingSettings.objects.get(account=account)
    assert (
        saved.xero_account,
        saved.product_account_code,
        saved.shipping_account_code,
        saved.auto_sync_dropship,
        saved.auto_sync_replenishment,
        saved.bill_status,
    ) == (uk, "300", "425", True, False, "SUBMITTED")
    assert TaxRateMapping.objects.get(xero_account=uk).tax_type == "INPUT2"
    assert XeroContact.objects.filter(xero_account=uk).count() == len(org["contacts"])

    # Contacts › Vendors › the provider › Tax tab: search as you type, then Link
    page.get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("link", name="Cobalt Logistics").click()
    page.get_by_role("link", name="Tax").click()
    page.get_by_label("Search Xero contacts").press_sequentially("cobalt", delay=30)
    results = page.locator("#xero-contact-results")
    expect(results.get_by_text("Cobalt Freight")).to_be_visible()
    page.screenshot(path="/tmp/onport-xero-picker.png", full_page=True)
    results.get_by_role("button", name="Link Cobalt Freight").click()
    expect(page.get_by_text("“Cobalt Logistics” is linked to the Xero contact “Cobalt Freight”.")).to_be_visible()
    expect(page.locator("#xero-linked-name")).to_have_text("Cobalt Freight")
    page.screenshot(path="/tmp/onport-xero-linked.png", full_page=True)
    link = VendorXeroLink.objects.get(vendor=provider, xero_account=uk)
    assert link.contact_id == xero_sandbox.seeded_contact_id(xero_sandbox.uk_tenant_id, "Cobalt Freight")

    page.get_by_role("link", name="Vendors", exact=True).click()
    expect(page.locator("td.xero-state")).to_have_attribute("data-state", "mapped")
    page.screenshot(path="/tmp/onport-vendor-list-xero.png", full_page=True)

    # Integrations › Xero › Main entity: the imported contacts, and Refresh contacts (changes only)
    xero_sandbox.set_contact_status(xero_sandbox.uk_tenant_id, link.contact_id, "ARCHIVED")
    page.goto(uk.get_absolute_url())
    page.get_by_role("button", name="Refresh contacts").click()
    expect(page.get_by_text("Refreshing contacts from Xero.")).to_be_visible()
    expect(page.locator("#xero-contacts")).to_contain_text("2 archived in Xero")
    expect(page.locator("#xero-contacts")).to_contain_text("changes only")
    page.screenshot(path="/tmp/onport-xero-contacts.png", full_page=True)
    page.goto(f"/contacts/{provider.pk}/settings/tax/")
    expect(page.get_by_role("alert")).to_contain_text(
        "“Cobalt Freight” is archived in Xero — bills to it will be refused"
    )
    page.screenshot(path="/tmp/onport-xero-archived.png", full_page=True)


def test_finance_creates_the_contact_in_xero_for_a_replenishment_supplier(
    page, login, live_server, settings, xero_sandbox, connect_xero, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    admin = MembershipFactory(account=account, role="admin").user
    uk = connect_xero(account=account, user=admin, tenant=xero_sandbox.uk_tenant_id)
    accounting_settings_choose_xero_account(settings=accounting_settings_get(account=account), xero_account=uk)
    supplier = VendorFactory(
        account=account,
        kind=VendorKind.REPLENISHMENT,
        name="Harbour Ceramics",
        email="bills@harbour.test",
        tax_number="GB777000111",
        currency="EUR",
    )
    finance = MembershipFactory(account=account, role="finance").user
    login(page, finance.email)

    page.get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("link", name="Harbour Ceramics").click()
    page.get_by_role("button", name="Create in Xero").click()

    # Xero already has an active "Harbour Ceramics": link it, or create under another name
    expect(page.get_by_role("alert")).to_contain_text("Xero already has a contact called “Harbour Ceramics”")
    expect(page.get_by_role("button", name="Link “Harbour Ceramics”")).to_be_visible()
    page.screenshot(path="/tmp/onport-xero-name-clash.png", full_page=True)
    page.get_by_label("Name in Xero").fill("Harbour Ceramics Europe")
    page.get_by_role("button", name="Create in Xero").click()

    expect(
        page.get_by_text("“Harbour Ceramics Europe” was created in Xero (Onport Demo (UK)) and linked.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/contacts/{supplier.pk}/edit/"))
    page.screenshot(path="/tmp/onport-xero-created.png", full_page=True)
    created = [c for c in sandbox_org(xero_sandbox)["contacts"].values() if c["Name"] == "Harbour Ceramics Europe"]
    assert len(created) == 1
    assert (
        created[0]["EmailAddress"],
        created[0]["TaxNumber"],
        created[0]["DefaultCurrency"],
        created[0]["ContactNumber"],
    ) == ("bills@harbour.test", "GB777000111", "EUR", f"ONPORT-{supplier.pk}")
    assert VendorXeroLink.objects.get(vendor=supplier, xero_account=uk).contact_id == created[0]["ContactID"]


def test_automatic_sync_waits_for_the_codes_and_saving_them_sends_the_waiting_invoice(
    page, login, live_server, settings, books, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    AccountingSettings.objects.filter(account=account).update(product_account_code="", shipping_account_code="")
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor)
    invoice = invoice_create(order=order_create(vendor=vendor))
    sync_request(invoice=invoice, actor=books.admin)  # waits: no account codes yet
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.NEEDS_ATTENTION
    login(page, books.admin.email)
    page.goto("/setup/accounting/")

    # when: automatic sync on, without the codes
    page.get_by_label("Automatically sync dropship invoices").check()
    page.get_by_role("button", name="Save accounting settings").click()

    # then: refused, saying what is missing beside each field
    expect(page.get_by_text("Nothing was saved: automatic sync needs every choice marked below")).to_be_visible()
    expect(page.get_by_text("Choose the account code for product lines: automatic sync needs it.")).to_be_visible()
    expect(page.get_by_text("Choose the account code for shipping lines: automatic sync needs it.")).to_be_visible()
    assert AccountingSettings.objects.get(account=account).auto_sync_dropship is False

    # when: the codes are chosen and saved
    page.get_by_label("Account code for product lines").select_option("300")
    page.get_by_label("Account code for shipping lines").select_option("425")
    page.get_by_role("button", name="Save accounting settings").click()

    # then: the waiting invoice goes to Xero
    expect(page.get_by_text("1 invoice that waited on these settings is on its way to Xero again.")).to_be_visible()
    page.screenshot(path="/tmp/onport-setup-requeue.png", full_page=True)
    assert AccountingSettings.objects.get(account=account).auto_sync_dropship is True
    [bill] = books.bills()
    assert bill["InvoiceNumber"] == invoice.number
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED


def test_unlink_asks_first_and_a_no_keeps_the_link(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, kind=VendorKind.DROPSHIP, name="Cobalt Logistics")
    books.link(vendor, "Cobalt Freight")
    login(page, books.admin.email)
    page.goto(f"/contacts/{vendor.pk}/settings/tax/")
    questions = []

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Unlink").click()
    expect(page.locator("#xero-linked-name")).to_have_text("Cobalt Freight")
    assert VendorXeroLink.objects.filter(vendor=vendor).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Unlink").click()
    expect(page.locator("#xero-linked-name")).to_have_count(0)
    assert not VendorXeroLink.objects.filter(vendor=vendor).exists()
    assert questions == [
        "Unlink “Cobalt Logistics” from its Xero contact? Bills already in Xero stay as they are; "
        "new ones wait until it is linked again."
    ]
