"""Shared set-up for the benchmarks: Django, a Xero sandbox, and an account whose books are ready to sync.

Everything goes through Onport's real code: the consent is answered by the sandbox, the code exchanged
by `integrations.services`, the bills sent by `accounting.sync.drain` through xero-python over HTTP.
"""

import json
import os
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings_test")


def django_setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class SandboxProcess:
    """The sandbox in its own process, so the figures measure Onport's worker alone."""

    def __init__(self, port: int, *flags: str):
        import subprocess
        import time

        self.base_url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "xero_sandbox", "--port", str(port), *flags],
            env={**os.environ, "DEBUG": "true"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base_url}/_sandbox/config", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def sandbox_start(port: int, *flags: str) -> SandboxProcess:
    server = SandboxProcess(port, *flags)
    from django.conf import settings

    base = server.base_url
    xero = {
        "XERO_CLIENT_ID": "onport-sandbox", "XERO_CLIENT_SECRET": "onport-sandbox-secret",
        "XERO_AUTHORIZE_URL": f"{base}/identity/connect/authorize", "XERO_TOKEN_URL": f"{base}/connect/token",
        "XERO_REVOKE_URL": f"{base}/connect/revocation", "XERO_API_BASE": base,
    }
    for name, value in xero.items():
        setattr(settings, name, value)
        os.environ[name] = value  # for worker processes started from here
    return server


def sandbox_admin(server, method: str, path: str, body: dict | None = None):
    data = json.dumps(body or {}).encode() if method != "GET" else None
    request = urllib.request.Request(f"{server.base_url}/_sandbox/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def books_ready(server, *, invoices: int, name: str, tenant_id: str | None = None, reset_limits: bool = True):
    """A fresh account with `invoices` issued invoices (5 lines + shipping), Xero connected (the UK organisation,
    or `tenant_id`, one of its copies), vendors linked."""
    from accounting.setup.models import AccountingSettings, TaxRateMapping
    from integrations import services
    from integrations.models import VendorXeroLink
    from integrations.xero.ratelimit import limits_reset
    from integrations.xero.sandbox import seed
    from onport.demo_bulk import bulk_account_seed
    from onport.models import Account
    from onport.services import membership_set, user_create

    if reset_limits:
        limits_reset()  # a fresh sandbox: forget what earlier runs spent of the budget
    tenant_id = tenant_id or seed.UK_TENANT_ID

    account = bulk_account_seed(name=f"{name} {Account.objects.count() + 1}", invoices=invoices)
    admin = user_create(email=f"bench-{account.pk}@onport.test", password="x" * 12)
    membership_set(user=admin, account=account, role="admin")
    xero_account = services.xero_account_create(account=account, name="Main entity")
    redirect_uri = "http://127.0.0.1:8000/integrations/xero/callback/"
    url = services.xero_connect_start(xero_account=xero_account, user=admin, redirect_uri=redirect_uri)
    state = parse_qs(urlsplit(url).query)["state"][0]
    code = sandbox_admin(server, "POST", "consent", {"redirect_uri": redirect_uri, "state": state,
                                                     "scope": "offline_access accounting.invoices accounting.contacts accounting.settings.read",
                                                     "tenants": [tenant_id]})["code"]
    xero_account = services.xero_connect_complete(user=admin, state=state, code=code, error="", redirect_uri=redirect_uri)
    xero_account = services.xero_account_choose_tenant(xero_account=xero_account, tenant_id=tenant_id)
    AccountingSettings.objects.update_or_create(account=account, defaults={
        "xero_account": xero_account, "product_account_code": "300", "shipping_account_code": "425"})
    TaxRateMapping.objects.create(account=account, xero_account=xero_account, rate=Decimal("20.00"), tax_type="INPUT2")
    active = [name for name in seed.SUPPLIER_NAMES if name != seed.ARCHIVED_SUPPLIER]
    VendorXeroLink.objects.bulk_create(
        VendorXeroLink(account=account, vendor=vendor, xero_account=xero_account, contact_name=active[index % len(active)],
                       contact_id=seed.stable_id(seed.org_key(seed.UK_TENANT_ID), "contact", active[index % len(active)]))
        for index, vendor in enumerate(account.vendors.order_by("pk"))
    )
    return account, xero_account


def outbox_fill(account, xero_account) -> int:
    """One pending sync row per issued invoice, as `sync accounting` for all would leave them."""
    from django.utils import timezone

    from accounting.sync.models import AccountingSync, SyncKind
    from invoicing.models import PurchaseInvoice

    now = timezone.now()
    ids = PurchaseInvoice.objects.filter(account=account, status="issued").values_list("pk", flat=True)
    rows = [AccountingSync(account=account, xero_account=xero_account, invoice_id=pk, kind=SyncKind.BILL,
                           next_attempt_at=now) for pk in ids]
    AccountingSync.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def bills_in_sandbox(server, tenant_id: str) -> list[dict]:
    state = sandbox_admin(server, "GET", f"state?tenant_id={tenant_id}")
    return [bill for bill in state["orgs"][tenant_id]["invoices"].values() if bill["Type"] == "ACCPAY"]
