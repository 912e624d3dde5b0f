"""Automated vendor payout (Advance plan and above): payout runs and their bank files.

A run collects, per vendor and currency, the invoices that are issued, due (issued at least `delay_days`
ago), unpaid and synced to Xero as bills, net of their credit adjustments. An admin reviews and approves
it (that produces the bank file: SEPA pain.001 for EUR, CSV otherwise), then marks it sent (or a vendor
failed). Marking it sent marks the invoices paid and queues one Xero payment per bill through the
`PayoutPayment` outbox (`accounting.payouts.payments`), so each payment is recorded exactly once.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounting.payouts import collect
from accounting.payouts.currencies import NO_ACCOUNT, PayingAccount, paying_accounts
from accounting.payouts.errors import PayoutRefused, payouts_require_plan
from accounting.payouts.files import SEPA_CURRENCY, csv_file, sepa_file
from accounting.payouts.models import (
    PaymentState,
    PayoutFile,
    PayoutFileFormat,
    PayoutItem,
    PayoutLine,
    PayoutLineStatus,
    PayoutPayment,
    PayoutRun,
    PayoutRunStatus,
    PayoutSettings,
    VendorBankDetails,
)
from accounting.payouts.payments import payments_queue
from accounting.payouts.setup import (
    SCOPE_MESSAGE,
    payments_scope_missing,
    payout_settings_get,
    payout_xero_account,
)
from invoicing.models import (
    InvoiceStatus,
    PurchaseInvoice,
)
from invoicing.services import invoice_mark_paid
from onport.models import Account


def _skip_reason(
    *,
    amount: Decimal,
    currency: str,
    minimum: Decimal,
    details: VendorBankDetails | None,
    paying: PayingAccount | None,
) -> str:
    if details is None or not details.is_complete:
        return "No bank details: add the vendor's bank details to pay it."
    if currency == SEPA_CURRENCY and not details.iban:
        return "EUR payouts are SEPA transfers, which need the vendor's IBAN: add it to its bank details."
    if paying is None:  # Xero would refuse its payments: the bank file does not pay it either
        return NO_ACCOUNT.format(currency=currency)
    if amount <= 0:
        return "Credit adjustments cover these invoices: there is nothing to pay."
    if amount < minimum:
        return f"{amount} {currency} is under the minimum of {minimum} per vendor; it waits for a later run."
    return ""


def payout_run_create(*, account: Account, actor=None, scheduled: bool = False) -> PayoutRun:
    """Collect what is due into a run waiting for approval; PayoutRefused when nothing is due.

    What each bill still owes is read from Xero first (outside any transaction): a bill that is not
    approved there, or already settled, is listed as not payable yet, and the rest are paid what Xero says
    is due (net of the credit notes allocated to them and of payments made in Xero).
    """
    payouts_require_plan(account)
    xero_account = payout_xero_account(account)
    if xero_account is None:
        raise PayoutRefused(
            "Connect Xero and choose it in Setup > Accounting first: payouts pay invoices synced there."
        )
    if payments_scope_missing(xero_account):
        raise PayoutRefused(SCOPE_MESSAGE)
    delay_days = payout_settings_get(account=account).delay_days
    standing = collect.bills_standing_now(xero_account=xero_account, account=account, delay_days=delay_days)
    now = timezone.now()
    with transaction.atomic():
        setup = PayoutSettings.objects.select_for_update().get(pk=payout_settings_get(account=account).pk)
        if not (setup.bank_account_id or setup.bank_account_code):
            raise PayoutRefused("Choose the Xero bank account payments are recorded from in Setup > Payouts first.")
        invoices = list(
            collect.due_invoices(
                account=account,
                xero_account=xero_account,
                issued_before=now - datetime.timedelta(days=setup.delay_days),
            )
        )
        if not invoices:
            raise PayoutRefused(
                f"Nothing is due: no synced, unpaid invoice was issued {setup.delay_days} or more days ago."
            )
        number = (PayoutRun.objects.filter(account=account).aggregate(last=Max("number"))["last"] or 0) + 1
        run = PayoutRun.objects.create(
            account=account,
            xero_account=xero_account,
            number=number,
            scheduled=scheduled,
            payment_date=timezone.localdate(),
            reference=f"PAYOUT-{number:04d}",
            bank_account_id=setup.bank_account_id,
            bank_account_code=setup.bank_account_code,
            bank_account_name=setup.bank_account_name,
            delay_days=setup.delay_days,
            minimum_amount=setup.minimum_amount,
            created_by=actor,
        )
        groups: dict[tuple[int, str], list[PurchaseInvoice]] = defaultdict(list)
        for invoice in invoices:
            groups[(invoice.vendor_id, invoice.currency)].append(invoice)
        details = {
            row.vendor_id: row for row in VendorBankDetails.objects.filter(vendor_id__in={key[0] for key in groups})
        }
        paying_by_currency = paying_accounts(setup=setup, base_currency=xero_account.base_currency)
        items = []
        for (vendor_id, currency), group in groups.items():
            line_items = [collect.payout_item(account=account, invoice=invoice, standing=standing) for invoice in group]
            payable = [item for item in line_items if item.payable]
            gross = sum((item.total for item in payable), Decimal("0.00"))
            credit = sum((item.credits for item in payable), Decimal("0.00"))
            bank = details.get(vendor_id)
            paying = paying_by_currency.get(currency)
            reason = (
                _skip_reason(
                    amount=gross - credit,
                    currency=currency,
                    minimum=setup.minimum_amount,
                    details=bank,
                    paying=paying,
                )
                if payable
                else "None of these invoices can be paid yet: see why beside each."
            )
            line = PayoutLine.objects.create(
                account=account,
                run=run,
                vendor_id=vendor_id,
                currency=currency,
                gross=gross,
                credits=credit,
                amount=gross - credit,
                status=PayoutLineStatus.SKIPPED if reason else PayoutLineStatus.INCLUDED,
                reason=reason,
                bank_summary=bank.summary if bank and bank.is_complete else "",
                bank_account_id=paying.account_id if paying else "",
                bank_account_code=paying.code if paying else "",
                bank_account_name=paying.name if paying else "",
            )
            line.end_to_end_id = f"{run.reference}-{line.pk}"[:35]
            line.save(update_fields=["end_to_end_id"])
            for item in line_items:
                item.line = line
            items += line_items
        PayoutItem.objects.bulk_create(items)
        if scheduled:
            setup.last_scheduled_on = timezone.localdate()
            setup.save(update_fields=["last_scheduled_on", "updated_at"])
    return run


def _locked_run(run: PayoutRun, allowed: set[str], refusal: str) -> PayoutRun:
    run = PayoutRun.objects.select_for_update().get(pk=run.pk, account=run.account_id)
    if run.status not in allowed:
        raise PayoutRefused(refusal.format(status=run.get_status_display().lower()))
    return run


def payout_run_approve(*, run: PayoutRun, actor=None) -> PayoutRun:
    """Approve the run: produce and keep its bank file(s), one per currency."""
    payouts_require_plan(run.account)
    with transaction.atomic():
        run = _locked_run(
            run, {PayoutRunStatus.REVIEW}, "Only a run waiting for approval can be approved; this one is {status}."
        )
        setup = payout_settings_get(account=run.account)
        run.payment_date = max(run.payment_date, timezone.localdate())
        lines = list(
            run.lines.filter(status=PayoutLineStatus.INCLUDED)
            .select_related("vendor")
            .prefetch_related("items__invoice__order")
        )  # the remittance names each invoice's PO too
        details = {
            row.vendor_id: row
            for row in VendorBankDetails.objects.filter(vendor_id__in=[line.vendor_id for line in lines])
        }
        for line in lines:  # bank details removed since the review
            if line.vendor_id not in details or not details[line.vendor_id].is_complete:
                line.status, line.reason = (
                    PayoutLineStatus.SKIPPED,
                    "No bank details: add the vendor's bank details to pay it.",
                )
                line.save(update_fields=["status", "reason"])
        lines = [line for line in lines if line.status == PayoutLineStatus.INCLUDED]
        if not lines:
            raise PayoutRefused("Nothing in this run can be paid: see why each vendor is skipped.")
        by_currency: dict[str, list[PayoutLine]] = defaultdict(list)
        for line in lines:
            by_currency[line.currency].append(line)
        for currency, group in sorted(by_currency.items()):
            total = sum((line.amount for line in group), Decimal("0.00"))
            if currency == SEPA_CURRENCY:
                content, fmt = (
                    sepa_file(run=run, setup=setup, lines=group, details=details).decode(),
                    PayoutFileFormat.PAIN001,
                )
                filename = f"{run.reference}-{currency}.xml"
            else:
                content, fmt, filename = (
                    csv_file(run=run, lines=group, details=details),
                    PayoutFileFormat.CSV,
                    f"{run.reference}-{currency}.csv",
                )
            PayoutFile.objects.create(
                account=run.account,
                run=run,
                currency=currency,
                format=fmt,
                filename=filename,
                content=content,
                transactions=len(group),
                total=total,
            )
        run.status, run.approved_by, run.approved_at = PayoutRunStatus.APPROVED, actor, timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_at", "payment_date"])
    return run


def payout_line_mark_failed(*, line: PayoutLine, reason: str = "", actor=None) -> PayoutLine:
    """The bank did not pay this vendor: its invoices stay unpaid and go into the next run."""
    payouts_require_plan(line.account)
    with transaction.atomic():
        _locked_run(
            line.run,
            {PayoutRunStatus.APPROVED},
            "A vendor can be marked failed once the file is made and before the run is marked sent; this run is {status}.",
        )
        line = PayoutLine.objects.select_for_update().get(pk=line.pk, run=line.run_id)
        if line.status != PayoutLineStatus.INCLUDED:
            raise PayoutRefused("Only a vendor that is being paid can be marked failed.")
        who = actor.email if actor else "Onport"
        line.status = PayoutLineStatus.FAILED
        line.reason = (
            f"Marked failed by {who}"
            + (f": {reason.strip()}" if reason.strip() else ".")
            + " Its invoices go into the next run."
        )
        line.save(update_fields=["status", "reason"])
    return line


def payout_run_mark_sent(*, run: PayoutRun, actor=None) -> PayoutRun:
    """The bank paid the run: its invoices become paid and one Xero payment per bill is queued (exactly once)."""
    payouts_require_plan(run.account)
    with transaction.atomic():
        run = _locked_run(
            run, {PayoutRunStatus.APPROVED}, "Only a run whose file is made can be marked sent; this one is {status}."
        )
        now = timezone.now()
        lines = list(run.lines.filter(status=PayoutLineStatus.INCLUDED).prefetch_related("items__invoice"))
        payments = []
        for line in lines:
            # the line's bank account, in its currency (a line collected before they were kept: the run's)
            paid_from = line if (line.bank_account_id or line.bank_account_code) else run
            for item in line.items.all():
                if not item.payable:
                    continue  # left for a later run
                if item.invoice.status == InvoiceStatus.ISSUED:
                    invoice_mark_paid(
                        invoice=item.invoice,
                        actor=actor,
                        paid_by=f"payout run {run.reference} (paid on {run.payment_date:%d %b %Y})",
                    )
                if item.amount > 0:
                    payments.append(
                        PayoutPayment(
                            account=run.account,
                            xero_account=run.xero_account,
                            line=line,
                            invoice=item.invoice,
                            bill_id=item.bill_id,
                            bank_account_id=paid_from.bank_account_id,
                            bank_account_code=paid_from.bank_account_code,
                            amount=item.amount,
                            date=run.payment_date,
                            reference=f"{run.reference} {item.invoice.number}"[:255],
                            next_attempt_at=now,
                        )
                    )
            line.status = PayoutLineStatus.PAID
        PayoutLine.objects.bulk_update(lines, ["status"])
        PayoutPayment.objects.bulk_create(payments, ignore_conflicts=True)
        run.status, run.sent_by, run.sent_at = PayoutRunStatus.SENT, actor, now
        run.save(update_fields=["status", "sent_by", "sent_at"])
        if payments:
            payments_queue(run.xero_account_id)
    return run


def payout_run_cancel(*, run: PayoutRun, actor=None) -> PayoutRun:
    """Drop a run that was not sent: its invoices go back to waiting for the next run."""
    payouts_require_plan(run.account)
    with transaction.atomic():
        run = _locked_run(
            run, {PayoutRunStatus.REVIEW, PayoutRunStatus.APPROVED}, "A {status} run cannot be cancelled."
        )
        run.status = PayoutRunStatus.CANCELLED
        run.save(update_fields=["status"])
    return run


def payout_payments_retry(*, run: PayoutRun, actor=None) -> int:
    """Send the payments Xero refused again (after the bill or bank account was fixed in Xero)."""
    payouts_require_plan(run.account)
    with transaction.atomic():
        count = PayoutPayment.objects.filter(line__run=run, state=PaymentState.FAILED).update(
            state=PaymentState.PENDING, next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        if count:
            payments_queue(run.xero_account_id)
    return count
