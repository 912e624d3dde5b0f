import os

from django.core.management.base import BaseCommand

from onport.demo import demo_seed
from onport.demo_bulk import bulk_account_seed


class Command(BaseCommand):
    help = "Create the demo accounts, users, vendors, orders and invoices (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=0, help="Also build a large account with N invoices.")
        parser.add_argument("--bulk-account", default="Bulk Retail", help="Name of the large account.")

    def handle(self, *args, invoices: int, bulk_account: str, **options):
        password = os.environ.get("DEMO_PASSWORD", "demo-pass-123")
        logins = demo_seed(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<20} {password}   ({login.role} of {login.account})")
        if invoices:
            account = bulk_account_seed(name=bulk_account, invoices=invoices)
            count = account.purchase_invoices.count()
            self.stdout.write(self.style.SUCCESS(f"{account.name}: {count} invoices (staff can open it in /staff/)."))
