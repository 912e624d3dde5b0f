"""Forms of Setup > Accounting › Currencies. The currency is typed (or picked from the organisation's list) and
checked by the service, so a refusal says why rather than "invalid choice"."""

from django import forms

from accounting.setup.forms import PlainLabels
from accounting.setup.models import CurrencyRateSource


class RateSourceForm(PlainLabels, forms.Form):
    source = forms.ChoiceField(
        label="Exchange rate for foreign-currency bills",
        choices=CurrencyRateSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Xero's day rate or Onport's rate at the invoice date."},
    )


class ExchangeRateForm(PlainLabels, forms.Form):
    currency = forms.CharField(
        label="Currency",
        max_length=10,
        error_messages={"required": "Give the currency as its 3-letter code, such as EUR."},
    )
    rate_date = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the day the rate applies from.", "invalid": "Give the day as YYYY-MM-DD."},
    )
    rate = forms.DecimalField(
        label="Rate",
        help_text="Units of this currency one unit of the base currency buys (1 GBP = 1.165 EUR: 1.165).",
        error_messages={
            "required": "Give the rate, such as 1.165.",
            "invalid": "Give the rate as a number, such as 1.165.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs["list"] = "enabled-currencies"  # offered on the page, typed freely
