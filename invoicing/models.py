from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from contacts.models import Vendor, VendorKind
from onport.models import Account
from onport.validators import no_control_characters


class Digits(TypedDict):
    """A DecimalField's size, spread into it with `**` (a TypedDict, so the type checker sees each keyword)."""

    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 14, "decimal_places": 2}
UNIT_COST: Digits = {"max_digits": 14, "decimal_places": 4}
TAX_RATE = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class AccountScopedQuerySet(models.QuerySet):
    def for_account(self, account: Account):
        return self.filter(account=account)


class PurchaseOrder(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="purchase_orders")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="purchase_orders")
    kind = models.CharField(max_length=20, choices=VendorKind.choices)
    number = models.CharField(max_length=30)
    sales_order_reference = models.CharField("customer's sales order", max_length=60, blank=True)
    # Where the customer's order came from and under which brand: tracking rules in Setup > Accounting match them.
    sales_channel = models.CharField(max_length=60, blank=True, validators=[no_control_characters])
    brand = models.CharField(max_length=60, blank=True, validators=[no_control_characters])
    currency = models.CharField(max_length=3)
    shipping_cost = models.DecimalField(**MONEY, default=Decimal("0.00"), validators=[MinValueValidator(0)])
    shipping_tax_rate = models.DecimalField(**TAX_RATE, default=Decimal("0.00"))
    ordered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "number"], name="po_unique_account_number")]
        indexes = [
            models.Index(fields=["account", "-ordered_on", "-id"], name="po_account_ordered"),
            models.Index(fields=["account", "kind", "-ordered_on"], name="po_account_kind_ordered"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("invoicing:order_detail", args=[self.pk])


class PurchaseOrderLine(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField("SKU", max_length=64)
    product_name = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(**UNIT_COST, validators=[MinValueValidator(0)])
    tax_rate = models.DecimalField(**TAX_RATE)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class PurchaseInvoiceQuerySet(AccountScopedQuerySet):
    def counting_towards_order(self):
        """Invoices that use up ordered quantities (a void invoice gives them back)."""
        return self.exclude(status=InvoiceStatus.VOID)


class PurchaseInvoice(models.Model):
    """A vendor's invoice against one purchase order (possibly for part of it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="purchase_invoices")
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="invoices")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=VendorKind.choices)
    number = models.CharField(max_length=30)
    # The vendor's own number for this invoice (optional): searchable, on the bill's history in Xero and in the
    # payout remittance. Onport's number stays the bill's number.
    vendor_invoice_number = models.CharField("vendor's invoice number", max_length=50, blank=True)
    # Why finance keeps the invoice out of payout runs (a dispute with the vendor); blank: runs may pay it.
    payout_hold = models.CharField("held from payouts because", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    amounts_include_tax = models.BooleanField(default=False)
    subtotal = models.DecimalField(**MONEY, default=Decimal("0.00"))
    tax_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PurchaseInvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="invoice_unique_account_number"),
            models.UniqueConstraint(
                fields=["account", "vendor", "vendor_invoice_number"],
                condition=~models.Q(vendor_invoice_number=""),
                name="invoice_unique_vendor_number",
                violation_error_message="This vendor already has an invoice with that number.",
            ),
        ]
        # The Payments list pages by key on (issue_date, id), newest first: each filter's index ends in the same
        # two columns, so the page after a cursor is read straight from it, however many invoices share a date.
        # On PostgreSQL, migration 0002 adds a trigram index for the number search (a part of a number).
        indexes = [
            models.Index(fields=["account", "-issue_date", "-id"], name="inv_account_date"),
            models.Index(fields=["account", "status", "-issue_date", "-id"], name="inv_account_status_seek"),
            models.Index(fields=["account", "vendor", "-issue_date", "-id"], name="inv_account_vendor_seek"),
            models.Index(fields=["account", "kind", "-issue_date", "-id"], name="inv_account_kind_seek"),
            models.Index(fields=["account", "total"], name="inv_account_total"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("invoicing:invoice_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT


class LineKind(models.TextChoices):
    PRODUCT = "product", "Product"
    SHIPPING = "shipping", "Shipping"


class PurchaseInvoiceLine(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.PRODUCT)
    order_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    sku = models.CharField("SKU", max_length=64, blank=True)
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(**UNIT_COST, validators=[MinValueValidator(0)])
    tax_rate = models.DecimalField(**TAX_RATE)
    net_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    gross_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["invoice", "kind", "id"]
        indexes = [models.Index(fields=["order_line"], name="invline_order_line")]

    def __str__(self) -> str:
        return self.description


class AdjustmentKind(models.TextChoices):
    CREDIT = "credit", "Credit (vendor owes us)"
    DEBIT = "debit", "Debit (we owe the vendor more)"


class InvoiceAdjustment(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=AdjustmentKind.choices)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class InvoiceEvent(models.Model):
    """The invoice's history: every change a person or the platform made, in plain words."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    message = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class InvoiceDocument(models.Model):
    """The vendor's own file of the invoice (PDF, PNG or JPEG), uploaded by finance; the bill in Xero carries it
    (else a PDF Onport renders). Kept in the database: at most 10 MB, Xero's limit for an attachment."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    invoice = models.OneToOneField(PurchaseInvoice, on_delete=models.CASCADE, related_name="document")
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.file_name} of invoice {self.invoice_id}"


class ProductCategory(models.Model):
    """A group of products ("Apparel", "Homeware"): Setup > Accounting maps it to the account code its bill lines get."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="product_categories")
    name = models.CharField(max_length=100, validators=[no_control_characters])

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="product_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A SKU the account buys, with its optional category."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField("SKU", max_length=64)
    category = models.ForeignKey(
        ProductCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        constraints = [models.UniqueConstraint(fields=["account", "sku"], name="product_unique_sku")]

    def __str__(self) -> str:
        return self.sku
