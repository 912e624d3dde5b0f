import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations.models import XeroAccount

pytestmark = pytest.mark.django_db


def _stored(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM integrations_xeroaccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_secrets_survive_a_key_rotation_and_are_re_encrypted_with_the_new_key(account, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    xero_account = XeroAccount.objects.create(account=account, name="Main", refresh_token="secret-refresh-token")
    assert Fernet(old_key.encode()).decrypt(_stored(xero_account.pk).encode()) == b"secret-refresh-token"

    # given a new key prepended: old values still read
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert XeroAccount.objects.get(pk=xero_account.pk).refresh_token == "secret-refresh-token"

    # when rotated, the stored value is under the new key and the old key can go
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))
    assert Fernet(new_key.encode()).decrypt(_stored(xero_account.pk).encode()) == b"secret-refresh-token"
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert XeroAccount.objects.get(pk=xero_account.pk).refresh_token == "secret-refresh-token"


def test_empty_secrets_stay_empty(account):
    xero_account = XeroAccount.objects.create(account=account, name="Main")
    assert _stored(xero_account.pk) == "" and XeroAccount.objects.get(pk=xero_account.pk).access_token == ""
