"""Invoicing forms: they check what was typed; the rules (what is left to invoice…) live in services."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django import forms
from django.utils import timezone

from accounting.sync.models import XeroStatus
from contacts.forms import PlainLabels
from contacts.models import Vendor, VendorKind
from invoicing.models import AdjustmentKind, InvoiceStatus
from invoicing.selectors import InvoiceSearch
from onport.forms import SubmitOnceField

AMOUNT = {"max_digits": 14, "decimal_places": 2}
TAX_RATE = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}
AMOUNT_ERRORS = {"invalid": "Enter an amount in numbers, like 120.50."}
DATE_ERRORS = {"invalid": "Enter a date, like 2026-11-02."}


class DatePickerInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VendorChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Choose one of your vendors from the list."}


class InvoiceSearchForm(PlainLabels, forms.Form):
    """Contacts > Payments > search invoices. Every criterion is optional."""

    number = forms.CharField(
        label="Invoice number",
        required=False,
        max_length=50,
        help_text="Onport's number or the vendor's own, or a part of either.",
    )
    vendor = VendorChoiceField(queryset=Vendor.objects.none(), required=False, empty_label="Any vendor")
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *VendorKind.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *InvoiceStatus.choices])
    xero_status = forms.ChoiceField(
        label="Xero status",
        required=False,
        choices=[("", "Any Xero status"), *XeroStatus.choices],
        error_messages={"invalid_choice": "Choose a Xero status from the list."},
    )
    date_from = forms.DateField(label="Issued from", required=False, widget=DatePickerInput, error_messages=DATE_ERRORS)
    date_to = forms.DateField(label="Issued to", required=False, widget=DatePickerInput, error_messages=DATE_ERRORS)
    amount_min = forms.DecimalField(label="Total from", required=False, **AMOUNT, error_messages=AMOUNT_ERRORS)
    amount_max = forms.DecimalField(label="Total to", required=False, **AMOUNT, error_messages=AMOUNT_ERRORS)

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "“Issued to” is before “Issued from”: swap the dates or change one.")
        amount_min, amount_max = data.get("amount_min"), data.get("amount_max")
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            self.add_error("amount_max", "“Total to” is smaller than “Total from”.")
        return data

    def search(self) -> InvoiceSearch:
        data = self.cleaned_data
        return InvoiceSearch(
            number=data["number"],
            vendor_id=data["vendor"].pk if data["vendor"] else None,
            kind=data["kind"],
            status=data["status"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            amount_min=data["amount_min"],
            amount_max=data["amount_max"],
        )

    def xero_filter(self) -> str:
        """The chosen XeroStatus, or "" for any (a filter of the Payments list, not of the invoices as such)."""
        return self.cleaned_data["xero_status"]


class OrderFilterForm(PlainLabels, forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "All orders"), *VendorKind.choices])
    q = forms.CharField(label="PO number or sales order", required=False, max_length=60)


class InvoiceQuantitiesForm(PlainLabels, forms.Form):
    """A quantity per order line plus shipping: what an invoice bills.

    `rows` are objects with a `.line` (the order line); the template shows them beside the inputs.
    """

    amends = False  # an issued invoice's amendment (needs a reason)

    shipping = forms.DecimalField(
        label="Shipping",
        min_value=Decimal("0"),
        **AMOUNT,
        error_messages=AMOUNT_ERRORS,
        widget=forms.NumberInput(attrs={"class": "qty"}),
    )

    def __init__(
        self,
        data=None,
        *,
        rows: Sequence,
        quantities: Mapping[int, int],
        shipping: Decimal,
        shipping_available: Decimal | None = None,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.rows = list(rows)
        self.shipping_available = shipping_available  # shown beside the input; the service enforces it
        self.fields["shipping"].initial = shipping
        for row in self.rows:
            self.fields[self._name(row.line)] = forms.IntegerField(
                label=f"Quantity of {row.line.sku}",
                min_value=0,
                initial=quantities.get(row.line.id, 0),
                error_messages={"invalid": "Enter a whole number.", "required": "Enter a quantity (0 to leave out)."},
                widget=forms.NumberInput(attrs={"class": "qty", "min": 0}),
            )

    @staticmethod
    def _name(line) -> str:
        return f"qty_{line.id}"

    @property
    def line_rows(self) -> list:
        """(row, bound quantity field) pairs, in order-line order."""
        return [(row, self[self._name(row.line)]) for row in self.rows]

    def quantities(self) -> dict[int, int]:
        return {row.line.id: self.cleaned_data[self._name(row.line)] for row in self.rows}


class OwnIds:
    """Several forms share the invoice page: each gets ids of its own (`id_prefix`), so labels find their field."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


VENDOR_NUMBER = {
    "label": "Vendor's invoice number",
    "required": False,
    "max_length": 50,
    "help_text": "Their own number, as printed on their invoice (optional). Onport's number stays the bill's.",
}


class InvoiceCreateForm(InvoiceQuantitiesForm):
    submit_token = SubmitOnceField()
    issue_date = forms.DateField(label="Issue date", widget=DatePickerInput, error_messages=DATE_ERRORS)
    vendor_invoice_number = forms.CharField(**VENDOR_NUMBER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue_date"].initial = timezone.localdate()


class InvoiceAmendForm(InvoiceQuantitiesForm):
    amends = True
    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=255,
        help_text="Issued invoices are not edited silently: the reason is kept in the invoice's history.",
        error_messages={"required": "Say why this issued invoice is being amended."},
    )


class VendorNumberForm(OwnIds, PlainLabels, forms.Form):
    id_prefix = "vendor_number"
    vendor_invoice_number = forms.CharField(**VENDOR_NUMBER)


class VoidForm(OwnIds, PlainLabels, forms.Form):
    id_prefix = "void"
    reason = forms.CharField(
        label="Reason", max_length=255, error_messages={"required": "Say why the invoice is void."}
    )


class AdjustmentForm(OwnIds, PlainLabels, forms.Form):
    id_prefix = "adjustment"
    submit_token = SubmitOnceField()
    kind = forms.ChoiceField(label="Type", choices=AdjustmentKind.choices)
    amount = forms.DecimalField(label="Amount", min_value=Decimal("0.01"), **AMOUNT, error_messages=AMOUNT_ERRORS)
    reason = forms.CharField(label="Reason", max_length=255)


class OrderForm(PlainLabels, forms.Form):
    submit_token = SubmitOnceField()
    vendor = VendorChoiceField(
        queryset=Vendor.objects.none(),
        empty_label="Choose a vendor",
        help_text="Not in the list? Add the vendor under Contacts › Vendors first.",
    )
    sales_order_reference = forms.CharField(
        label="Sales order reference",
        required=False,
        max_length=60,
        help_text="For a dropship order: the customer's sales order it fulfils.",
    )
    sales_channel = forms.CharField(
        label="Sales channel",
        required=False,
        max_length=60,
        help_text="Where the customer ordered (Online, Marketplace…): tracking in Xero can follow it.",
    )
    brand = forms.CharField(label="Brand", required=False, max_length=60)
    ordered_on = forms.DateField(label="Ordered on", widget=DatePickerInput, error_messages=DATE_ERRORS)
    shipping_cost = forms.DecimalField(
        label="Shipping cost", min_value=Decimal("0"), initial=Decimal("0.00"), **AMOUNT, error_messages=AMOUNT_ERRORS
    )
    shipping_tax_rate = forms.DecimalField(label="Shipping tax rate (%)", initial=Decimal("20.00"), **TAX_RATE)

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors
        self.fields["ordered_on"].initial = timezone.localdate()


class OrderLineForm(PlainLabels, forms.Form):
    sku = forms.CharField(label="SKU", max_length=64)
    product_name = forms.CharField(label="Product name", max_length=255)
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=1_000_000,
        error_messages={"max_value": "Order at most 1,000,000 units on one line."},
    )
    unit_cost = forms.DecimalField(
        label="Unit cost", min_value=Decimal("0"), max_digits=14, decimal_places=4, error_messages=AMOUNT_ERRORS
    )
    tax_rate = forms.DecimalField(label="Tax rate (%)", initial=Decimal("20.00"), **TAX_RATE)


class BaseOrderLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one line to the order.",
        "too_many_forms": "An order can have at most %(num)d lines.",
    }

    def line_data(self) -> list[dict]:
        """The filled-in lines (blank extra rows are left out)."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data]


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseOrderLineFormSet, extra=0, min_num=1, validate_min=True, max_num=500, validate_max=True
)
