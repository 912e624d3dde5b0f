from django.apps import AppConfig

from onport import events, metrics


class AccountingConfig(AppConfig):
    name = "accounting"

    def ready(self) -> None:
        # Django's app registry must be ready before services (they import models) can be imported.
        from accounting.sync.changes import invoice_amended_sync, invoice_paid_sync, invoice_voided_sync
        from accounting.outbox.telemetry import OutboxCollector
        from accounting.payouts.payments import PAYMENT_OUTBOX
        from accounting.sync.documents import BILL_DOCUMENTS, document_uploaded_attach
        from accounting.sync.notes import BILL_NOTES, vendor_number_set_note
        from accounting.sync.outbox import DOCUMENTS
        from accounting.sync.payments import BILL_PAYMENTS
        from accounting.sync.services import adjustment_added_sync, invoice_issued_sync

        events.subscribe(events.InvoiceIssued, invoice_issued_sync)
        events.subscribe(events.AdjustmentAdded, adjustment_added_sync)
        events.subscribe(events.InvoiceAmended, invoice_amended_sync)
        events.subscribe(events.InvoiceVoided, invoice_voided_sync)
        events.subscribe(events.InvoicePaid, invoice_paid_sync)
        events.subscribe(events.VendorNumberSet, vendor_number_set_note)
        events.subscribe(events.DocumentUploaded, document_uploaded_attach)
        # the outboxes' gauges, read from the database when /metrics is scraped
        metrics.SCRAPED.register(
            OutboxCollector([DOCUMENTS, BILL_PAYMENTS, BILL_NOTES, BILL_DOCUMENTS, PAYMENT_OUTBOX])
        )
