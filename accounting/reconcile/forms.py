import datetime

from django import forms
from django.utils import timezone


def last_month() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    start_of_this_month = today.replace(day=1)
    start = (start_of_this_month - datetime.timedelta(days=1)).replace(day=1)
    return start, today


class ReconcileForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range is before its start.")
        return data
