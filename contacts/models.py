from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from onport.models import Account
from onport.validators import no_control_characters


class VendorKind(models.TextChoices):
    DROPSHIP = "dropship", "Dropship provider"
    REPLENISHMENT = "replenishment", "Replenishment supplier"


class VendorQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> "VendorQuerySet":
        return self.filter(account=account)


class Vendor(models.Model):
    """A vendor of the account: a dropship provider or a replenishment supplier."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="vendors")
    kind = models.CharField(max_length=20, choices=VendorKind.choices)
    name = models.CharField(max_length=200, validators=[no_control_characters])
    email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3, default="GBP", help_text="ISO 4217 code, e.g. GBP, EUR, USD.")
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="Two-letter country code, e.g. GB.")
    tax_number = models.CharField(max_length=50, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, validators=[MaxValueValidator(365)]
    )
    # Tax tab of the Dropship provider settings (used for replenishment suppliers too).
    default_tax_rate = models.DecimalField(
        "default tax rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    prices_include_tax = models.BooleanField("prices include tax", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="vendor_unique_account_name")]
        indexes = [models.Index(fields=["account", "kind", "name"], name="vendor_account_kind_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.currency = (self.currency or "").upper()
        self.country = (self.country or "").upper()

    @property
    def is_dropship(self) -> bool:
        return self.kind == VendorKind.DROPSHIP
