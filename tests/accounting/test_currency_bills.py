"""Foreign-currency bills through the sandbox: a currency the organisation has not enabled is held before any call,
Onport's rate (or Xero's day rate) goes as Xero's CurrencyRate, and the amounts match to the cent in both
currencies, as Preview bill shows them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.setup.models import CurrencyRateSource, ExchangeRate
from accounting.sync.currencies import base_amount
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import XeroAccount
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2026, 12, 1)


@pytest.fixture
def euro_vendor(books, account):
    vendor = VendorFactory(account=account, name="Paris Papeterie", currency="EUR")
    books.link(vendor, "Acme Packaging Ltd")
    return vendor


def _euro_invoice(vendor):
    order = order_create(vendor=vendor, lines=((3, "12.3333"), (7, "1.9950")), shipping="4.99")
    return invoice_create(order=order, issue_date=ISSUED)


def _onport_rates(books, *rates):
    books.settings.currency_rate_source = CurrencyRateSource.ONPORT
    books.settings.save(update_fields=["currency_rate_source"])
    for day, rate in rates:
        ExchangeRate.objects.create(
            account=books.settings.account, base_currency="GBP", currency="EUR", rate_date=day, rate=Decimal(rate)
        )


def _bill_calls(books, since=0):
    return [r for r in books.sandbox.requests("/api.xro/2.0/Invoices", since=since) if r["method"] in ("PUT", "POST")]


def _last_request(books) -> int:
    requests = books.sandbox.requests()
    return requests[-1]["id"] if requests else 0


def _sync(books, invoice) -> AccountingSync:
    sync = sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    sync.refresh_from_db()
    return sync


def test_a_euro_bill_goes_with_onports_rate_and_matches_the_preview_to_the_cent(books, euro_vendor, finance_client):
    # given Onport's rates: the one on or before the invoice's date applies, not a later one
    _onport_rates(
        books, (datetime.date(2026, 11, 1), "1.150000"), (ISSUED, "1.165432"), (datetime.date(2026, 12, 2), "2")
    )
    invoice = _euro_invoice(euro_vendor)
    preview = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).context["preview"]
    assert preview.problems == ()
    assert preview.currency.rate == Decimal("1.165432")
    assert "1 GBP = 1.165432 EUR" in preview.currency.rate_words

    sync = _sync(books, invoice)

    assert sync.state == SyncState.SYNCED, sync.last_error
    [call] = _bill_calls(books)
    assert call["json"]["Invoices"][0]["CurrencyRate"] == 1.165432  # as sent
    [bill] = books.bills()
    assert bill["CurrencyCode"] == "EUR" and Decimal(str(bill["CurrencyRate"])) == Decimal("1.165432")
    assert Decimal(str(bill["Total"])) == invoice.total == preview.total  # in EUR, to the cent
    assert Decimal(str(bill["SubTotal"])) == preview.sub_total and Decimal(str(bill["TotalTax"])) == preview.total_tax
    # in GBP: Xero's total ÷ rate, to the cent, is what Preview bill showed
    rate = Decimal(str(bill["CurrencyRate"]))
    assert base_amount(Decimal(str(bill["Total"])), rate) == preview.currency.total
    assert preview.currency.total == (invoice.total / Decimal("1.165432")).quantize(Decimal("0.01"))
    page = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).content.decode()
    assert f'data-testid="preview-base-total">{preview.currency.total}<' in page


def test_with_xeros_day_rate_no_rate_is_sent_and_the_sandbox_day_rate_applies(books, euro_vendor, finance_client):
    books.sandbox.set_currency(books.xero_account.tenant_id, "EUR", rate="1.1800")
    invoice = _euro_invoice(euro_vendor)
    preview = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).context["preview"]
    assert preview.currency.rate is None and preview.currency.rate_words == "Xero's day rate on the bill date"
    assert preview.currency.total is None

    sync = _sync(books, invoice)

    assert sync.state == SyncState.SYNCED, sync.last_error
    [call] = _bill_calls(books)
    assert "CurrencyRate" not in call["json"]["Invoices"][0]
    [bill] = books.bills()
    assert Decimal(str(bill["CurrencyRate"])) == Decimal("1.18") and Decimal(str(bill["Total"])) == invoice.total


def test_a_base_currency_bill_never_carries_a_rate(books, linked_vendor):
    _onport_rates(books, (datetime.date(2026, 1, 1), "1.17"))
    sync = _sync(books, invoice_create(order=order_create(vendor=linked_vendor)))

    assert sync.state == SyncState.SYNCED
    [call] = _bill_calls(books)
    assert "CurrencyRate" not in call["json"]["Invoices"][0]


def test_without_an_onport_rate_on_the_date_the_bill_waits_before_any_call(books, euro_vendor):
    _onport_rates(books, (datetime.date(2026, 12, 2), "1.17"))  # only a later one
    before = _last_request(books)

    sync = _sync(books, _euro_invoice(euro_vendor))

    assert sync.state == SyncState.NEEDS_ATTENTION and sync.reason == Reason.PREFLIGHT
    assert sync.last_error == (
        "No Onport rate for EUR on or before 2026-12-01: add one in Setup > Accounting › Currencies, "
        "or switch to Xero's day rate there."
    )
    assert books.sandbox.requests(since=before) == []


def test_a_currency_not_enabled_is_held_before_any_call_and_goes_once_enabled(books, euro_vendor):
    # given EUR removed in Xero, and Onport's copy read just now (as on choosing the organisation)
    tenant = books.xero_account.tenant_id
    books.sandbox.set_currency(tenant, "EUR", enabled=False)
    XeroAccount.objects.filter(pk=books.xero_account.pk).update(enabled_currencies=["GBP", "USD"])
    invoice = _euro_invoice(euro_vendor)
    before = _last_request(books)

    sync = _sync(books, invoice)

    assert sync.state == SyncState.NEEDS_ATTENTION and sync.reason == Reason.PREFLIGHT
    assert sync.last_error == (
        "Onport Demo (UK) has not enabled EUR in Xero: enable it under Xero › Settings › Currencies, then sync again."
    )
    assert books.sandbox.requests(since=before) == []  # no call at all

    # when EUR is enabled in Xero and, a while later, someone syncs again
    books.sandbox.set_currency(tenant, "EUR", enabled=True)
    XeroAccount.objects.filter(pk=books.xero_account.pk).update(
        currencies_read_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    sync = _sync(books, invoice)

    # then Onport reads the currencies again (one call) and the bill goes
    assert sync.state == SyncState.SYNCED, sync.last_error
    assert "EUR" in XeroAccount.objects.get(pk=books.xero_account.pk).enabled_currencies


def test_a_refusal_for_the_currency_reads_the_currencies_again(books, euro_vendor, django_capture_on_commit_callbacks):
    # given Onport's copy still says EUR (read a moment ago) but Xero no longer has it
    books.sandbox.set_currency(books.xero_account.tenant_id, "EUR", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        sync = _sync(books, _euro_invoice(euro_vendor))

    assert sync.state == SyncState.FAILED and "not subscribed to currency EUR" in sync.last_error
    assert XeroAccount.objects.get(pk=books.xero_account.pk).enabled_currencies == ["GBP", "USD"]


def test_the_sandbox_is_as_strict_as_xero_about_currency_rates(books, linked_vendor, euro_vendor):
    from integrations.services import xero_client
    from integrations.xero import bills as xero_bills
    from integrations.xero.mapping import BillInput, BillLine

    contact = books.link(euro_vendor).contact_id
    line = BillLine(description="x", quantity=1, unit_amount=Decimal("10.00"), account_code="300", tax_type="INPUT2")
    base = dict(contact_id=contact, number="N", date=ISSUED, due_date=ISSUED, line_amount_type="Exclusive")
    base.update(status="DRAFT", url="https://onport.example/i/1", lines=(line,))
    client = xero_client(books.xero_account)

    def refused(bill):
        [result] = xero_bills.bills_create(client, [bill], idempotency_key=f"k-{bill.currency}-{bill.currency_rate}")
        return " ".join(getattr(result, "messages", ()) or ())

    assert "base currency" in refused(BillInput(currency="GBP", currency_rate=Decimal("1.17"), **base))
    assert "at most 6 decimal places" in refused(BillInput(currency="EUR", currency_rate=Decimal("1.1234567"), **base))
    assert "at most 6 decimal places" in refused(BillInput(currency="EUR", currency_rate=Decimal("-1"), **base))


def test_a_euro_credit_note_goes_at_the_bills_rate(books, euro_vendor, django_capture_on_commit_callbacks):
    from accounting.sync.models import SyncKind
    from invoicing import services as invoicing

    _onport_rates(books, (ISSUED, "1.165432"))
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    invoice = _euro_invoice(euro_vendor)
    _sync(books, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("12.00"), reason="Damaged")
    AccountingSync.objects.filter(state=SyncState.PENDING).update(next_attempt_at=timezone.now())
    drain(xero_account_id=books.xero_account.pk)

    sync = AccountingSync.objects.get(kind=SyncKind.CREDIT_NOTE)
    assert sync.state == SyncState.SYNCED, sync.last_error
    [call] = [r for r in books.sandbox.requests("/api.xro/2.0/CreditNotes") if r["method"] == "PUT"][:1]
    assert call["json"]["CreditNotes"][0]["CurrencyRate"] == 1.165432
    [note] = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id][
        "credit_notes"
    ].values()
    assert note["CurrencyCode"] == "EUR" and Decimal(str(note["CurrencyRate"])) == Decimal("1.165432")


def test_the_sync_log_says_where_to_fix_a_missing_rate_or_currency(books, euro_vendor):
    from accounting.sync.fixes import ANYONE, Reader, fix_for

    _onport_rates(books)
    sync = _sync(books, _euro_invoice(euro_vendor))

    fix = fix_for(sync, reader=ANYONE)
    assert fix.url == reverse("accounting:setup_currencies")
    assert "Onport has none for EUR on or before 1 Dec 2026" in fix.happened
    finance = Reader(can_finance=True, can_admin=False, default_codes=frozenset(), mapped_tax_types=frozenset())
    assert fix_for(sync, reader=finance).todo.startswith("Ask an admin")

    XeroAccount.objects.filter(pk=books.xero_account.pk).update(enabled_currencies=["GBP"])
    sync = _sync(books, sync.invoice)
    assert "Settings › Currencies" in fix_for(sync, reader=ANYONE).todo


def test_choosing_the_organisation_keeps_its_enabled_currencies(books):
    xero_account = XeroAccount.objects.get(pk=books.xero_account.pk)

    assert xero_account.enabled_currencies == ["EUR", "GBP", "USD"] and xero_account.base_currency == "GBP"
    assert xero_account.currencies_read_at is not None


def test_the_preview_says_when_onport_has_no_rate_yet(books, euro_vendor, finance_client):
    _onport_rates(books)
    invoice = _euro_invoice(euro_vendor)

    preview = finance_client.get(reverse("sync:bill_preview", args=[invoice.pk])).context["preview"]

    assert preview.currency.rate is None and preview.currency.total is None
    assert preview.currency.rate_words == "None: Onport has no rate for EUR yet (see above)"
    assert preview.problems[0].startswith("No Onport rate for EUR on or before 2026-12-01")
