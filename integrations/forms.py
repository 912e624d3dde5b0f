from django import forms

from integrations.models import XeroAccount


class XeroAccountForm(forms.ModelForm):
    class Meta:
        model = XeroAccount
        fields = ["name"]

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account

    def validate_unique(self):
        # The account is not a form field, so check (account, name) ourselves with a plain message.
        if (
            XeroAccount.objects.for_account(self.instance.account)
            .filter(name__iexact=self.cleaned_data.get("name", ""))
            .exists()
        ):
            self.add_error("name", "You already have a Xero account with this name.")
