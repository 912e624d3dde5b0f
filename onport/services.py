from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from onport.models import Account, Membership, NumberSequence


def sequence_reserve(*, account: Account, name: str, count: int) -> int:
    """Reserve `count` consecutive values of the account's named counter; returns the first.

    Safe under concurrency: the UPDATE takes the row lock until the transaction ends.
    """
    with transaction.atomic():
        NumberSequence.objects.get_or_create(account=account, name=name)
        NumberSequence.objects.filter(account=account, name=name).update(last_value=F("last_value") + count)
        last = NumberSequence.objects.values_list("last_value", flat=True).get(account=account, name=name)
    return last - count + 1


def sequence_next(*, account: Account, name: str) -> int:
    return sequence_reserve(account=account, name=name, count=1)


def user_create(*, email: str, password: str, **extra):
    email = email.strip().lower()
    return get_user_model().objects.create_user(username=email, email=email, password=password, **extra)


def membership_set(*, user, account: Account, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, account=account, defaults={"role": role})
    return membership


def membership_notifications_set(*, membership: Membership, sync_stops: bool, daily_digest: bool) -> Membership:
    """The member's own choice of the account's emails (Notifications page)."""
    membership.email_sync_stops, membership.email_daily_digest = sync_stops, daily_digest
    membership.save(update_fields=["email_sync_stops", "email_daily_digest"])
    return membership
