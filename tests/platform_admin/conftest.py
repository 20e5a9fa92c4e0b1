import pytest
from tests.backoffice.conftest import login_staff, staff_member  # noqa: F401 - fixtures used here too
from tests.platform_admin.support import operator_make, operator_sign_in


@pytest.fixture
def operator(db, municipalities):
    """A platform operator (superuser, no municipality) with an authenticator, not signed in."""
    return operator_make()


@pytest.fixture
def operator_client(client, operator):
    """``client`` signed in as the operator with both factors."""
    operator_sign_in(client, operator)
    return client
