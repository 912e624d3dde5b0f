"""Demo data: two accounts, their users, vendors, purchase orders and invoices (idempotent)."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from contacts.models import Vendor, VendorKind
from integrations.xero.sandbox import seed
from invoicing import orders
from invoicing import services as invoicing
from invoicing.models import PurchaseOrder
from onport.models import Account, Plan, Role
from onport.services import membership_set, user_create

DEMO_ACCOUNT = "Demo Retail"
OTHER_ACCOUNT = "Other Retail"

# Most demo vendors are suppliers the Xero sandbox's UK organisation knows (same email and tax number),
# so "auto-match by email and tax number" has something to find; the others are for "Create in Xero".
MATCHING_DROPSHIP = [
    "Northwind Traders",
    "Fjord Outdoor Supply",
    "Juniper Kitchenware",
    "Quartz Lighting",
    "Zephyr Bikes",
    "Vantage Sports",
]
MATCHING_REPLENISHMENT = [
    "Acme Packaging Ltd",
    "Kestrel Electronics",
    "Evergreen Paper Co",
    "Tidewater Candles",
    "Harbour Ceramics",
]
NEW_DROPSHIP = [
    ("Meadow & Moss Textiles", "hello@meadowmoss.test", "GBP"),
    ("Ironbridge Tools", "ledger@ironbridge-tools.test", "USD"),
]
NEW_REPLENISHMENT = [
    ("Brightside Packaging", "billing@brightside-pack.test", "GBP"),
    ("Foxglove Ceramics", "sales@foxglove-ceramics.test", "EUR"),
]


def _vendor_rows() -> list[tuple[str, str, str, str, str]]:
    """(kind, name, email, currency, tax number) of the demo vendors."""
    known = {contact["Name"]: contact for contact in seed.build_organisations()[seed.UK_TENANT_ID]["contacts"].values()}
    rows = [
        (VendorKind.DROPSHIP, name, known[name]["EmailAddress"], "GBP", known[name]["TaxNumber"])
        for name in MATCHING_DROPSHIP
    ]
    rows += [(VendorKind.DROPSHIP, name, email, currency, "") for name, email, currency in NEW_DROPSHIP]
    rows += [
        (VendorKind.REPLENISHMENT, name, known[name]["EmailAddress"], "GBP", known[name]["TaxNumber"])
        for name in MATCHING_REPLENISHMENT
    ]
    rows += [(VendorKind.REPLENISHMENT, name, email, currency, "") for name, email, currency in NEW_REPLENISHMENT]
    return rows


PRODUCTS = [
    ("Camping lantern", "9.95"),
    ("Stainless water bottle", "6.40"),
    ("Ceramic mug set", "12.75"),
    ("Linen tea towel", "3.1250"),
    ("Cast iron skillet", "18.50"),
    ("LED desk lamp", "14.99"),
    ("Dog lead, leather", "7.25"),
    ("Bike light set", "11.30"),
    ("Wool throw", "22.00"),
    ("Hand trowel", "4.85"),
    ("Soy candle, large", "5.60"),
    ("Recycled gift box", "0.8750"),
]


@dataclass(frozen=True)
class DemoLogin:
    account: str
    email: str
    role: str


DEMO_LOGINS = [
    DemoLogin(DEMO_ACCOUNT, "admin@demo.test", Role.ADMIN),
    DemoLogin(DEMO_ACCOUNT, "finance@demo.test", Role.FINANCE),
    DemoLogin(DEMO_ACCOUNT, "viewer@demo.test", Role.VIEWER),
    DemoLogin(OTHER_ACCOUNT, "admin@other.test", Role.ADMIN),
]


def _account(name: str, plan: str) -> Account:
    account, _ = Account.objects.get_or_create(name=name, defaults={"plan": plan})
    return account


def _user(email: str, password: str):
    user = get_user_model().objects.filter(username=email).first()
    if user is None:
        return user_create(email=email, password=password)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def demo_seed(*, password: str, rng: random.Random | None = None) -> list[DemoLogin]:
    """Create (or refresh) the demo accounts and users; add vendors, orders and invoices once."""
    rng = rng or random.Random(42)
    with transaction.atomic():
        accounts = {
            DEMO_ACCOUNT: _account(DEMO_ACCOUNT, Plan.ADVANCE),
            OTHER_ACCOUNT: _account(OTHER_ACCOUNT, Plan.STARTER),
        }
        for login in DEMO_LOGINS:
            membership_set(user=_user(login.email, password), account=accounts[login.account], role=login.role)
        if not accounts[DEMO_ACCOUNT].vendors.exists():
            _seed_trading(accounts[DEMO_ACCOUNT], rng=rng, order_count=60)
        if not accounts[OTHER_ACCOUNT].vendors.exists():
            _seed_trading(accounts[OTHER_ACCOUNT], rng=rng, order_count=6, vendor_count=3)
    return DEMO_LOGINS


def _seed_vendors(account: Account, *, count: int | None) -> list[Vendor]:
    rows = _vendor_rows()
    rows = rows[:count] if count else rows
    vendors = []
    for index, (kind, name, email, currency, tax_number) in enumerate(rows):
        vendor = Vendor(
            account=account,
            kind=kind,
            name=name,
            email=email,
            currency=currency,
            address_line1=f"{10 + index} Market Street",
            city="Bristol" if currency == "GBP" else "Rotterdam",
            postcode=f"BS{index + 1} 4DJ",
            country="GB" if currency == "GBP" else "NL",
            tax_number=tax_number,
            payment_terms_days=[14, 30, 30, 45, 60][index % 5],
            default_tax_rate=Decimal("20.00"),
            prices_include_tax=index % 6 == 5,
        )
        vendor.full_clean()
        vendor.save()
        vendors.append(vendor)
    return vendors


def _seed_trading(account: Account, *, rng: random.Random, order_count: int, vendor_count: int | None = None) -> None:
    vendors = _seed_vendors(account, count=vendor_count)
    start = datetime.date(2026, 8, 1)
    for index in range(order_count):
        vendor = vendors[index % len(vendors)]
        products = rng.sample(PRODUCTS, k=rng.randint(1, 5))
        order = orders.purchase_order_create(
            account=account,
            vendor=vendor,
            lines=[
                orders.OrderLineInput(
                    sku=f"SKU-{name[:3].upper()}-{position + 100}",
                    product_name=name,
                    quantity=rng.randint(1, 12),
                    unit_cost=Decimal(cost),
                    tax_rate=Decimal("20.00") if position % 4 else Decimal("0.00"),
                )
                for position, (name, cost) in enumerate(products)
            ],
            ordered_on=start + datetime.timedelta(days=index),
            shipping_cost=Decimal(rng.choice(["0.00", "4.95", "7.50", "12.00"])),
            shipping_tax_rate=Decimal("20.00"),
            sales_order_reference=f"#SO-{5000 + index}" if vendor.kind == VendorKind.DROPSHIP else "",
            # the sandbox organisations' "Sales channel" options, for tracking rules to match
            sales_channel=("Online", "Marketplace")[index % 2] if vendor.kind == VendorKind.DROPSHIP else "",
        )
        _seed_invoices(order, rng=rng, issue_date=order.ordered_on + datetime.timedelta(days=2))


def _seed_invoices(order: PurchaseOrder, *, rng: random.Random, issue_date: datetime.date) -> None:
    """Two invoices per order on average: whole orders, part invoices, drafts, issued and paid."""
    lines = list(order.lines.all())
    part = len(lines) > 1 and rng.random() < 0.5
    batches = [lines[: len(lines) // 2], lines[len(lines) // 2 :]] if part else [lines]
    if not part and rng.random() < 0.9:
        first = {line.id: max(1, line.quantity // 2) for line in lines}
        batches = [first, {line.id: line.quantity - first[line.id] for line in lines if line.quantity > first[line.id]}]
    for position, batch in enumerate(batches):
        quantities = batch if isinstance(batch, dict) else {line.id: line.quantity for line in batch}
        if not quantities:
            continue
        invoice = invoicing.invoice_create(
            account=order.account,
            order=order,
            quantities=quantities,
            shipping=None if position == 0 else Decimal("0.00"),
            issue_date=issue_date + datetime.timedelta(days=position * 7),
        )
        roll = rng.random()
        if roll < 0.15:
            continue  # stays a draft
        invoicing.invoice_issue(invoice=invoice)
        if roll > 0.7:
            invoicing.invoice_mark_paid(invoice=invoice)
