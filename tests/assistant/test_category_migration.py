"""The data migration that made FAQ categories per municipality: entries of earlier releases keep
their category, labelled as the fixed list labelled it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assistant", "0001_initial")]
AFTER = [("assistant", "0002_faq_categories")]


@pytest.fixture
def latest_schema_after():
    yield
    # the tests after this one need every migration applied again
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_entries_keep_their_categories(city, latest_schema_after):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    entry_model = old.get_model("assistant", "FaqEntry")
    entry_model.objects.create(municipality_id=city.pk, external_id="tax-001", category="tax", status="published")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    categories = {
        c.key: c.labels for c in new.get_model("assistant", "FaqCategory").objects.filter(municipality_id=city.pk)
    }
    assert len(categories) == 12
    assert categories["tax"] == {"ja": "税金", "en": "Taxes"}
    assert new.get_model("assistant", "FaqEntry").objects.get(external_id="tax-001").category == "tax"
