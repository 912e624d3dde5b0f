"""Setup > Accounting forms. Choices come from Xero's live lists; the form accepts any code and the
service (accounting/setup.py) checks it against Xero, so a refusal is explained, not "invalid choice"."""

from decimal import Decimal

from django import forms

from accounting.setup.models import AccountingSettings, BillStatus, LineAmountType
from accounting.setup.services import SettingsInput
from integrations.models import XeroAccount
from integrations.xero.bank_accounts import BankAccount
from integrations.xero_lists import XeroLists


class PlainLabels:
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


FORM_ID = "accounting-settings-form"  # the Xero account's select, shown in its own card, belongs to this one form


def tax_field_name(rate: Decimal) -> str:
    return "tax_" + f"{rate:.2f}".replace(".", "_")


def _suggested_tax_type(lists: XeroLists, rate: Decimal) -> str:
    """The expense tax rate with the same percentage, when there is exactly one."""
    same = [r.tax_type for r in lists.expense_tax_rates() if r.rate == rate]
    return same[0] if len(same) == 1 else ""


class AccountingSettingsForm(PlainLabels, forms.Form):
    auto_sync_dropship = forms.BooleanField(label="Automatically sync dropship invoices", required=False)
    auto_sync_replenishment = forms.BooleanField(label="Automatically sync replenishment invoices", required=False)
    line_amount_type = forms.ChoiceField(label="Amounts are", choices=LineAmountType.choices)
    bill_status = forms.ChoiceField(label="Create bills as", choices=BillStatus.choices)
    due_date_from_terms = forms.BooleanField(label="Due date from the vendor's payment terms", required=False)
    record_payments = forms.BooleanField(label="Record payments in Xero when an invoice is marked paid", required=False)
    attach_documents = forms.BooleanField(label="Attach the invoice document to bills", required=False)

    xero_account = forms.ModelChoiceField(
        queryset=XeroAccount.objects.none(),
        label="Xero account",
        required=False,
        empty_label="Choose a connected Xero account…",
        widget=forms.Select(attrs={"form": FORM_ID}),
    )

    def __init__(
        self,
        *args,
        settings: AccountingSettings,
        lists: XeroLists | None,
        rates: list[Decimal],
        mappings: dict[Decimal, str],
        bank_accounts: list[BankAccount] | None = None,
        xero_accounts: list[XeroAccount] = (),
        **kwargs,
    ):
        initial = {
            name: getattr(settings, name)
            for name in (
                "auto_sync_dropship",
                "auto_sync_replenishment",
                "line_amount_type",
                "bill_status",
                "due_date_from_terms",
                "sync_adjustments",
                "product_account_code",
                "shipping_account_code",
                "record_payments",
                "attach_documents",
            )
        }
        initial["payment_account"] = settings.payment_account_id
        initial["xero_account"] = settings.xero_account_id
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["xero_account"].queryset = XeroAccount.objects.filter(pk__in=[x.pk for x in xero_accounts])
        self.fields["xero_account"].label_from_instance = lambda x: f"{x.name} ({x.tenant_name})"
        self.settings, self.lists, self.rates, self.mappings = settings, lists, rates, mappings
        self.bank_accounts = {account.account_id: account for account in bank_accounts or []}
        if bank_accounts is not None:
            self.fields["payment_account"] = forms.ChoiceField(
                label="Record payments from (Xero bank account)",
                required=False,
                choices=[("", "Choose a bank account…")] + [(a.account_id, a.label) for a in bank_accounts],
            )
        if settings.adjustments_enabled_by_staff:
            self.fields["sync_adjustments"] = forms.BooleanField(label="Sync adjustments", required=False)
        self.tax_fields: list[tuple[Decimal, str]] = []
        if lists is None:
            return  # Xero unreachable (or no Xero account): the saved codes stay as they are
        for name, label in (
            ("product_account_code", "Account code for product lines"),
            ("shipping_account_code", "Account code for shipping lines"),
        ):
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=10,
                widget=forms.Select(choices=lists.account_choices(saved=initial[name])),
            )
        for rate in rates:
            name = tax_field_name(rate)
            saved = mappings.get(rate, "")
            self.fields[name] = forms.CharField(
                label=f"Onport tax rate {rate.normalize():f}%",
                required=False,
                max_length=50,
                widget=forms.Select(choices=lists.tax_choices(saved=saved)),
            )
            self.initial[name] = saved or _suggested_tax_type(lists, rate)
            self.tax_fields.append((rate, name))

    def tax_rows(self) -> list:
        return [(rate, self[name]) for rate, name in self.tax_fields]

    def warnings(self) -> list[str]:
        """Saved values Xero would now refuse (archived since, say)."""
        if self.lists is None:
            return []
        found = [
            self.lists.account_problem(self.initial[name])
            for name in ("product_account_code", "shipping_account_code")
            if self.initial.get(name)
        ]
        found += [self.lists.tax_problem(tax_type) for tax_type in self.mappings.values() if tax_type]
        return [f"Saved in Onport but refused by Xero now: {problem}" for problem in found if problem]

    def to_input(self) -> SettingsInput:
        data = self.cleaned_data
        return SettingsInput(
            auto_sync_dropship=data["auto_sync_dropship"],
            auto_sync_replenishment=data["auto_sync_replenishment"],
            line_amount_type=data["line_amount_type"],
            bill_status=data["bill_status"],
            due_date_from_terms=data["due_date_from_terms"],
            sync_adjustments=data.get("sync_adjustments") if "sync_adjustments" in self.fields else None,
            product_account_code=data.get("product_account_code") if self.lists else None,
            shipping_account_code=data.get("shipping_account_code") if self.lists else None,
            tax_types={rate: data.get(name, "") for rate, name in self.tax_fields} if self.lists else None,
            record_payments=data["record_payments"],
            attach_documents=data["attach_documents"],
            payment_account=self.bank_accounts.get(data.get("payment_account") or ""),
            xero_account=data.get("xero_account"),
        )

    def add_refusal(self, refused) -> None:
        """Show why nothing was saved, next to each refused choice (kept visible in its list)."""
        if refused.message:
            self.add_error(None, refused.message)
        fields = dict(self.tax_fields)
        problems = {**refused.errors, **{fields.get(rate): message for rate, message in refused.tax_errors.items()}}
        for name, message in problems.items():
            if (
                name in self.fields
                and self.data.get(name)
                and hasattr(self.fields[name].widget, "choices")
                and name != "xero_account"
            ):
                widget = self.fields[name].widget
                widget.choices = [(self.data[name], f"{self.data[name]} – refused by Xero"), *widget.choices]
            self.add_error(name if name in self.fields else None, message)
