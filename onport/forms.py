from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class NotificationsForm(forms.Form):
    sync_stops = forms.BooleanField(label="Email me at once when an automatic sync needs a person", required=False)
    daily_digest = forms.BooleanField(label="Email me each morning what still waits for a person", required=False)
