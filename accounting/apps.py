from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "accounting"

    def ready(self) -> None:
        from accounting.sync.services import (
            adjustment_added_receiver,
            invoice_issued_receiver,
        )
        from invoicing.signals import adjustment_added, invoice_issued

        invoice_issued.connect(invoice_issued_receiver, dispatch_uid="accounting-auto-sync")
        adjustment_added.connect(adjustment_added_receiver, dispatch_uid="accounting-adjustment-sync")
