"""Payouts pay each invoice in its own currency, from a Xero bank account in that currency, or say why not.

Xero records a payment against a EUR bill from a EUR bank account (or a base-currency one, at a rate) and
refuses one from a USD account; the sandbox is as strict. A run records a EUR vendor's payments from the bank
account chosen for EUR in Setup > Payouts; without one the vendor is skipped with the reason, and neither the
bank file nor Xero pays it.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.payouts import services as payouts
from accounting.payouts.currencies import NO_ACCOUNT, paying_accounts
from accounting.payouts.models import (
    PaymentState,
    PayoutCurrencyAccount,
    PayoutLineStatus,
    PayoutPayment,
    PayoutRun,
    PayoutSettings,
)
from accounting.sync.models import AccountingSync, SyncKind
from integrations.xero.client import XeroClient
from integrations.xero.payments import PaymentInput, payments_create
from invoicing.models import InvoiceStatus, PurchaseInvoice
from tests.accounting.test_payouts import (
    EURO_BANK,
    VENDOR_IBANS,
    _drain_payments,
    _payment_puts,
    payee,
    payouts_setup,
    sandbox_bank_account,
    synced_invoices,
    xero_payments,
)
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db
DOLLAR_BANK = {"code": "096", "name": "Dollar Account", "currency": "USD"}
MISMATCH = "The payment currency (USD) must match the currency of the invoice (EUR)"


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True  # see tests/accounting/test_payouts.py


def _bills(books) -> dict[str, dict]:
    return {bill["InvoiceID"]: bill for bill in books.bills()}


def _bill_id(invoice) -> str:
    return AccountingSync.objects.get(invoice=invoice, kind=SyncKind.BILL, adjustment=None).xero_id


def _pay(books, invoice, bank, amount: str = "10.00"):
    [result] = payments_create(
        XeroClient(books.xero_account),
        [
            PaymentInput(
                bill_id=invoice.bill_id,
                account_code=bank.code,
                account_id=bank.account_id,
                date=invoice.issue_date,
                amount=Decimal(amount),
                reference="by hand",
            )
        ],
        idempotency_key=f"pay-{invoice.pk}-{bank.code}-{amount}",
    )
    return result


def _eur_and_gbp_vendors(books, account):
    eur = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    gbp = payee(books, account, name="Brick", contact="Cobalt Freight", currency="GBP", iban="GB29NWBK60161331926819")
    [eur_invoice] = synced_invoices(books, eur)
    [gbp_invoice] = synced_invoices(books, gbp)
    return eur_invoice, gbp_invoice


# -- the sandbox is as strict as Xero ------------------------------------------------------------


def test_the_sandbox_refuses_a_eur_bill_paid_from_a_usd_account_and_takes_eur_or_base_currency_accounts(books, account):
    payouts_setup(books, euro_bank=False)
    [invoice] = synced_invoices(books, payee(books, account, name="Lumen", iban=VENDOR_IBANS[0]))
    invoice.bill_id = _bill_id(invoice)
    bill = _bills(books)[invoice.bill_id]
    assert bill["CurrencyCode"] == "EUR"
    dollars = sandbox_bank_account(books, **DOLLAR_BANK)
    euros = sandbox_bank_account(books, **EURO_BANK)
    pounds = sandbox_bank_account(books, code="090", name="Business Bank Account", currency="GBP")

    refused = _pay(books, invoice, dollars)
    from_euros = _pay(books, invoice, euros)
    from_pounds = _pay(books, invoice, pounds)

    assert not refused.ok and any(message.startswith(MISMATCH) for message in refused.messages), refused.messages
    assert from_euros.ok and from_pounds.ok
    payments = {payment["PaymentID"]: payment for payment in xero_payments(books)}
    assert set(payments) == {from_euros.xero_id, from_pounds.xero_id}  # nothing recorded from the USD account
    assert Decimal(payments[from_euros.xero_id]["BankAmount"]) == Decimal("10.00")  # EUR from a EUR account
    rate = Decimal(str(bill["CurrencyRate"]))  # EUR per GBP
    assert Decimal(payments[from_pounds.xero_id]["BankAmount"]) == (Decimal("10.00") / rate).quantize(Decimal("0.01"))
    assert Decimal(str(_bills(books)[invoice.bill_id]["AmountPaid"])) == Decimal("20.00")


# -- a payout run ------------------------------------------------------------------------------


def test_a_eur_vendor_is_paid_from_the_eur_bank_account_and_its_bill_is_paid_in_eur(books, account):
    payouts_setup(books, delay_days=0)  # main account 090 (GBP); EUR invoices from 095 (EUR)
    eur_invoice, gbp_invoice = _eur_and_gbp_vendors(books, account)

    run = payouts.payout_run_approve(run=payouts.payout_run_create(account=account))
    payouts.payout_run_mark_sent(run=run)
    report = _drain_payments(books)

    assert report.synced == 2, list(PayoutPayment.objects.values_list("state", "last_error"))
    lines = {line.currency: line for line in run.lines.all()}
    assert (lines["EUR"].bank_account_code, lines["GBP"].bank_account_code) == ("095", "090")
    assert {payout_file.currency for payout_file in run.files.all()} == {"EUR", "GBP"}
    bills = _bills(books)
    payments = {payment["Invoice"]["InvoiceID"]: payment for payment in xero_payments(books)}
    eur_bill, eur_payment = bills[_bill_id(eur_invoice)], payments[_bill_id(eur_invoice)]
    assert eur_bill["CurrencyCode"] == "EUR" and eur_bill["Status"] == "PAID"
    assert eur_payment["Account"]["Code"] == "095"
    assert Decimal(eur_payment["Amount"]) == Decimal(eur_payment["BankAmount"]) == eur_invoice.total  # EUR, as billed
    gbp_bill, gbp_payment = bills[_bill_id(gbp_invoice)], payments[_bill_id(gbp_invoice)]
    assert gbp_bill["CurrencyCode"] == "GBP" and gbp_bill["Status"] == "PAID"
    assert gbp_payment["Account"]["Code"] == "090" and Decimal(gbp_payment["Amount"]) == gbp_invoice.total
    page_rows = PayoutPayment.objects.order_by("bank_account_code").values_list("bank_account_code", "state")
    assert list(page_rows) == [("090", PaymentState.SYNCED), ("095", PaymentState.SYNCED)]


def test_without_a_eur_bank_account_the_eur_vendor_says_why_and_nothing_is_sent_for_it(books, account, admin_client_):
    payouts_setup(books, delay_days=0, euro_bank=False)
    eur_invoice, gbp_invoice = _eur_and_gbp_vendors(books, account)

    run = payouts.payout_run_create(account=account)

    lines = {line.currency: line for line in run.lines.all()}
    assert lines["EUR"].status == PayoutLineStatus.SKIPPED
    why = "No Xero bank account in EUR is chosen for payouts: choose one in Setup > Payouts."
    assert lines["EUR"].reason == NO_ACCOUNT.format(currency="EUR") == why
    assert lines["GBP"].status == PayoutLineStatus.INCLUDED  # the GBP vendor in the same run is unaffected
    page = admin_client_.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()
    assert "No Xero bank account in EUR is chosen for payouts: choose one in Setup &gt; Payouts." in page

    run = payouts.payout_run_approve(run=run)
    payouts.payout_run_mark_sent(run=run)
    _drain_payments(books)

    assert [payout_file.currency for payout_file in run.files.all()] == ["GBP"]  # the bank file does not pay it
    [put] = _payment_puts(books)
    assert [payment["Invoice"]["InvoiceID"] for payment in put["json"]["Payments"]] == [_bill_id(gbp_invoice)]
    assert PurchaseInvoice.objects.get(pk=eur_invoice.pk).status == InvoiceStatus.ISSUED  # waits for the next run
    eur_bill = _bills(books)[_bill_id(eur_invoice)]
    assert eur_bill["Status"] == "AUTHORISED" and Decimal(str(eur_bill["AmountPaid"])) == 0
    assert _bills(books)[_bill_id(gbp_invoice)]["Status"] == "PAID"


def test_a_main_account_in_the_lines_currency_pays_it_and_one_saved_without_a_currency_is_the_base_one(books):
    setup = payouts_setup(books, euro_bank=False)
    assert set(paying_accounts(setup=setup, base_currency="GBP")) == {"GBP"}

    setup.bank_account_currency = ""  # saved before currencies were kept
    assert set(paying_accounts(setup=setup, base_currency="GBP")) == {"GBP"}

    euro = sandbox_bank_account(books, **EURO_BANK)
    setup.bank_account_id, setup.bank_account_code, setup.bank_account_currency = euro.account_id, euro.code, "EUR"
    paying = paying_accounts(setup=setup, base_currency="GBP")
    assert set(paying) == {"EUR"} and paying["EUR"].code == "095"


# -- Setup > Payouts ---------------------------------------------------------------------------


def _setup_post(client, **fields):
    data = {"schedule": "weekly", "delay_days": "10", "minimum_amount": "0", "payer_name": "Demo Retail Ltd"}
    data.update(fields)
    return client.post(reverse("payouts:setup"), data)


def test_setup_offers_only_eur_accounts_for_eur_invoices_and_refuses_another_currencys(books, account, admin_client_):
    setup = payouts_setup(books, euro_bank=False)
    VendorFactory(account=account, name="Lumen", currency="EUR")  # the account's vendors invoice in EUR
    euro = sandbox_bank_account(books, **EURO_BANK)
    dollars = sandbox_bank_account(books, **DOLLAR_BANK)

    form = admin_client_.get(reverse("payouts:setup")).context["form"]

    assert "pay_from_GBP" not in form.fields  # the main account (GBP) pays GBP invoices
    assert form.fields["pay_from_EUR"].label == "Pay EUR invoices from"
    assert [label for value, label in form.fields["pay_from_EUR"].choices if value] == ["095 – Euro Account (EUR)"]

    refused = _setup_post(admin_client_, bank_account=setup.bank_account_id, pay_from_EUR=dollars.account_id)
    assert refused.status_code == 400
    assert refused.context["form"].errors["pay_from_EUR"] == [
        "096 – Dollar Account (USD) is a USD account, and Xero records payments of EUR invoices only from a "
        "EUR bank account: choose one in EUR."
    ]
    assert not PayoutCurrencyAccount.objects.exists()

    saved = _setup_post(admin_client_, bank_account=setup.bank_account_id, pay_from_EUR=euro.account_id)
    assert saved.status_code == 302
    row = PayoutCurrencyAccount.objects.get(account=account)
    assert (row.currency, row.bank_account_id, row.bank_account_code) == ("EUR", euro.account_id, "095")
    assert PayoutSettings.objects.get(account=account).bank_account_currency == "GBP"
    page = admin_client_.get(reverse("payouts:setup"))
    assert page.context["form"]["pay_from_EUR"].value() == euro.account_id

    cleared = _setup_post(admin_client_, bank_account=setup.bank_account_id, pay_from_EUR="")
    assert cleared.status_code == 302 and not PayoutCurrencyAccount.objects.exists()


def test_another_accounts_currency_accounts_and_runs_stay_its_own(books, account, other_account, admin_client_):
    payouts_setup(books, delay_days=0)
    eur_invoice, _ = _eur_and_gbp_vendors(books, account)
    run = payouts.payout_run_create(account=account)
    other_setup = PayoutSettings.objects.create(account=other_account)
    PayoutCurrencyAccount.objects.create(
        account=other_account, settings=other_setup, currency="USD", bank_account_id="x", bank_account_name="Theirs"
    )
    other_run = PayoutRun.objects.create(
        account=other_account,
        xero_account=books.xero_account,
        number=1,
        payment_date=run.payment_date,
        reference="PAYOUT-0001",
        bank_account_code="090",
        delay_days=0,
        minimum_amount=0,
    )

    form = admin_client_.get(reverse("payouts:setup")).context["form"]

    assert "pay_from_USD" not in form.fields and "pay_from_EUR" in form.fields
    assert admin_client_.get(reverse("payouts:run_detail", args=[other_run.pk])).status_code == 404
    assert admin_client_.get(reverse("payouts:run_detail", args=[run.pk + other_run.pk + 1000])).status_code == 404
    page = admin_client_.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()
    assert "Recorded in Xero from 095 – Euro Account" in page and "Theirs" not in page
    assert PayoutCurrencyAccount.objects.get(account=other_account).bank_account_name == "Theirs"


def test_setup_says_where_to_add_a_bank_account_when_xero_has_none_in_the_currency(books, account, admin_client_):
    payouts_setup(books, euro_bank=False)
    VendorFactory(account=account, name="Harbour", currency="USD")

    field = admin_client_.get(reverse("payouts:setup")).context["form"].fields["pay_from_USD"]

    assert [value for value, _ in field.choices] == [""]
    assert "Xero has no USD bank account yet: add one in Xero › Accounting › Chart of accounts" in field.help_text
