"""Payments name the bank account by its AccountID: Xero always has one, while a bank account's Code may
be missing (Xero does not require codes on bank accounts)."""

import pytest

from accounting.payouts import services as payouts
from accounting.payouts.models import PaymentState, PayoutPayment
from integrations.xero.bank_accounts import bank_accounts
from integrations.xero.client import XeroClient
from tests.accounting.test_payouts import (
    VENDOR_IBANS,
    _drain_payments,
    payee,
    payouts_setup,
    synced_invoices,
    xero_payments,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True


def test_a_payment_from_a_bank_account_without_a_code_is_recorded(books, account):
    [codeless] = [bank for bank in bank_accounts(XeroClient(books.xero_account)) if not bank.code]
    payouts_setup(
        books,
        euro_bank=False,
        delay_days=0,
        bank_account_id=codeless.account_id,
        bank_account_code="",
        bank_account_name=codeless.name,
        bank_account_currency=codeless.currency,
    )
    # a GBP vendor: the main (GBP) account pays it
    [invoice] = synced_invoices(books, payee(books, account, name="Lumen", currency="GBP", iban=VENDOR_IBANS[0]))

    payouts.payout_run_mark_sent(run=payouts.payout_run_approve(run=payouts.payout_run_create(account=account)))
    report = _drain_payments(books)

    row = PayoutPayment.objects.get()
    assert report.synced == 1 and row.state == PaymentState.SYNCED, row.last_error
    [payment] = xero_payments(books)
    assert payment["Account"]["AccountID"] == codeless.account_id and not payment["Account"].get("Code")
    assert payment["PaymentID"] == row.xero_id
