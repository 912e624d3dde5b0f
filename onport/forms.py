from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil

from onport.mail import mail_later
from onport.submits import TOKEN_LENGTH, submit_token_new


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordResetEmailForm(PasswordResetForm):
    """Django's reset form, its email queued like every other (no SMTP wait that tells which emails exist)
    and its link built from PUBLIC_BASE_URL, never from the request's Host header."""

    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ) -> None:
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        now = timezone.now()
        lifetime = timeuntil(now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), now).replace("\xa0", " ")
        context = {**context, "reset_url": f"{settings.PUBLIC_BASE_URL}{path}", "link_lifetime": lifetime}
        mail_later(
            subject=render_to_string(subject_template_name, context),
            message=render_to_string(email_template_name, context),
            recipients=[to_email],
            what="password reset",
        )


class NotificationsForm(forms.Form):
    sync_stops = forms.BooleanField(label="Email me at once when an automatic sync needs a person", required=False)
    daily_digest = forms.BooleanField(label="Email me each morning what still waits for a person", required=False)


class SubmitOnceField(forms.CharField):
    """The hidden one-time token of a form that creates money or Xero documents (see onport.submits)."""

    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.HiddenInput, required=False, max_length=TOKEN_LENGTH, initial=submit_token_new, **kwargs
        )
