"""PostgreSQL: refuse TRUNCATE of the audit log too (row triggers do not fire on TRUNCATE).

A session may empty the table only after ``SET wraparound.allow_audit_truncate = 'on'``: the
test runner does (it empties tables between tests); the application never does. The table
owner can still drop the trigger, which is why `wraparound audit verify` also compares the
log with the signed checkpoint outside the database.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sharing_auditentry_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('wraparound.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'The audit log is append-only: TRUNCATE of audit entries is not allowed',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_auditentry_no_truncate
    BEFORE TRUNCATE ON sharing_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION sharing_auditentry_refuse_truncate();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS sharing_auditentry_no_truncate ON sharing_auditentry;
DROP FUNCTION IF EXISTS sharing_auditentry_refuse_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_policy_generation_token")]

    operations = [migrations.RunPython(forward, reverse)]
