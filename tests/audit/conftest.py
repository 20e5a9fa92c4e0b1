import pytest
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

ENTRIES = 4


@pytest.fixture
def chain(aoba, version_of, now):
    """青葉市's chain with four entries (four submitted applications); 港川市's stays empty."""
    version = version_of(aoba, "inkan-certificate")
    for i in range(ENTRIES):
        case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key=f"audit-{i}", now=now)
    return aoba
