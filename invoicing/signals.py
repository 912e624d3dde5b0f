from django.dispatch import Signal

# Sent after the transaction that issued an invoice commits; `invoice_id` names it. Accounting listens
# (to sync automatically) without invoicing depending on accounting.
invoice_issued = Signal()

# Sent after the transaction that added an adjustment commits; `adjustment_id` names it.
adjustment_added = Signal()
