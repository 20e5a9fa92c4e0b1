"""Make the audit tables append-only on PostgreSQL.

A row trigger refuses every UPDATE and DELETE of ``audit_auditentry`` and
``audit_auditcheckpoint``, whoever issues it (the application, an admin in psql, an
injected statement). Only the table owner can get past it (``ALTER TABLE … DISABLE
TRIGGER``); what such an owner changes shows up in ``madoguchi audit verify``.

TRUNCATE is not refused: Django's ``flush`` (and so every ``transaction=True`` test)
empties all tables with one TRUNCATE statement, and a refusing statement trigger breaks
it. In production the application role should not hold the TRUNCATE privilege; a
truncated chain is still reported by verification, since the head and the checkpoints
remember where it ended.

SQLite has no equivalent that Django's own test flushing would survive; there the chain
alone guards the log.
"""

from django.db import migrations

TABLES = ("audit_auditentry", "audit_auditcheckpoint")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION madoguchi_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Audit entries and checkpoints are never changed or removed.';
END;
$$
"""
CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION madoguchi_audit_refuse_change()
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS madoguchi_audit_refuse_change()"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table))
        schema_editor.execute(CREATE_TRIGGER.format(table=table))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table))
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_auditcheckpoint"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
