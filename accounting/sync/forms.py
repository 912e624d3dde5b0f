from django import forms

from accounting.sync.models import SyncState
from accounting.sync.selectors import SyncLogFilter
from contacts.models import Vendor
from onport.request_values import ids_from


class SyncLogForm(forms.Form):
    state = forms.ChoiceField(label="Show", required=False, choices=[("", "Everything"), *SyncState.choices])
    vendor = forms.ModelChoiceField(
        label="Vendor", required=False, queryset=Vendor.objects.none(), empty_label="All vendors"
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    invoices = forms.CharField(required=False, widget=forms.HiddenInput)  # "12,13": a bulk sync's invoices

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.for_account(account).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "“To” is before “From”.")
        return cleaned

    def filters(self) -> SyncLogFilter:
        data = self.cleaned_data if self.is_valid() else {}
        vendor = data.get("vendor")
        return SyncLogFilter(
            state=data.get("state", ""),
            vendor_id=vendor.pk if vendor else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            invoice_ids=tuple(ids_from(data.get("invoices", "").split(","))),
        )
