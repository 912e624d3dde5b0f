"""Bill lines coded by their SKU's product category, end to end through the sandbox: vendor override → category
code (for the invoice's Xero account) → Setup > Accounting's product code; Preview bill names the rule."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.setup.categories import services
from accounting.setup.models import CategoryAccountCode
from accounting.sync.inputs import CodingContext, bill_draft
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.xero_lists import xero_lists_get
from invoicing.models import PurchaseInvoice
from tests.factories import VendorFactory, invoice_create, order_create
from tests.fixtures.accounting import PRODUCT_ACCOUNT, SHIPPING_ACCOUNT

pytestmark = pytest.mark.django_db

APPAREL_CODE, HOMEWARE_CODE = "310", "630"
FOUR_LINES = ((1, "10.00"), (2, "4.50"), (3, "2.00"))  # SKU-1 apparel, SKU-2 homeware, SKU-3 uncategorised


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def categorised(books, account, admin_client_):
    """Apparel (SKU-1) and Homeware (SKU-2), their codes chosen on the page (checked against the sandbox)."""
    apparel = services.product_category_create(account=account, name="Apparel")
    homeware = services.product_category_create(account=account, name="Homeware")
    services.products_assign(account=account, category=apparel, skus=["SKU-1"])
    services.products_assign(account=account, category=homeware, skus=["SKU-2"])
    response = admin_client_.post(
        reverse("accounting:setup_category_codes"),
        {f"code_{apparel.pk}": APPAREL_CODE, f"code_{homeware.pk}": HOMEWARE_CODE},
    )
    assert response.status_code == 302
    return {"Apparel": apparel, "Homeware": homeware}


def _synced(books, vendor) -> PurchaseInvoice:
    invoice = invoice_create(order=order_create(vendor=vendor, lines=FOUR_LINES))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    return invoice


def _codes(bill: dict) -> list[tuple[str, str]]:
    return [(line["Description"].split()[0], line["AccountCode"]) for line in bill["LineItems"]]


def test_each_line_of_the_bill_gets_its_categorys_code(books, linked_vendor, categorised):
    invoice = _synced(books, linked_vendor)

    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED
    [bill] = books.bills()
    assert _codes(bill) == [
        ("SKU-1", APPAREL_CODE),
        ("SKU-2", HOMEWARE_CODE),
        ("SKU-3", PRODUCT_ACCOUNT),  # no category: the default
        ("Shipping", SHIPPING_ACCOUNT),
    ]


def test_a_code_for_another_xero_account_is_not_used(books, linked_vendor, account, connect_xero, xero_sandbox):
    apparel = services.product_category_create(account=account, name="Apparel")
    services.products_assign(account=account, category=apparel, skus=["SKU-1"])
    au = connect_xero(account=account, user=books.admin, name="AU entity", tenant=xero_sandbox.au_tenant_id)
    CategoryAccountCode.objects.create(account=account, xero_account=au, category=apparel, account_code="310")

    _synced(books, linked_vendor)

    [bill] = books.bills()
    assert _codes(bill)[0] == ("SKU-1", PRODUCT_ACCOUNT)


def test_the_vendors_override_beats_the_category(books, linked_vendor, categorised):
    link = books.link(linked_vendor)
    link.account_code_override = "429"
    link.save()

    _synced(books, linked_vendor)

    [bill] = books.bills()
    assert _codes(bill) == [("SKU-1", "429"), ("SKU-2", "429"), ("SKU-3", "429"), ("Shipping", SHIPPING_ACCOUNT)]


def test_a_category_without_a_code_for_this_xero_account_falls_through_to_the_default(
    books, linked_vendor, account, categorised, admin_client_
):
    admin_client_.post(
        reverse("accounting:setup_category_codes"),
        {f"code_{categorised['Apparel'].pk}": "", f"code_{categorised['Homeware'].pk}": HOMEWARE_CODE},
    )

    _synced(books, linked_vendor)

    [bill] = books.bills()
    assert [code for _, code in _codes(bill)] == [PRODUCT_ACCOUNT, HOMEWARE_CODE, PRODUCT_ACCOUNT, SHIPPING_ACCOUNT]


def test_the_preview_names_the_rule_of_each_line(books, linked_vendor, categorised, finance_client):
    invoice = invoice_create(order=order_create(vendor=linked_vendor, lines=FOUR_LINES))
    xero_lists_get(xero_account=books.xero_account, fresh=True)

    preview = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).context["preview"]

    where = "in Setup > Accounting › Product categories"
    assert [(line.account_code, line.account_rule) for line in preview.lines] == [
        (APPAREL_CODE, f"product category 'Apparel' {where}"),
        (HOMEWARE_CODE, f"product category 'Homeware' {where}"),
        (PRODUCT_ACCOUNT, "Setup > Accounting, product lines"),
        (SHIPPING_ACCOUNT, "Setup > Accounting, shipping lines"),
    ]
    assert preview.problems == ()


def test_a_category_code_archived_since_is_named_in_the_preview(books, linked_vendor, categorised, finance_client):
    invoice = invoice_create(order=order_create(vendor=linked_vendor, lines=FOUR_LINES))
    books.sandbox.set_account_status(books.xero_account.tenant_id, APPAREL_CODE, "ARCHIVED")
    xero_lists_get(xero_account=books.xero_account, fresh=True)

    preview = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).context["preview"]

    assert preview.problems == (
        "Account 310 – Cost of Goods Sold is archived in Xero, so Xero would refuse bills coded to it. Choose an active "
        "account, or restore it in Xero first. (Set in product category 'Apparel' in Setup > Accounting › Product "
        "categories.)",
    )


def test_a_code_xero_refuses_at_sync_is_shown_refused_on_the_categories_page(
    books, linked_vendor, categorised, admin_client_, django_capture_on_commit_callbacks
):
    page = reverse("accounting:setup_categories")
    assert "refused by Xero now" not in admin_client_.get(page).content.decode()  # the lists are cached as active
    books.sandbox.set_account_status(books.xero_account.tenant_id, APPAREL_CODE, "ARCHIVED")

    with django_capture_on_commit_callbacks(execute=True):
        invoice = _synced(books, linked_vendor)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.FAILED and f"Account code '{APPAREL_CODE}'" in sync.last_error
    html = admin_client_.get(page).content.decode()  # no reload asked: the refusal had the lists read again
    assert "Saved in Onport but refused by Xero now, for &#x27;Apparel&#x27;: Account 310 – Cost of Goods Sold" in html
    # and the invoice's fix sends the admin to the categories page, not to the vendor's own code
    invoice_page = admin_client_.get(invoice.get_absolute_url()).content.decode()
    assert "Choose another account code for the product categories coded to 310" in invoice_page
    assert f'href="{page}"' in invoice_page


def test_the_preflight_reads_category_codes_in_a_fixed_number_of_queries(
    books, account, categorised, django_assert_max_num_queries
):
    vendors = [VendorFactory(account=account, name=f"Vendor {index}") for index in range(5)]
    for vendor in vendors:
        books.link(vendor)
    more = services.product_category_create(account=account, name="More")
    services.products_assign(account=account, category=more, skus=[f"MORE-{index}" for index in range(40)])
    CategoryAccountCode.objects.create(
        account=account, xero_account=books.xero_account, category=more, account_code="429"
    )
    for vendor in vendors:
        invoice_create(order=order_create(vendor=vendor, lines=FOUR_LINES * 3))

    def preflight(invoices) -> list:
        invoices = list(invoices.select_related("vendor").prefetch_related("lines"))
        context = CodingContext.load(xero_account=books.xero_account, invoices=invoices)
        return [bill_draft(invoice, context) for invoice in invoices]

    with CaptureQueriesContext(connection) as one:
        [draft] = preflight(PurchaseInvoice.objects.filter(vendor=vendors[0]))
    with django_assert_max_num_queries(len(one)):
        drafts = preflight(PurchaseInvoice.objects.filter(vendor__in=vendors))

    # only the SKUs of the invoices at hand are read, not the whole catalogue (the 40 coded MORE-… SKUs)
    one_invoice = PurchaseInvoice.objects.get(vendor=vendors[0])
    context = CodingContext.load(xero_account=books.xero_account, invoices=[one_invoice])
    assert set(context.category_codes) == {"SKU-1", "SKU-2"}
    assert len(drafts) == 5 and [line.account_code for line in draft.bill.lines][:3] == [
        APPAREL_CODE,
        HOMEWARE_CODE,
        PRODUCT_ACCOUNT,
    ]
