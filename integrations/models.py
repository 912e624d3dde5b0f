import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from onport.crypto import EncryptedTextField
from onport.models import Account
from onport.validators import no_control_characters


class XeroAccountStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    CONNECTED = "connected", "Connected"
    RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
    DISCONNECTED = "disconnected", "Disconnected"


class XeroAccountQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> "XeroAccountQuerySet":
        return self.filter(account=account)

    def needing_reconnect(self) -> "XeroAccountQuerySet":
        return self.filter(status=XeroAccountStatus.RECONNECT_NEEDED)


class XeroAccount(models.Model):
    """One Xero organisation connection of an Onport account ("Main entity", "Test organisation", …)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="xero_accounts")
    name = models.CharField(max_length=100, validators=[no_control_characters])
    status = models.CharField(max_length=20, choices=XeroAccountStatus.choices, default=XeroAccountStatus.NOT_CONNECTED)
    # The organisation chosen in the Tenant field.
    tenant_id = models.CharField(max_length=64, blank=True)
    tenant_name = models.CharField(max_length=255, blank=True)
    connection_id = models.CharField(max_length=64, blank=True, help_text="Xero's id of the connection (to delete it).")
    short_code = models.CharField(max_length=20, blank=True)
    base_currency = models.CharField(max_length=3, blank=True)
    # The currencies the organisation has enabled (GET /Currencies) as last read: a bill in another one is held
    # before any call. Empty until first read (then nothing is held on its account).
    enabled_currencies = models.JSONField(default=list, blank=True)
    currencies_read_at = models.DateTimeField(null=True, blank=True)
    # Xero's lock dates as last read (on choosing the Tenant, after a bill refused for its date): bills dated on
    # or before them are refused.
    period_lock_date = models.DateField(null=True, blank=True)
    end_of_year_lock_date = models.DateField(null=True, blank=True)
    # Organisations offered by the latest consent, until the admin confirms one.
    available_tenants = models.JSONField(default=list, blank=True)
    # The grant: tokens encrypted at rest, never logged, never sent to a browser.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    auth_event_id = models.CharField(max_length=64, blank=True)
    token_refreshed_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True, help_text="Last time GET /connections confirmed it.")
    problem = models.TextField(blank=True, help_text="Why a reconnect is needed, in plain words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = XeroAccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="xero_account_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("integrations:xero_account_detail", args=[self.pk])

    @property
    def lock_date(self) -> datetime.date | None:
        """The last day Xero keeps closed: the later of the period and end of year lock dates."""
        dates = [d for d in (self.period_lock_date, self.end_of_year_lock_date) if d]
        return max(dates) if dates else None

    @property
    def has_grant(self) -> bool:
        return bool(self.access_token)

    @property
    def is_timed_access(self) -> bool:
        """The 30-minute access: a grant without a refresh token (trial accounts or the consent option)."""
        return self.has_grant and not self.refresh_token

    @property
    def access_ends_at(self):
        return self.token_expires_at if self.is_timed_access else None

    @property
    def is_ready(self) -> bool:
        """Connected with a Tenant chosen and a grant that still works: syncing may use it."""
        if self.status != XeroAccountStatus.CONNECTED or not self.tenant_id or not self.has_grant:
            return False
        return not (self.is_timed_access and self.token_expires_at <= timezone.now())


class XeroAuthorization(models.Model):
    """One press of Connect: the single-use `state` and PKCE verifier, bound to user, account and Xero account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="authorizations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64, unique=True)
    code_verifier = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class XeroContactStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    ARCHIVED = "ARCHIVED", "Archived in Xero"
    GDPRREQUEST = "GDPRREQUEST", "Removed in Xero (GDPR)"


class XeroContact(models.Model):
    """The organisation's contacts, imported into Onport per Xero account (ids differ between organisations)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="contacts")
    contact_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    email = models.CharField(max_length=255, blank=True)
    tax_number = models.CharField(max_length=50, blank=True)
    contact_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=XeroContactStatus.choices, default=XeroContactStatus.ACTIVE)
    xero_updated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_account", "contact_id"], name="xero_contact_unique_id"),
        ]
        indexes = [
            models.Index(fields=["xero_account", "name"], name="xero_contact_name"),
            models.Index(fields=["xero_account", "email"], name="xero_contact_email"),
            models.Index(fields=["xero_account", "tax_number"], name="xero_contact_tax_number"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactImportState(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class XeroContactImport(models.Model):
    """One import of the organisation's contacts (the first in full, later ones incremental)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="contact_imports")
    state = models.CharField(max_length=10, choices=ContactImportState.choices, default=ContactImportState.RUNNING)
    modified_since = models.DateTimeField(null=True, blank=True, help_text="Empty for a full import.")
    pages_done = models.PositiveIntegerField(default=0)
    contacts_seen = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class VendorXeroLink(models.Model):
    """A vendor's Xero contact in one Xero account, and its coding overrides for bills."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("contacts.Vendor", on_delete=models.CASCADE, related_name="xero_links")
    xero_account = models.ForeignKey(XeroAccount, on_delete=models.CASCADE, related_name="vendor_links")
    contact_id = models.CharField(max_length=64)
    contact_name = models.CharField(max_length=255)
    renamed_from = models.CharField(
        max_length=255, blank=True, help_text="The contact's name when it was linked, if it was renamed in Xero since."
    )
    account_code_override = models.CharField("account code (products)", max_length=10, blank=True)
    tax_type_override = models.CharField("tax type", max_length=50, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "xero_account"], name="vendor_xero_link_unique"),
        ]


class XeroWebhookEvent(models.Model):
    """An event Xero's webhook sent (ids only), kept once however often Xero sends it, until it is processed.

    Not an account's row: one organisation may be connected to several Onport accounts; processing finds them."""

    tenant_id = models.CharField(max_length=36)
    category = models.CharField(max_length=20)  # INVOICE | CONTACT | CREDITNOTE
    event_type = models.CharField(max_length=10)  # CREATE | UPDATE
    resource_id = models.CharField(max_length=36)
    event_date = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "category", "resource_id", "event_type", "event_date"],
                name="xero_webhook_event_once",
            ),
        ]
        indexes = [
            models.Index(fields=["received_at"], condition=models.Q(processed_at=None), name="xero_webhook_pending"),
        ]
