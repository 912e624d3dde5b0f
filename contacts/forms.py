"""Vendor forms: they check what was typed; the services in contacts/services.py save it."""

from django import forms
from django.forms.models import model_to_dict

from contacts.models import Vendor, VendorKind

GENERAL_FIELDS = ["name", "email", "currency", "address_line1", "address_line2", "city", "postcode", "country"]
PAYMENTS_FIELDS = ["payment_terms_days"]
TAX_FIELDS = ["tax_number", "default_tax_rate", "prices_include_tax"]
ALL_FIELDS = GENERAL_FIELDS + PAYMENTS_FIELDS + TAX_FIELDS

KIND_FILTER_CHOICES = [
    ("", "All vendors"),
    (VendorKind.DROPSHIP, "Dropship providers"),
    (VendorKind.REPLENISHMENT, "Replenishment suppliers"),
]


class PlainLabels:
    """Labels without Django's trailing colon ("Vendor", not "Vendor:")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


XERO_FILTER_CHOICES = [
    ("", "Any"),
    ("mapped", "Mapped"),
    ("unmapped", "Not mapped"),
    ("archived", "Archived in Xero"),
]


class VendorFilterForm(PlainLabels, forms.Form):
    kind = forms.ChoiceField(choices=KIND_FILTER_CHOICES, required=False)
    q = forms.CharField(label="Name", required=False, max_length=200)
    xero = forms.ChoiceField(label="Xero contact", choices=XERO_FILTER_CHOICES, required=False)


class _VendorFieldsForm(PlainLabels, forms.ModelForm):
    """Field definitions come from the model; the form never saves (the service does)."""

    @classmethod
    def for_vendor(cls, vendor: Vendor, data=None, *, read_only: bool = False) -> "_VendorFieldsForm":
        form = cls(data, initial=model_to_dict(vendor, fields=list(cls.base_fields)))
        if read_only:
            for field in form.fields.values():
                field.disabled = True
        return form


class VendorGeneralForm(_VendorFieldsForm):
    class Meta:
        model = Vendor
        fields = GENERAL_FIELDS


class VendorPaymentsForm(_VendorFieldsForm):
    class Meta:
        model = Vendor
        fields = PAYMENTS_FIELDS


class VendorTaxForm(_VendorFieldsForm):
    class Meta:
        model = Vendor
        fields = TAX_FIELDS


class VendorForm(_VendorFieldsForm):
    """Every detail at once: the replenishment supplier's contact edit page."""

    class Meta:
        model = Vendor
        fields = ALL_FIELDS


class VendorCreateForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["kind", *ALL_FIELDS]


# The tabs of Contacts > Dropship provider settings, in order: slug -> (label, form).
SETTINGS_TABS: dict[str, tuple[str, type[_VendorFieldsForm]]] = {
    "general": ("General", VendorGeneralForm),
    "payments": ("Payments", VendorPaymentsForm),
    "tax": ("Tax", VendorTaxForm),
}


# -- the vendor's Xero contact (Tax tab / contact edit page) ----------------------------------------


class XeroContactNameForm(PlainLabels, forms.Form):
    """Create in Xero under another name, after Xero refused the vendor's own name."""

    name = forms.CharField(
        label="Name in Xero",
        max_length=255,
        error_messages={"max_length": "A Xero contact name can have at most 255 characters."},
    )


class XeroOverridesForm(PlainLabels, forms.Form):
    """The vendor's own product account code and tax type; choices from Xero, checked by the service."""

    account_code_override = forms.CharField(label="Account code for product lines", required=False, max_length=10)
    tax_type_override = forms.CharField(label="Tax type", required=False, max_length=50)

    def __init__(self, *args, link, lists, read_only: bool = False, **kwargs):
        initial = {"account_code_override": link.account_code_override, "tax_type_override": link.tax_type_override}
        super().__init__(*args, initial=initial, **kwargs)
        self.lists = lists
        if lists is not None:
            account_choices = lists.account_choices(saved=link.account_code_override, blank="Use Setup › Accounting")
            tax_choices = lists.tax_choices(saved=link.tax_type_override, blank="Use Setup › Accounting")
            self.fields["account_code_override"].widget = forms.Select(choices=account_choices)
            self.fields["tax_type_override"].widget = forms.Select(choices=tax_choices)
        if read_only or lists is None:
            for field in self.fields.values():
                field.disabled = True

    def warnings(self) -> list[str]:
        """The vendor's saved coding that Xero would refuse now (archived since, say), before a bill is refused."""
        if self.lists is None:
            return []
        account, tax_type = self.initial["account_code_override"], self.initial["tax_type_override"]
        found = [
            self.lists.account_problem(account) if account else "",
            self.lists.tax_problem(tax_type) if tax_type else "",
        ]
        return [f"Saved for this vendor but refused by Xero now: {problem}" for problem in found if problem]
