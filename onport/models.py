from django.conf import settings
from django.db import models

from onport.validators import no_control_characters


class Plan(models.TextChoices):
    STARTER = "starter", "Starter"
    ADVANCE = "advance", "Advance"
    PLUS = "plus", "Plus"


PLAN_ORDER = [Plan.STARTER, Plan.ADVANCE, Plan.PLUS]


class Account(models.Model):
    """One customer of the platform: a retailer or a marketplace."""

    name = models.CharField(max_length=200, validators=[no_control_characters])
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.STARTER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def plan_at_least(self, plan: str) -> bool:
        return PLAN_ORDER.index(self.plan) >= PLAN_ORDER.index(plan)


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FINANCE = "finance", "Finance"
    VIEWER = "viewer", "Viewer"


# What each role may do; a view names the capability it needs.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({"view"}),
    Role.FINANCE: frozenset({"view", "finance"}),
    Role.ADMIN: frozenset({"view", "finance", "admin"}),
}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    # Notifications > the emails an admin or finance member gets about this account (viewers get none).
    email_sync_stops = models.BooleanField("email me at once when an automatic sync needs a person", default=True)
    email_daily_digest = models.BooleanField("email me a daily digest of what waits for a person", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="membership_unique_user_account")]
        ordering = ["account__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    def can(self, capability: str) -> bool:
        return capability in ROLE_CAPABILITIES[self.role]


class NumberSequence(models.Model):
    """A per-account counter (invoice numbers, PO numbers), advanced under a row lock."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sequences")
    name = models.CharField(max_length=50)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="sequence_unique_account_name")]


class SubmitToken(models.Model):
    """A form's one-time token, claimed in the transaction of the work it started: the same form submitted again
    (a double click, a resent page, two tabs) finds it and does nothing twice."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "token"], name="submit_token_unique")]
        indexes = [models.Index(fields=["created_at"], name="submit_token_created")]
