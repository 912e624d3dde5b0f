import pytest

from integrations.xero.sandbox import seed


@pytest.fixture
def xero(xero_sandbox):
    """xero-python clients connected (over the real OAuth flow) to both demo organisations."""
    return xero_sandbox.sdk(xero_sandbox.connect())


@pytest.fixture
def uk(xero_sandbox):
    return xero_sandbox.uk_tenant_id


@pytest.fixture
def acme(xero_sandbox):
    """A seeded, active UK supplier."""
    return xero_sandbox.seeded_contact_id(seed.UK_TENANT_ID, "Acme Packaging Ltd")
