import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django_scopes import ScopeError, scope

from madoguchi.jp.codes import is_prefecture_code, is_valid_lg_code, lg_code_check_digit
from madoguchi.tenants.models import Department, Municipality
from madoguchi.tenants.scoping import is_municipality_scoped


@pytest.mark.parametrize("code", ["131016", "011002", "090000", "110001", "082015", "082023", "080004", "472018"])
def test_real_local_government_codes_are_valid(code):
    assert is_valid_lg_code(code)


@pytest.mark.parametrize("code", ["131017", "13101", "1310166", "abcdef", "", "481001", "001007"])
def test_codes_with_wrong_check_digit_length_or_prefecture_are_invalid(code):
    assert not is_valid_lg_code(code)


def test_check_digit_follows_the_modulus_11_rule():
    assert lg_code_check_digit("13101") == 6
    assert lg_code_check_digit("09000") == 0  # remainder 1
    assert lg_code_check_digit("11000") == 1  # remainder 0


def test_prefecture_codes_have_body_000():
    assert is_prefecture_code("080004")
    assert not is_prefecture_code("082015")


def test_municipality_refuses_an_invalid_code(aoba):
    aoba.code = "082016"
    with pytest.raises(ValidationError) as excinfo:
        aoba.full_clean()
    assert "code" in excinfo.value.message_dict


def test_municipality_code_must_belong_to_its_prefecture(aoba):
    aoba.code = "131016"
    with pytest.raises(ValidationError):
        aoba.full_clean()


def tenant_owned_models():
    for model in apps.get_models():
        if model is Municipality:
            continue
        for field in model._meta.get_fields():
            owning = field.is_relation and field.related_model is Municipality and field.concrete
            if owning and (field.many_to_one or field.one_to_one):
                yield model
                break


def test_every_tenant_owned_model_has_a_scoped_default_manager():
    owned = list(tenant_owned_models())
    assert len(owned) >= 8  # departments, procedures, versions, cases, attachments, counters, audit …
    unscoped = [m.__name__ for m in owned if not is_municipality_scoped(m._default_manager)]
    assert unscoped == []


@pytest.mark.django_db
def test_an_unscoped_query_on_a_tenant_owned_model_fails_closed(municipalities):
    with pytest.raises(ScopeError):
        list(Department.objects.all())


def test_for_municipality_returns_only_that_municipalitys_rows(aoba, minatogawa):
    aoba_departments = Department.objects.for_municipality(aoba)
    assert aoba_departments.count() == 10
    assert set(aoba_departments.values_list("municipality_id", flat=True)) == {aoba.pk}


def test_for_municipality_of_another_municipality_inside_a_scope_raises(aoba, minatogawa):
    """Regression (issue 10): inside 青葉市's scope, asking for 港川市's rows explicitly was answered."""
    with scope(municipality=aoba):
        assert Department.objects.for_municipality(aoba).count() == 10
        with pytest.raises(ScopeError):
            Department.objects.for_municipality(minatogawa)


def test_for_municipality_inside_a_scope_of_several_municipalities_allows_each_of_them(aoba, minatogawa):
    with scope(municipality=[aoba.pk, minatogawa.pk]):
        assert Department.objects.for_municipality(minatogawa).count() == 10


def test_for_municipality_refuses_none():
    with pytest.raises(ValueError):
        Department.objects.for_municipality(None)
