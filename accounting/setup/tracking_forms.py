"""Setup > Accounting › Tracking: the form of one rule. Its choices come from Xero's list as read for the page; the
service checks the chosen option against Xero again on save."""

from django import forms

from accounting.setup.forms import PlainLabels
from accounting.setup.models import TrackingRuleKind
from accounting.setup.tracking import TrackingRuleInput
from contacts.models import Vendor, VendorKind
from integrations.xero.tracking import TrackingCategory


def _option_choices(categories: list[TrackingCategory]) -> list:
    groups = [
        (
            category.name,
            [(o.option_id, o.name) for o in sorted(category.options, key=lambda o: o.name.casefold()) if o.is_active],
        )
        for category in sorted(categories, key=lambda c: c.name.casefold())
        if category.is_active
    ]
    return [("", "Choose an option…")] + [group for group in groups if group[1]]


def _applies_to_choices(vendors: list[Vendor]) -> list:
    return [
        (TrackingRuleKind.DEFAULT, "Every bill (the category's default)"),
        (
            "By vendor kind",
            [(f"{TrackingRuleKind.VENDOR_KIND}:{kind}", f"All {label.lower()}s") for kind, label in VendorKind.choices],
        ),
        (
            "By the purchase order",
            [
                (TrackingRuleKind.SALES_CHANNEL, "Orders from the sales channel below"),
                (TrackingRuleKind.BRAND, "Orders of the brand below"),
            ],
        ),
        ("By vendor", [(f"{TrackingRuleKind.VENDOR}:{vendor.pk}", vendor.name) for vendor in vendors]),
    ]


class TrackingRuleForm(PlainLabels, forms.Form):
    # any id is accepted here: the service checks it against Xero's list read afresh, and says why when it refuses
    option_id = forms.CharField(label="Tracking option", max_length=64, widget=forms.Select)
    applies_to = forms.ChoiceField(label="For")
    match = forms.CharField(
        label="Sales channel or brand",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "tracking-seen-values"}),
        help_text="Only for a sales channel or brand rule: as written on purchase orders (upper or lower case alike).",
    )

    def __init__(self, *args, vendors: list[Vendor], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].choices = _applies_to_choices(vendors)

    def offer(self, categories: list[TrackingCategory]) -> None:
        """The options to choose from: the active ones of the active categories, as Xero listed them for the page."""
        self.fields["option_id"].widget.choices = _option_choices(categories)

    def to_input(self) -> TrackingRuleInput:
        data = self.cleaned_data
        return TrackingRuleInput(option_id=data["option_id"], applies_to=data["applies_to"], match=data["match"])
