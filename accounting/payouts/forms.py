"""Forms of automated vendor payout: they parse input; the rules live in accounting.payouts."""

from decimal import Decimal

from django import forms

from accounting.payouts.bank import BankDetailsInput
from accounting.payouts.currencies import currency_field_name
from accounting.payouts.models import PayoutSchedule
from accounting.payouts.setup import PayoutSettingsInput
from integrations.xero.bank_accounts import BankAccount


class LiveBankAccountField(forms.ChoiceField):
    """Offers the bank accounts in one currency, but takes any of Xero's live ones, so that another currency's
    account gets the service's plain refusal rather than Django's "Select a valid choice"."""

    def __init__(self, *args, live_ids: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.live_ids = live_ids

    def valid_value(self, value) -> bool:
        return value in self.live_ids or super().valid_value(value)


class PayoutSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Run payouts on the schedule", required=False)
    schedule = forms.ChoiceField(choices=PayoutSchedule.choices)
    delay_days = forms.IntegerField(
        label="Pay invoices this many days after they are issued", min_value=0, max_value=365
    )
    bank_account = forms.ChoiceField(label="Record payments from (Xero bank account)", required=False)
    minimum_amount = forms.DecimalField(
        label="Minimum amount per vendor",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        help_text="In each vendor's own currency: 50.00 is €50.00 for a EUR vendor and £50.00 for a GBP one. "
        "Vendors owed less wait for a later run.",
    )
    payer_name = forms.CharField(label="Your account holder name", max_length=70, required=False)
    payer_iban = forms.CharField(
        label="Your IBAN",
        max_length=42,
        required=False,
        help_text="For the SEPA file of EUR payouts. Leave empty to keep the one saved.",
    )
    payer_bic = forms.CharField(label="Your BIC", max_length=11, required=False)

    def __init__(
        self,
        *args,
        bank_accounts: list[BankAccount] | None,
        current_code: str = "",
        current_label: str = "",
        currencies: tuple[str, ...] = (),
        saved_currency_labels: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.bank_accounts = {account.account_id: account for account in bank_accounts or []}
        self.live = bank_accounts is not None
        choices = [("", "— choose —")] + [(account.account_id, account.label) for account in bank_accounts or []]
        if bank_accounts is None and current_code:
            choices.append(("", current_label))  # Xero unreachable: keep what is saved
        self.fields["bank_account"].choices = choices
        self.currencies = tuple(currencies)
        saved = saved_currency_labels or {}
        for currency in self.currencies:
            offered = [(a.account_id, a.label) for a in bank_accounts or [] if a.currency == currency]
            if bank_accounts is None and currency in saved:
                offered = [("", saved[currency])]  # Xero unreachable: keep what is saved
            self.fields[currency_field_name(currency)] = LiveBankAccountField(
                label=f"Pay {currency} invoices from",
                required=False,
                choices=[("", "— none chosen —")] + offered,
                live_ids=set(self.bank_accounts),
                help_text=f"Xero records payments of {currency} invoices from a {currency} bank account, so only "
                f"those are offered. Without one, {currency} vendors are skipped by payout runs."
                + (
                    f" Xero has no {currency} bank account yet: add one in Xero › Accounting › Chart of accounts, "
                    "then reload this page."
                    if self.live and not offered
                    else ""
                ),
            )

    @property
    def currency_fields(self) -> list:
        return [self[currency_field_name(currency)] for currency in self.currencies]

    def to_input(self, *, saved_iban: str, saved_bic: str) -> PayoutSettingsInput:
        data = self.cleaned_data
        return PayoutSettingsInput(
            enabled=data["enabled"],
            schedule=data["schedule"],
            delay_days=data["delay_days"],
            bank_account=self.bank_accounts.get(data["bank_account"]),
            minimum_amount=data["minimum_amount"],
            payer_name=data["payer_name"],
            payer_iban=data["payer_iban"] or saved_iban,
            payer_bic=data["payer_bic"] or saved_bic,
            currency_accounts={
                currency: self.bank_accounts.get(data[currency_field_name(currency)]) for currency in self.currencies
            }
            if self.live
            else None,
        )

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class VendorBankDetailsForm(forms.Form):
    """Never shows saved numbers back: the page shows them masked, and a change is entered in full."""

    holder_name = forms.CharField(label="Account holder", max_length=70)
    country = forms.CharField(
        label="Bank country",
        max_length=2,
        required=False,
        help_text="Two letters, e.g. DE. Read from the IBAN when there is one.",
    )
    iban = forms.CharField(label="IBAN", max_length=42, required=False)
    bic = forms.CharField(label="BIC", max_length=11, required=False)
    account_number = forms.CharField(
        label="Account number",
        max_length=34,
        required=False,
        help_text="Outside IBAN countries; in the UK, with the sort code.",
    )
    bank_code = forms.CharField(
        label="Bank code", max_length=20, required=False, help_text="Sort code (UK), routing number, BSB…"
    )

    def to_input(self) -> BankDetailsInput:
        return BankDetailsInput(**self.cleaned_data)

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class LineFailedForm(forms.Form):
    reason = forms.CharField(
        label="What the bank said",
        max_length=255,
        required=False,
        error_messages={"max_length": "Say what the bank said in at most 255 characters; nothing was marked."},
    )
