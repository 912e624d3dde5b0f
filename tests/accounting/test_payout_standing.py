"""A payout run pays what Xero says each bill still owes, and only bills Xero will take a payment against."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.payouts import services as payouts
from accounting.payouts.models import PayoutItem, PayoutLineStatus, PayoutPayment
from accounting.payouts.payments import payments_drain
from tests.accounting.test_payouts import (
    VENDOR_IBANS,
    credit_in_xero,
    payee,
    payouts_setup,
    synced_invoices,
    xero_payments,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True  # the grant must include payments (see tests/accounting/test_payouts.py)


def _draft_bill_invoice(books, vendor):
    """An invoice whose bill went to Xero as a draft (Setup > Accounting's default "Create bills as: Draft")."""
    books.settings.bill_status = "DRAFT"
    books.settings.save()
    [invoice] = synced_invoices(books, vendor, days_ago=20)
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    return invoice


def _run_paid(run):
    run = payouts.payout_run_approve(run=run)
    return payouts.payout_run_mark_sent(run=run)


def test_a_bill_still_draft_in_xero_is_not_payable_yet_and_left_out_of_the_file(books, account):
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [approved] = synced_invoices(books, vendor, days_ago=20)
    draft = _draft_bill_invoice(books, vendor)

    run = payouts.payout_run_create(account=account)

    [line] = run.lines.all()
    items = {item.invoice_id: item for item in PayoutItem.objects.filter(line=line)}
    assert items[approved.pk].payable and items[approved.pk].amount == approved.total
    assert not items[draft.pk].payable and "draft in Xero" in items[draft.pk].reason
    assert line.status == PayoutLineStatus.INCLUDED and line.amount == approved.total
    run = _run_paid(run)
    [bank_file] = run.files.all()
    assert approved.number in bank_file.content and draft.number not in bank_file.content
    assert {payment.invoice_id for payment in PayoutPayment.objects.filter(line=line)} == {approved.pk}
    payments_drain(xero_account_id=books.xero_account.pk)
    draft.refresh_from_db()
    assert draft.status == "issued"  # still owed: the next run takes it once the bill is approved in Xero
    assert len(xero_payments(books)) == 1


def test_a_credit_note_left_unallocated_in_xero_is_not_netted(books, account):
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [invoice] = synced_invoices(books, vendor, days_ago=20)  # 24.00
    credit_in_xero(books, invoice, str(invoice.total + Decimal("5.00")))  # more than outstanding: left unallocated

    run = payouts.payout_run_create(account=account)

    [item] = PayoutItem.objects.filter(line__run=run)
    assert item.payable and item.amount == invoice.total and item.credits == 0  # Xero still shows it all as due


def test_a_credit_note_allocated_in_xero_is_netted(books, account):
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [invoice] = synced_invoices(books, vendor, days_ago=20)
    credit_in_xero(books, invoice, "4.00")

    run = payouts.payout_run_create(account=account)

    [item] = PayoutItem.objects.filter(line__run=run)
    assert item.amount == invoice.total - Decimal("4.00") and item.credits == Decimal("4.00")


def test_a_part_payment_made_in_xero_leaves_only_the_rest_to_pay(books, account):
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [invoice] = synced_invoices(books, vendor, days_ago=20)
    books.sandbox.pay_invoice(books.xero_account.tenant_id, invoice.syncs.get().xero_id, amount="10.00")

    run = payouts.payout_run_create(account=account)

    [item] = PayoutItem.objects.filter(line__run=run)
    assert item.amount == invoice.total - Decimal("10.00")


def test_the_run_review_says_which_invoices_are_not_payable_yet(books, account, admin_client_):
    account.plan = "advance"
    account.save()
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    _draft_bill_invoice(books, vendor)
    run = payouts.payout_run_create(account=account)

    page = admin_client_.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()

    assert "not payable yet" in page and "approve it in Xero" in page
    assert run.lines.get().status == PayoutLineStatus.SKIPPED


def test_setup_payouts_warns_while_bills_are_created_as_draft(books, account, admin_client_):
    account.plan = "advance"
    account.save()
    payouts_setup(books)  # bills AUTHORISED
    assert 'id="bills-as-draft"' not in admin_client_.get(reverse("payouts:setup")).content.decode()

    books.settings.bill_status = "DRAFT"
    books.settings.save()

    assert 'id="bills-as-draft"' in admin_client_.get(reverse("payouts:setup")).content.decode()


def test_a_vendor_whose_payment_xero_refused_is_not_shown_as_plainly_paid(books, account, admin_client_):
    account.plan = "advance"
    account.save()
    payouts_setup(books, delay_days=0)
    synced_invoices(books, payee(books, account, name="Lumen", iban=VENDOR_IBANS[0]))
    run = payouts.payout_run_approve(run=payouts.payout_run_create(account=account))
    lock = (run.payment_date + datetime.timedelta(days=1)).isoformat()
    books.sandbox.set_lock_dates(books.xero_account.tenant_id, period_lock_date=lock)
    payouts.payout_run_mark_sent(run=run)
    payments_drain(xero_account_id=books.xero_account.pk)

    page = admin_client_.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()

    assert "Paid by the bank · not in Xero" in page and "Xero refused the payment" in page


def test_a_bill_paid_in_xero_is_not_paid_again_and_the_review_says_why(books, account, admin_client_):
    account.plan = "advance"
    account.save()
    payouts_setup(books)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    [paid, owed] = synced_invoices(books, vendor, days_ago=20, count=2)
    today = datetime.date.today()
    books.sandbox.pay_invoice(books.xero_account.tenant_id, paid.syncs.get().xero_id, date=today.isoformat())

    run = payouts.payout_run_create(account=account)

    items = {item.invoice_id: item for item in PayoutItem.objects.filter(line__run=run)}
    assert not items[paid.pk].payable and items[paid.pk].amount == 0
    assert items[paid.pk].reason == (
        f"Already paid in Xero on {today.day} {today:%b %Y}, so this run does not pay "
        "it again: mark the invoice paid in Onport."
    )
    assert items[owed.pk].payable and run.lines.get().amount == owed.total
    page = admin_client_.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()
    assert "Already paid in Xero on" in page
    assert paid.syncs.get().seen_in_xero.status == "PAID"  # the invoice page knows it too
