import pytest
from django.http import HttpRequest
from django.test import Client

from tests.factories import PASSWORD, AccountFactory, MembershipFactory, VendorFactory

pytest_plugins = [
    "tests.fixtures.ci_loud",
    "tests.fixtures.xero_sandbox",
    "tests.fixtures.xero_connect",
    "tests.fixtures.accounting",
]


@pytest.fixture(autouse=True)
def xero_limits_reset():
    """Each test starts with Xero's budgets untouched: a 429 in one test must not block the next."""
    from integrations.xero.ratelimit import limits_reset

    limits_reset()


@pytest.fixture
def account(db):
    return AccountFactory(name="Demo Retail")


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Other Retail")


def _client_for(account, role):
    membership = MembershipFactory(account=account, role=role)
    client = Client()
    # axes' backend checks the lockout of the request that logs in: `client.login` has none, so it gets a bare one
    assert client.login(request=HttpRequest(), username=membership.user.username, password=PASSWORD)
    client.user = membership.user
    return client


@pytest.fixture
def admin_client_(account):
    """Logged in as an admin of `account` (named with a trailing _ to leave pytest-django's admin_client alone)."""
    return _client_for(account, "admin")


@pytest.fixture
def finance_client(account):
    return _client_for(account, "finance")


@pytest.fixture
def viewer_client(account):
    return _client_for(account, "viewer")


@pytest.fixture
def vendor(account):
    return VendorFactory(account=account)


@pytest.fixture(params=["redis", "process"])
def store(request, settings):
    """Run the test against both stores of cross-process state: Redis, and the process (no Redis)."""
    if request.param == "redis" and not settings.REDIS_URL:
        pytest.skip("cross-process state lives in Redis (set REDIS_URL)")
    if request.param == "process":
        settings.REDIS_URL = ""
    return settings
