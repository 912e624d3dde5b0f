"""Reads of automated vendor payout; every one takes the acting account ("not yours" is a 404)."""

from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounting.payouts.models import (
    PayoutFile,
    PayoutItem,
    PayoutLine,
    PayoutLineStatus,
    PayoutPayment,
    PayoutRun,
    PayoutSettings,
    VendorBankDetails,
    VendorBankDetailsChange,
)
from contacts.models import Vendor
from onport.models import Account


def payout_settings_read(*, account: Account) -> PayoutSettings:
    """The account's Setup > Payouts, or the defaults (unsaved) before anything was saved; never writes."""
    return PayoutSettings.objects.filter(account=account).first() or PayoutSettings(account=account)


def run_get(*, account: Account, run_id: int) -> PayoutRun:
    return get_object_or_404(PayoutRun.objects.select_related("xero_account"), account=account, pk=run_id)


def run_line_get(*, run: PayoutRun, line_id: int) -> PayoutLine:
    return get_object_or_404(
        PayoutLine.objects.select_related("run", "vendor"), run=run, account=run.account_id, pk=line_id
    )


def run_file_get(*, run: PayoutRun, file_id: int) -> PayoutFile:
    return get_object_or_404(PayoutFile, run=run, account=run.account_id, pk=file_id)


def runs_list(*, account: Account) -> QuerySet[PayoutRun]:
    paying = Q(lines__status__in=[PayoutLineStatus.INCLUDED, PayoutLineStatus.PAID])
    return (
        PayoutRun.objects.filter(account=account)
        .annotate(
            vendors=Count("lines", filter=paying),
            skipped=Count("lines", filter=Q(lines__status=PayoutLineStatus.SKIPPED)),
        )
        .order_by("-created_at", "-id")
    )


def run_lines(*, run: PayoutRun) -> list[PayoutLine]:
    items = PayoutItem.objects.select_related("invoice").order_by("invoice__issue_date", "invoice__number")
    payments = PayoutPayment.objects.select_related("invoice").order_by("id")
    return list(
        run.lines.select_related("vendor").prefetch_related(
            Prefetch("items", queryset=items), Prefetch("payments", queryset=payments)
        )
    )


class RunTotal(TypedDict):
    currency: str
    total: Decimal
    vendors: int


def run_totals(*, run: PayoutRun) -> list[RunTotal]:
    """What the run pays, per currency."""
    return list(
        run.lines.filter(status__in=[PayoutLineStatus.INCLUDED, PayoutLineStatus.PAID])
        .values("currency")
        .annotate(total=Sum("amount"), vendors=Count("id"))
        .order_by("currency")
    )


def run_payment_counts(*, run: PayoutRun) -> dict[str, int]:
    """Payments of the run per state, plus `on_the_way` (waiting, sending or being checked)."""
    rows = PayoutPayment.objects.filter(line__run=run).values("state").annotate(count=Count("id"))
    counts = {row["state"]: row["count"] for row in rows}
    counts["on_the_way"] = sum(counts.get(state, 0) for state in ("pending", "sending", "unknown"))
    return counts


def vendor_get(*, account: Account, vendor_id: int) -> Vendor:
    return get_object_or_404(Vendor, account=account, pk=vendor_id)


def vendor_bank_details(*, vendor: Vendor) -> VendorBankDetails | None:
    return VendorBankDetails.objects.filter(vendor=vendor, account=vendor.account_id).first()


def vendor_bank_changes(*, vendor: Vendor) -> QuerySet[VendorBankDetailsChange]:
    return VendorBankDetailsChange.objects.filter(vendor=vendor, account=vendor.account_id).select_related("actor")


def vendor_payout_lines(*, vendor: Vendor) -> QuerySet[PayoutLine]:
    return (
        PayoutLine.objects.filter(vendor=vendor, account=vendor.account_id)
        .select_related("run")
        .prefetch_related(Prefetch("items", queryset=PayoutItem.objects.select_related("invoice")))
        .order_by("-run__created_at", "-id")
    )
