from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "accounting"

    def ready(self) -> None:
        from accounting.sync import invoice_issued_receiver
        from invoicing.signals import invoice_issued

        invoice_issued.connect(invoice_issued_receiver, dispatch_uid="accounting-auto-sync")
