from django.dispatch import Signal

# Sent after the transaction that issued an invoice commits; `invoice_id` names it. Accounting listens
# (to sync automatically) without invoicing depending on accounting.
invoice_issued = Signal()
