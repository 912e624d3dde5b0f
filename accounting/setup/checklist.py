"""The first-run checklist on Integrations > Xero: from connecting Xero to the first bill, each step with whether it
is done, what is missing, and a link to where it is done."""

from dataclasses import dataclass

from django.urls import reverse

from accounting.setup.selectors import accounting_settings_read, tax_rates_unmapped
from accounting.sync.models import AccountingSync, SyncState
from contacts.models import Vendor
from integrations.models import ContactImportState, VendorXeroLink, XeroAccount, XeroContact, XeroContactImport
from onport.models import Account


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str
    link: str
    link_label: str


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)


def first_run_checklist(*, account: Account) -> Checklist:
    settings = accounting_settings_read(account=account)
    xero_accounts = list(XeroAccount.objects.for_account(account).order_by("created_at", "id"))
    connected = [xero_account for xero_account in xero_accounts if xero_account.has_grant]
    with_tenant = [xero_account for xero_account in connected if xero_account.tenant_id]
    target = settings.xero_account or (with_tenant[0] if with_tenant else connected[0] if connected else None)
    setup_url = reverse("accounting:setup_accounting")
    steps = [
        Step(
            "Connect Xero",
            bool(connected),
            "" if connected else "Press “+ New Xero account”, then Connect, and allow Onport in Xero.",
            target.get_absolute_url() if target else reverse("integrations:xero_account_create"),
            "Open the Xero account" if target else "Add a Xero account",
        ),
        Step(
            "Choose the Tenant",
            bool(with_tenant),
            f"Syncs to {target.tenant_name}." if target and target.tenant_id else "Pick the organisation bills go to.",
            target.get_absolute_url() if target else reverse("integrations:xero_account_list"),
            "Choose the Tenant",
        ),
        _contacts_step(target),
        _setup_step(settings, setup_url),
        _vendors_step(account, settings.xero_account),
        Step(
            "Switch automatic sync on",
            settings.auto_sync_dropship or settings.auto_sync_replenishment,
            "Issued invoices then go to Xero by themselves.",
            setup_url,
            "Setup > Accounting",
        ),
        _first_bill_step(account),
    ]
    return Checklist(steps=tuple(steps))


def _contacts_step(xero_account: XeroAccount | None) -> Step:
    title, label = "Import the contacts from Xero", "Contacts"
    if xero_account is None:
        return Step(
            title,
            False,
            "Starts by itself once the Tenant is chosen.",
            reverse("integrations:xero_account_list"),
            label,
        )
    imports = XeroContactImport.objects.filter(xero_account=xero_account)
    latest = imports.order_by("-started_at", "-id").first()
    done = imports.filter(state=ContactImportState.DONE).exists()
    if latest is None:
        detail = "Starts by itself once the Tenant is chosen."
    elif latest.state == ContactImportState.RUNNING:
        detail = "Importing now…"
    elif latest.state == ContactImportState.FAILED:
        detail = "The last import did not finish: import again."
    else:
        detail = f"{XeroContact.objects.filter(xero_account=xero_account).count()} contacts from Xero."
    return Step(title, done, detail, xero_account.get_absolute_url(), label)


def _setup_step(settings, setup_url: str) -> Step:
    missing = []
    if settings.xero_account_id is None:
        missing.append("the Xero account")
    elif not settings.product_account_code or not settings.shipping_account_code:
        missing.append("the account codes")
    missing += [
        f"a tax type for {rate.normalize():f}%"
        for rate in tax_rates_unmapped(settings=settings, line_amount_type=settings.line_amount_type)
    ]
    detail = f"Choose {', '.join(missing)}." if missing else "Bills are coded."
    return Step("Code the bills in Setup > Accounting", not missing, detail, setup_url, "Setup > Accounting")


def _vendors_step(account: Account, xero_account: XeroAccount | None) -> Step:
    vendors = Vendor.objects.for_account(account).count()
    linked = (
        VendorXeroLink.objects.filter(xero_account=xero_account, vendor__account=account).count() if xero_account else 0
    )
    detail = f"{linked} of {vendors} vendors linked to a Xero contact." if vendors else "No vendors yet."
    return Step(
        "Link vendors to their Xero contacts",
        bool(vendors) and linked >= vendors,
        detail,
        reverse("contacts:vendor_list"),
        "Vendors",
    )


def _first_bill_step(account: Account) -> Step:
    first = (
        AccountingSync.objects.for_account(account)
        .filter(state=SyncState.SYNCED)
        .exclude(xero_id="")
        .select_related("invoice")
        .order_by("synced_at", "id")
        .first()
    )
    detail = f"{first.invoice.number} is in Xero." if first else "Issue an invoice and press sync accounting."
    return Step(
        "Send the first bill",
        first is not None,
        detail,
        first.xero_url or first.invoice.get_absolute_url() if first else reverse("invoicing:invoice_list"),
        "View in Xero" if first and first.xero_url else "Payments",
    )
