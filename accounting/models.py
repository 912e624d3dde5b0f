"""The accounting app's models live with their room; Django registers an app's models from `<app>.models`.

- `accounting.setup.models`: Setup > Accounting (AccountingSettings, TaxRateMapping, tracking, category codes, exchange rates)
- `accounting.sync.models`: the sync engine's outboxes (AccountingSync, SyncEvent, BillPayment)
- `accounting.payouts.models`: Automated Vendor Payout (settings, bank details, runs, payments)
- `accounting.reconcile.models`: Reconcile with Xero (comparisons, what differs, per-vendor totals)

Import models from their room, not from here.
"""

from accounting.payouts.models import (  # noqa: F401
    PayoutCurrencyAccount,
    PayoutFile,
    PayoutItem,
    PayoutLine,
    PayoutPayment,
    PayoutRun,
    PayoutSettings,
    VendorBankDetails,
    VendorBankDetailsChange,
)
from accounting.reconcile.models import Reconciliation, ReconciliationLine, VendorTotal  # noqa: F401
from accounting.setup.models import (  # noqa: F401
    AccountingSettings,
    CategoryAccountCode,
    ExchangeRate,
    TaxRateMapping,
    TrackingRule,
    XeroTrackingOption,
)
from accounting.sync.models import AccountingSync, BillPayment, SyncEvent  # noqa: F401
