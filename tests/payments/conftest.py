from tests.backoffice.conftest import login_staff  # noqa: F401 (the back office's sign-in fixture)
from tests.signatures.conftest import document_pki, documents_configured  # noqa: F401 (fixtures)
