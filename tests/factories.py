import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from contacts.models import Vendor, VendorKind
from invoicing import orders
from invoicing import services as invoicing
from invoicing.models import PurchaseInvoice, PurchaseOrder
from onport.models import Account, Membership, Plan, Role

PASSWORD = "test-pass-123"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Retailer {n}")
    plan = Plan.ADVANCE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Role.ADMIN


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    account = factory.SubFactory(AccountFactory)
    kind = VendorKind.DROPSHIP
    name = factory.Sequence(lambda n: f"Vendor {n} Ltd")
    email = factory.Sequence(lambda n: f"accounts@vendor{n}.test")
    currency = "GBP"
    tax_number = factory.Sequence(lambda n: f"GB{100000000 + n}")
    payment_terms_days = 30
    default_tax_rate = Decimal("20.00")


def order_create(
    *, vendor: Vendor, lines=((3, "10.00"), (2, "4.50")), shipping="5.00", tax_rate="20.00", **kwargs
) -> PurchaseOrder:
    """A purchase order through the real service: `lines` are (quantity, unit cost) pairs."""
    return orders.purchase_order_create(
        account=vendor.account,
        vendor=vendor,
        lines=[
            orders.OrderLineInput(
                sku=f"SKU-{index + 1}",
                product_name=f"Product {index + 1}",
                quantity=quantity,
                unit_cost=Decimal(unit_cost),
                tax_rate=Decimal(tax_rate),
            )
            for index, (quantity, unit_cost) in enumerate(lines)
        ],
        ordered_on=kwargs.pop("ordered_on", datetime.date(2026, 11, 2)),
        shipping_cost=Decimal(shipping),
        shipping_tax_rate=Decimal(tax_rate),
        **kwargs,
    )


def invoice_create(*, order: PurchaseOrder, quantities=None, issue=True, **kwargs) -> PurchaseInvoice:
    """An invoice for the whole order (or `quantities` by line position), issued unless `issue=False`."""
    lines = list(order.lines.all())
    if quantities is None:
        by_line = {line.id: line.quantity for line in lines}
    else:
        by_line = {line.id: quantity for line, quantity in zip(lines, quantities)}
    invoice = invoicing.invoice_create(account=order.account, order=order, quantities=by_line, **kwargs)
    if issue:
        invoice = invoicing.invoice_issue(invoice=invoice)
    return invoice
