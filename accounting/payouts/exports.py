"""Export CSV of payout runs: one row per invoice of every run, newest run first (bank details masked, as shown)."""

from collections.abc import Iterator

from accounting.payouts.models import PayoutItem, PayoutLineStatus, PayoutRunStatus
from onport.models import Account

ROWS_PER_FETCH = 2000

RUNS_COLUMNS = (
    "Run",
    "Run status",
    "Payment date",
    "Started",
    "Vendor",
    "Bank account",
    "Currency",
    "Vendor line",
    "Invoice",
    "Bill total",
    "Credits",
    "Amount",
    "In the payment",
    "Why not",
)
_RUN_STATUSES = dict(PayoutRunStatus.choices)
_LINE_STATUSES = dict(PayoutLineStatus.choices)
_PAYING = (PayoutLineStatus.INCLUDED, PayoutLineStatus.PAID)


def payout_runs_rows(*, account: Account) -> Iterator[tuple]:
    items = (
        PayoutItem.objects.filter(account=account)
        .order_by(
            "-line__run__created_at",
            "-line__run_id",
            "line__vendor__name",
            "line_id",
            "invoice__issue_date",
            "id",
        )
        .values_list(
            "line__run__reference",
            "line__run__status",
            "line__run__payment_date",
            "line__run__created_at",
            "line__vendor__name",
            "line__bank_summary",
            "line__currency",
            "line__status",
            "invoice__number",
            "total",
            "credits",
            "amount",
            "payable",
            "reason",
            "line__reason",
        )
    )
    for (
        reference,
        run_status,
        payment_date,
        started,
        vendor,
        bank,
        currency,
        line_status,
        invoice,
        total,
        credits,
        amount,
        payable,
        reason,
        line_reason,
    ) in items.iterator(chunk_size=ROWS_PER_FETCH):
        paid = payable and line_status in _PAYING
        yield (
            reference,
            _RUN_STATUSES.get(run_status, run_status),
            payment_date,
            started,
            vendor,
            bank,
            currency,
            _LINE_STATUSES.get(line_status, line_status),
            invoice,
            total,
            credits,
            amount,
            "yes" if paid else "no",
            "" if paid else (reason or line_reason),
        )
