import pytest
from tests.backoffice.conftest import login_staff  # noqa: F401 (the back office's sign-in fixture)
from tests.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn
from tests.signatures.conftest import document_pki, documents_configured  # noqa: F401 (fixtures)


@pytest.fixture
def stripe_standin():
    standin = StripeStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def stripe_configured(settings, stripe_standin):
    """The deployment's provider is Stripe, pointed at the local stand-in."""
    settings.MADOGUCHI_PAYMENT_PROVIDER = "stripe"
    settings.MADOGUCHI_PAYMENT_PROVIDER_OPTIONS = {
        "secret_key": SECRET_KEY,
        "webhook_secret": WEBHOOK_SECRET,
        "api_base": stripe_standin.url,
    }
    return stripe_standin
