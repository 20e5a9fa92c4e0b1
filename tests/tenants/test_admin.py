import pytest
from tests.platform_admin.support import operator_make, operator_sign_in

ADMIN_PAGES = [
    "/admin/tenants/municipality/",
    "/admin/tenants/department/",
    "/admin/procedures/procedure/",
    "/admin/procedures/procedureversion/",
    "/admin/tenants/staffmembership/",
    "/admin/tenants/staffmembership/add/",
    "/admin/tenants/staffapitoken/",
]


@pytest.fixture
def operator(client, municipalities):
    """A platform operator signed in with password and TOTP."""
    user = operator_make()
    operator_sign_in(client, user)
    return user


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_platform_operator_sees_every_municipalitys_rows_in_the_admin(client, operator, municipalities, path):
    response = client.get(path)
    assert response.status_code == 200


def test_the_admin_lists_procedures_of_both_municipalities(client, operator, municipalities):
    page = client.get("/admin/procedures/procedure/?q=inkan").content.decode()
    assert page.count("inkan-certificate") >= 2


def test_the_admin_needs_a_login(client, municipalities):
    assert client.get("/admin/tenants/municipality/").status_code == 302
