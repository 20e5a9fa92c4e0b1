"""The demo software card the portal offers: only when the settings allow it and the demo PKI has it."""

from __future__ import annotations

import shutil

import pytest

from madoguchi.demo.selectors import demo_software_card_path

CARD_URL = "/demo/software-card.p12"


def test_the_demo_card_is_offered_when_enabled_and_made(signatures_configured, settings, client):
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = True
    assert demo_software_card_path() == signatures_configured / "software-card.p12"
    response = client.get(CARD_URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (signatures_configured / "software-card.p12").read_bytes()


def test_the_demo_card_is_not_offered_when_the_setting_is_off(signatures_configured, settings, client):
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = False
    assert demo_software_card_path() is None
    assert client.get(CARD_URL).status_code == 404


@pytest.mark.django_db
def test_the_demo_card_is_not_offered_where_no_demo_pki_was_made(demo_pki, tmp_path, settings, client):
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = True
    elsewhere = tmp_path / "pki"
    shutil.copytree(demo_pki, elsewhere)
    (elsewhere / "software-card.p12").unlink()
    settings.MADOGUCHI_SIGNATURES_FILE = str(elsewhere / "signatures.yaml")
    assert demo_software_card_path() is None
    assert client.get(CARD_URL).status_code == 404
