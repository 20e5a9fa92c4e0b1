"""Indexes for the staff queue at a million cases (docs/benchmarks.md, "Staff queue").

Composite indexes in queue order (newest first) for the status and assignee filters and a
partial one for open cases; on PostgreSQL also a trigram (pg_trgm) GIN index on the search
name without spaces, the expression ``case_queue`` searches with ``LIKE '%term%'``. SQLite
gets the B-tree indexes only. Building them takes about a minute at a million cases and
blocks writes to the case table meanwhile: run this migration outside office hours there.
"""

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SEARCH_INDEX = "case_search_trgm_idx"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON cases_case "
            "USING gin ((replace(search_name, ' ', '')) gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_disposal'),
        ('procedures', '0001_initial'),
        ('tenants', '0003_staffapitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['municipality', 'status', '-submitted_at', '-id'], name='case_status_queue_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['municipality', 'assignee', '-submitted_at', '-id'], name='case_assignee_queue_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ['submitted', 'in_review', 'correction_requested'])), fields=['municipality', '-submitted_at', '-id'], name='case_open_queue_idx'),
        ),
    ]
