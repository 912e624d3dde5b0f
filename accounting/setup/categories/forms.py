"""Forms of Setup > Accounting › Product categories. The codes form offers Xero's live list and accepts any code:
the service checks it against Xero, so a refusal is explained rather than "invalid choice"."""

from typing import cast

from django import forms

from accounting.setup.categories.services import NAME_MAX, CategoryCodesRefused
from accounting.setup.forms import PlainLabels
from integrations.xero_lists import XeroLists
from invoicing.models import ProductCategory

TAKE_OUT = "none"
DEFAULT_CODE = "Setup > Accounting's code for product lines"


class CategoryNameForm(PlainLabels, forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)


class SkusForm(PlainLabels, forms.Form):
    """SKUs ticked among those seen on purchase orders without a category, and any typed one per line."""

    category = forms.ChoiceField(label="Put them in")
    seen = forms.MultipleChoiceField(
        label="SKUs on your purchase orders that have no category yet",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    typed = forms.CharField(
        label="Or type SKUs, one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
        help_text="A SKU already in another category moves to this one.",
    )

    def __init__(self, *args, categories: list[ProductCategory], seen: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "Choose a category…"),
            *[(str(category.pk), category.name) for category in categories],
            (TAKE_OUT, "No category (take them out of theirs)"),
        ]
        cast(forms.ChoiceField, self.fields["seen"]).choices = [(sku, sku) for sku in seen]
        self.categories = {str(category.pk): category for category in categories}

    def clean(self):
        data = super().clean()
        if not data.get("seen") and not (data.get("typed") or "").strip():
            raise forms.ValidationError("Tick or type at least one SKU.")
        return data

    def chosen_category(self) -> ProductCategory | None:
        return self.categories.get(self.cleaned_data["category"])

    def skus(self) -> list[str]:
        return [*self.cleaned_data["seen"], *self.cleaned_data["typed"].splitlines()]


def code_field_name(category: ProductCategory) -> str:
    return f"code_{category.pk}"


class CategoryCodesForm(PlainLabels, forms.Form):
    """One account code per category, from the live list of the Xero account in Setup > Accounting. Without the
    list (Xero unreachable) the form has no fields: the page shows the saved codes read-only."""

    def __init__(
        self, *args, categories: list[ProductCategory], codes: dict[int, str], lists: XeroLists | None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.categories, self.codes, self.lists = categories, codes, lists
        if lists is None:
            return
        for category in categories:
            saved = codes.get(category.pk, "")
            name = code_field_name(category)
            self.fields[name] = forms.CharField(
                label=category.name,
                required=False,
                max_length=10,
                widget=forms.Select(choices=lists.account_choices(saved=saved, blank=DEFAULT_CODE)),
            )
            self.initial[name] = saved

    def rows(self) -> list:
        return [(category, self[code_field_name(category)]) for category in self.categories]

    def to_codes(self) -> dict[int, str]:
        return {category.pk: self.cleaned_data.get(code_field_name(category), "") for category in self.categories}

    def warnings(self) -> list[str]:
        """Saved codes Xero would now refuse (archived since, say): bills of these categories would be refused."""
        if self.lists is None:
            return []
        found = [
            (category.name, problem)
            for category in self.categories
            if (code := self.codes.get(category.pk)) and (problem := self.lists.account_problem(code))
        ]
        return [f"Saved in Onport but refused by Xero now, for '{name}': {problem}" for name, problem in found]

    def add_refusal(self, refused: CategoryCodesRefused) -> None:
        """Why nothing was saved, next to each refused code (kept visible in its list)."""
        if refused.message:
            self.add_error(None, refused.message)
        names = {category.pk: code_field_name(category) for category in self.categories}
        for category_id, message in refused.errors.items():
            name = names[category_id]
            widget = self.fields[name].widget
            code = self.data.get(name, "")
            widget.choices = [(code, f"{code} – refused by Xero"), *widget.choices]
            self.add_error(name, message)
