"""Tracking categories on bills: rules of Setup > Accounting › Tracking choose an option per category, every line of
the bill in Xero carries it, and an option archived in Xero holds the bill with the fix before Xero refuses it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.setup.models import TrackingRule, XeroTrackingOption
from accounting.setup.tasks import xero_tracking_refresh_all
from accounting.setup.tracking import (
    TrackingRuleInput,
    TrackingRuleRefused,
    tracking_copy_refresh,
    tracking_rule_delete,
    tracking_rule_save,
)
from accounting.sync.inputs import CodingContext, bill_draft
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.sweep import waiting_rows_rearm
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from contacts.models import VendorKind
from integrations.xero.sandbox.tracking import TRACKING_OPTION_ARCHIVED
from invoicing import services as invoicing
from invoicing.models import PurchaseInvoice
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def option_id(books, category: str, option: str) -> str:
    return books.sandbox.seeded_tracking_id(books.xero_account.tenant_id, category, option)


def rule(books, category: str, option: str, applies_to: str = "default", match: str = "") -> TrackingRule:
    data = TrackingRuleInput(option_id=option_id(books, category, option), applies_to=applies_to, match=match)
    return tracking_rule_save(settings=books.settings, data=data)


def tracking_of(line: dict) -> list[tuple[str, str]]:
    return sorted((entry["Name"], entry["Option"]) for entry in line.get("Tracking") or [])


def synced_bill(books, invoice) -> dict:
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.SYNCED, sync.last_error
    return next(bill for bill in books.bills() if bill["InvoiceID"] == sync.xero_id)


def test_every_line_carries_the_most_specific_rule_of_each_category(books, linked_vendor, account):
    rule(books, "Sales channel", "Online")  # the default
    rule(books, "Sales channel", "Marketplace", "sales_channel", "Marketplace")
    rule(books, "Region", "North", f"vendor_kind:{VendorKind.DROPSHIP}")
    rule(books, "Region", "South", f"vendor:{linked_vendor.pk}")  # the vendor beats its kind
    other = VendorFactory(account=account, name="Northern Goods", kind=VendorKind.REPLENISHMENT)
    books.link(other)

    marketplace = synced_bill(
        books, invoice_create(order=order_create(vendor=linked_vendor, sales_channel="marketplace"))
    )
    plain = synced_bill(books, invoice_create(order=order_create(vendor=other)))

    assert [tracking_of(line) for line in marketplace["LineItems"]] == [
        [("Region", "South"), ("Sales channel", "Marketplace")]
    ] * 3  # both product lines and shipping
    assert [tracking_of(line) for line in plain["LineItems"]] == [[("Sales channel", "Online")]] * 3


def test_a_brand_rule_applies_when_no_sales_channel_rule_fits(books, linked_vendor):
    rule(books, "Sales channel", "Wholesale", "brand", "House Brand")
    rule(books, "Sales channel", "Online", "sales_channel", "Online")

    by_brand = synced_bill(books, invoice_create(order=order_create(vendor=linked_vendor, brand="house  brand")))
    by_channel = synced_bill(
        books, invoice_create(order=order_create(vendor=linked_vendor, brand="House Brand", sales_channel="Online"))
    )

    assert tracking_of(by_brand["LineItems"][0]) == [("Sales channel", "Wholesale")]
    assert tracking_of(by_channel["LineItems"][0]) == [("Sales channel", "Online")]


def test_no_rule_no_tracking(books, linked_vendor):
    bill = synced_bill(books, invoice_create(order=order_create(vendor=linked_vendor)))

    assert all(not line.get("Tracking") for line in bill["LineItems"])


def test_an_option_archived_in_xero_since_holds_the_bill_with_the_fix_before_any_call(books, linked_vendor):
    rule(books, "Sales channel", "Wholesale")
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")
    tracking_copy_refresh(xero_account=books.xero_account)  # as Setup, or a refusal of another bill, reads it
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    seen = max((r["id"] for r in books.sandbox.requests()), default=0)

    drain(xero_account_id=books.xero_account.pk)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert (sync.state, sync.reason) == (SyncState.NEEDS_ATTENTION, Reason.PREFLIGHT)
    assert sync.last_error == (
        "The tracking option 'Wholesale' of 'Sales channel', chosen in Setup > Accounting › Tracking for every bill, "
        "is archived in Xero — choose another option there or restore it in Xero, then sync again."
    )
    assert books.sandbox.requests(since=seen) == [] and books.bills() == []


def test_xeros_refusal_of_an_archived_option_refreshes_the_copy_and_a_new_rule_sends_the_bill(
    books, linked_vendor, django_capture_on_commit_callbacks
):
    rule(books, "Sales channel", "Wholesale")
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")  # Onport not told
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)

    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.FAILED
    assert TRACKING_OPTION_ARCHIVED.format(category="Sales channel", option="Wholesale") in sync.last_error
    copy = XeroTrackingOption.objects.get(xero_account=books.xero_account, option_name="Wholesale")
    assert copy.option_status == "ARCHIVED"  # read again after the refusal

    with django_capture_on_commit_callbacks(execute=True):
        rule(books, "Sales channel", "Online")  # replaces the default; held bills go again
    drain(xero_account_id=books.xero_account.pk)

    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED, sync.last_error
    [bill] = books.bills()
    assert tracking_of(bill["LineItems"][0]) == [("Sales channel", "Online")]


def test_a_rule_replaces_the_one_for_the_same_bills(books):
    first = rule(books, "Sales channel", "Online", "sales_channel", "Online")
    second = rule(books, "Sales channel", "Marketplace", "sales_channel", "ONLINE")

    assert second.pk == first.pk and second.option_name == "Marketplace"
    assert TrackingRule.objects.count() == 1


@pytest.mark.parametrize(
    ("category", "option", "applies_to", "match", "words"),
    [
        ("Region", "West", "default", "", "The option “West” of “Region” is archived in Xero: choose an active one."),
        (
            "Old brand",
            "Classic",
            "default",
            "",
            "The tracking category “Old brand” is archived in Xero: restore it first.",
        ),
        ("Region", "North", "sales_channel", " ", "Enter the sales channel this rule matches"),
        ("Region", "North", "vendor:999999", "", "Choose which bills the rule applies to."),
    ],
)
def test_a_rule_xero_would_refuse_is_not_saved(books, category, option, applies_to, match, words):
    with pytest.raises(TrackingRuleRefused) as refused:
        rule(books, category, option, applies_to, match)

    assert words in refused.value.message
    assert not TrackingRule.objects.exists()


def test_an_unknown_option_is_not_saved(books):
    data = TrackingRuleInput(option_id="00000000-0000-0000-0000-000000000000", applies_to="default")
    with pytest.raises(TrackingRuleRefused, match="not in Xero any more"):
        tracking_rule_save(settings=books.settings, data=data)


def test_another_accounts_vendor_cannot_be_matched(books, other_account):
    foreign = VendorFactory(account=other_account)
    with pytest.raises(TrackingRuleRefused):
        rule(books, "Region", "North", f"vendor:{foreign.pk}")


def test_deleting_another_accounts_rule_answers_404(books, other_account):
    saved = rule(books, "Region", "North")
    with pytest.raises(Http404):
        tracking_rule_delete(account=other_account, rule_id=saved.pk)
    assert TrackingRule.objects.filter(pk=saved.pk).exists()


def test_the_preflight_of_a_batch_reads_tracking_in_a_fixed_number_of_queries(
    books, account, django_assert_max_num_queries
):
    rule(books, "Sales channel", "Online")
    rule(books, "Region", "North", f"vendor_kind:{VendorKind.DROPSHIP}")
    vendors = [VendorFactory(account=account, name=f"Vendor {n}") for n in range(5)]
    invoices = [invoice_create(order=order_create(vendor=vendor, sales_channel="Online")) for vendor in vendors]
    loaded = list(
        PurchaseInvoice.objects.filter(pk__in=[i.pk for i in invoices])
        .select_related("vendor", "order")
        .prefetch_related("lines")
    )

    with django_assert_max_num_queries(6):
        context = CodingContext.load(xero_account=books.xero_account, invoices=loaded)
        drafts = [bill_draft(invoice, context) for invoice in loaded]

    assert all(len(draft.bill.lines[0].tracking) == 2 for draft in drafts)


def test_a_credit_note_for_an_adjustment_is_tracked_like_its_bill(
    books, linked_vendor, django_capture_on_commit_callbacks
):
    rule(books, "Region", "South")
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    synced_bill(books, invoice)

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("12.00"), reason="Damaged lamp")
    AccountingSync.objects.filter(state=SyncState.PENDING).update(next_attempt_at=timezone.now())
    drain(xero_account_id=books.xero_account.pk)

    org = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]
    [note] = org["credit_notes"].values()
    assert [tracking_of(line) for line in note["LineItems"]] == [[("Region", "South")]] * len(note["LineItems"])


def test_the_hourly_refresh_reads_the_tracking_of_mapped_xero_accounts_only(books, linked_vendor):
    rule(books, "Sales channel", "Wholesale")
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")

    xero_tracking_refresh_all()

    copy = XeroTrackingOption.objects.get(xero_account=books.xero_account, option_name="Wholesale")
    assert copy.option_status == "ARCHIVED"
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.NEEDS_ATTENTION


def test_held_bills_are_checked_again_in_a_fixed_number_of_queries_with_channel_rules(
    books, account, django_assert_max_num_queries
):
    rule(books, "Sales channel", "Wholesale", "sales_channel", "Online")
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")
    tracking_copy_refresh(xero_account=books.xero_account)

    def held(count: int) -> None:
        for index in range(count):
            vendor = VendorFactory(account=account, name=f"Held vendor {AccountingSync.objects.count()}-{index}")
            books.link(vendor)
            sync_request(invoice=invoice_create(order=order_create(vendor=vendor, sales_channel="Online")))
        drain(xero_account_id=books.xero_account.pk)

    held(2)
    with CaptureQueriesContext(connection) as two:
        waiting_rows_rearm(account=account)
    held(6)
    assert AccountingSync.objects.filter(state=SyncState.NEEDS_ATTENTION).count() == 8

    with django_assert_max_num_queries(len(two)):  # 8 held bills cost what 2 did: no query per bill's order
        waiting_rows_rearm(account=account)
