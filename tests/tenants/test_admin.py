import pytest
from django.contrib.auth import get_user_model

ADMIN_PAGES = [
    "/admin/tenants/municipality/",
    "/admin/tenants/department/",
    "/admin/procedures/procedure/",
    "/admin/procedures/procedureversion/",
    "/admin/cases/case/",
    "/admin/tenants/staffmembership/",
    "/admin/tenants/staffmembership/add/",
    "/admin/tenants/staffapitoken/",
]


@pytest.fixture
def operator(client, db):
    user = get_user_model().objects.create_superuser("operator", "op@example.jp", "a-long-password-123")
    client.force_login(user)
    return user


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_platform_operator_sees_every_municipalitys_rows_in_the_admin(client, operator, municipalities, path):
    response = client.get(path)
    assert response.status_code == 200


def test_the_admin_lists_procedures_of_both_municipalities(client, operator, municipalities):
    page = client.get("/admin/procedures/procedure/?q=inkan").content.decode()
    assert page.count("inkan-certificate") >= 2


def test_the_admin_needs_a_login(client, municipalities):
    assert client.get("/admin/cases/case/").status_code == 302
