"""Two admins naming a new Xero account the same at the same moment: one is made, the other gets a form error."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from integrations.models import XeroAccount
from integrations.services import NAME_TAKEN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL's row locks"),
]


def _someone_waits_on_a_lock(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_the_second_of_two_identical_new_xero_accounts_answers_a_form_error_not_500(account, admin_client_):
    inserted, release, answers = threading.Event(), threading.Event(), []

    def first_admin():  # its insert is in, not yet committed: the second admin's check cannot see it
        try:
            with transaction.atomic():
                XeroAccount.objects.create(account=account, name="Main entity")
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second_admin():
        try:
            answers.append(admin_client_.post(reverse("integrations:xero_account_create"), {"name": "Main entity"}))
        finally:
            connections.close_all()

    first = threading.Thread(target=first_admin)
    first.start()
    assert inserted.wait(10)
    second = threading.Thread(target=second_admin)
    second.start()
    assert _someone_waits_on_a_lock()  # the second insert waits on the first's unique index entry
    release.set()
    first.join()
    second.join()

    [answer] = answers
    assert answer.status_code == 400 and NAME_TAKEN in answer.content.decode()
    assert XeroAccount.objects.filter(account=account, name="Main entity").count() == 1
