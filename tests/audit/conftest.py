import pytest
from tests.cases.test_submit import INKAN

from madoguchi.cases.services import case_submit

ENTRIES = 4


@pytest.fixture
def chain(aoba, version_of, now):
    """青葉市's chain with four entries (four submitted applications); 港川市's stays empty."""
    version = version_of(aoba, "inkan-certificate")
    for i in range(ENTRIES):
        case_submit(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key=f"audit-{i}", now=now)
    return aoba
