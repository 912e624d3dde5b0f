"""Shared set-up for the benchmarks: Django, a Xero sandbox, and an account whose books are ready to sync.

Everything goes through Onport's real code: the consent is answered by the sandbox, the code exchanged
by `integrations.services`, the bills sent by `accounting.sync.drain` through xero-python over HTTP.
"""

import datetime
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

CONSENT_SCOPE = "offline_access accounting.invoices accounting.contacts accounting.settings.read"
GRANTS_PER_CALL = 500


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
            env={**os.environ, "DEBUG": "true"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
        "XERO_CLIENT_ID": "onport-sandbox",
        "XERO_CLIENT_SECRET": "onport-sandbox-secret",
        "XERO_AUTHORIZE_URL": f"{base}/identity/connect/authorize",
        "XERO_TOKEN_URL": f"{base}/connect/token",
        "XERO_REVOKE_URL": f"{base}/connect/revocation",
        "XERO_API_BASE": base,
    }
    for name, value in xero.items():
        setattr(settings, name, value)
        os.environ[name] = value  # for worker processes started from here
    return server


def sandbox_admin(server, method: str, path: str, body: dict | None = None):
    data = json.dumps(body or {}).encode() if method != "GET" else None
    request = urllib.request.Request(
        f"{server.base_url}/_sandbox/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
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
    code = sandbox_admin(
        server,
        "POST",
        "consent",
        {"redirect_uri": redirect_uri, "state": state, "scope": CONSENT_SCOPE, "tenants": [tenant_id]},
    )["code"]
    xero_account = services.xero_connect_complete(
        user=admin, state=state, code=code, error="", redirect_uri=redirect_uri
    )
    xero_account = services.xero_account_choose_tenant(xero_account=xero_account, tenant_id=tenant_id)
    AccountingSettings.objects.update_or_create(
        account=account,
        defaults={"xero_account": xero_account, "product_account_code": "300", "shipping_account_code": "425"},
    )
    TaxRateMapping.objects.create(account=account, xero_account=xero_account, rate=Decimal("20.00"), tax_type="INPUT2")
    active = [name for name in seed.SUPPLIER_NAMES if name != seed.ARCHIVED_SUPPLIER]
    VendorXeroLink.objects.bulk_create(
        VendorXeroLink(
            account=account,
            vendor=vendor,
            xero_account=xero_account,
            contact_name=active[index % len(active)],
            contact_id=seed.stable_id(seed.org_key(seed.UK_TENANT_ID), "contact", active[index % len(active)]),
        )
        for index, vendor in enumerate(account.vendors.order_by("pk"))
    )
    return account, xero_account


def books_ready_many(server, *, tenants: list[str], invoices: int, name: str) -> list[tuple]:
    """`books_ready` for many organisations at once, for runs across thousands of them: one account per tenant,
    written with bulk inserts, connected with a token pair of its own from the sandbox's set-up endpoint
    (POST /_sandbox/grants: the consent and code exchange of each organisation's own Xero user, without the round
    trips). The rows are what `xero_connect_complete` and `xero_account_choose_tenant` would have saved, except
    that nobody is recorded as having connected (no users are made); no Xero call is made."""
    from django.utils import timezone

    from accounting.setup.models import AccountingSettings, TaxRateMapping
    from contacts.models import Vendor
    from integrations.models import VendorXeroLink, XeroAccount, XeroAccountStatus
    from integrations.xero.sandbox import seed
    from onport.demo_bulk import bulk_accounts_seed
    from onport.models import Account

    first = Account.objects.count() + 1
    accounts = bulk_accounts_seed(
        names=[f"{name} {first + number}" for number in range(len(tenants))], invoices=invoices
    )
    issued = []
    for start in range(0, len(tenants), GRANTS_PER_CALL):
        issued += sandbox_admin(
            server, "POST", "grants", {"tenants": tenants[start : start + GRANTS_PER_CALL], "scope": CONSENT_SCOPE}
        )["grants"]
    now = timezone.now()
    xero_accounts = XeroAccount.objects.bulk_create(
        [
            XeroAccount(
                account=account,
                name="Main entity",
                status=XeroAccountStatus.CONNECTED,
                tenant_id=grant["tenant_id"],
                tenant_name=grant["tenant_name"],
                connection_id=grant["connection_id"],
                short_code=grant["short_code"],
                base_currency=grant["base_currency"],
                available_tenants=[
                    {
                        "tenant_id": grant["tenant_id"],
                        "tenant_name": grant["tenant_name"],
                        "connection_id": grant["connection_id"],
                    }
                ],
                access_token=grant["access_token"],
                refresh_token=grant["refresh_token"],
                token_expires_at=now + datetime.timedelta(seconds=grant["expires_in"]),
                scopes=grant["scope"].split(),
                auth_event_id=grant["auth_event_id"],
                connected_at=now,
                token_refreshed_at=now,
                checked_at=now,
            )
            for account, grant in zip(accounts, issued)
        ],
        batch_size=1000,
    )
    AccountingSettings.objects.bulk_create(
        [
            AccountingSettings(
                account=account, xero_account=xero_account, product_account_code="300", shipping_account_code="425"
            )
            for account, xero_account in zip(accounts, xero_accounts)
        ],
        batch_size=1000,
    )
    TaxRateMapping.objects.bulk_create(
        [
            TaxRateMapping(account=account, xero_account=xero_account, rate=Decimal("20.00"), tax_type="INPUT2")
            for account, xero_account in zip(accounts, xero_accounts)
        ],
        batch_size=1000,
    )
    active = [name for name in seed.SUPPLIER_NAMES if name != seed.ARCHIVED_SUPPLIER]
    xero_account_of = {xero_account.account_id: xero_account for xero_account in xero_accounts}
    vendors = Vendor.objects.filter(account__in=accounts).order_by("account_id", "pk").values_list("pk", "account_id")
    links, position = [], {}
    for vendor_id, account_id in vendors:
        index = position[account_id] = position.get(account_id, -1) + 1
        contact_name = active[index % len(active)]
        links.append(
            VendorXeroLink(
                account_id=account_id,
                vendor_id=vendor_id,
                xero_account=xero_account_of[account_id],
                contact_name=contact_name,
                contact_id=seed.stable_id(seed.org_key(seed.UK_TENANT_ID), "contact", contact_name),
            )
        )
    VendorXeroLink.objects.bulk_create(links, batch_size=2000)
    return list(zip(accounts, xero_accounts))


def outbox_fill_many(books: list[tuple], *, priority: int | None = None) -> int:
    """`outbox_fill` for many accounts in a few statements (with the rows' priority, if given)."""
    from django.utils import timezone

    from accounting.sync.models import AccountingSync, SyncKind
    from invoicing.models import PurchaseInvoice

    now = timezone.now()
    xero_account_of = {account.pk: xero_account for account, xero_account in books}
    issued = PurchaseInvoice.objects.filter(account__in=list(xero_account_of), status="issued").values_list(
        "pk", "account_id"
    )
    extra = {} if priority is None else {"priority": priority}
    rows, count = [], 0
    for pk, account_id in issued.iterator(chunk_size=5000):
        rows.append(
            AccountingSync(
                account_id=account_id,
                xero_account=xero_account_of[account_id],
                invoice_id=pk,
                kind=SyncKind.BILL,
                next_attempt_at=now,
                **extra,
            )
        )
        if len(rows) == 5000:
            count += len(AccountingSync.objects.bulk_create(rows, batch_size=2500))
            rows = []
    return count + len(AccountingSync.objects.bulk_create(rows, batch_size=2500))


def outbox_fill(account, xero_account) -> int:
    """One pending sync row per issued invoice, as `sync accounting` for all would leave them."""
    from django.utils import timezone

    from accounting.sync.models import AccountingSync, SyncKind
    from invoicing.models import PurchaseInvoice

    now = timezone.now()
    ids = PurchaseInvoice.objects.filter(account=account, status="issued").values_list("pk", flat=True)
    rows = [
        AccountingSync(
            account=account, xero_account=xero_account, invoice_id=pk, kind=SyncKind.BILL, next_attempt_at=now
        )
        for pk in ids
    ]
    AccountingSync.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def bills_in_sandbox(server, tenant_id: str) -> list[dict]:
    state = sandbox_admin(server, "GET", f"state?tenant_id={tenant_id}")
    return [bill for bill in state["orgs"][tenant_id]["invoices"].values() if bill["Type"] == "ACCPAY"]
