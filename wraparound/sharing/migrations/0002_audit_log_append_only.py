"""Make the audit log append-only in the database itself, not just in the application.

PostgreSQL: a trigger refuses every UPDATE and DELETE of an audit entry (row level), so even
a bug, a shell session or a compromised application account cannot rewrite history. TRUNCATE
is left to the table owner (the test runner empties tables with it); grant the application's
database role INSERT and SELECT only in production, see docs/sharing.md.

SQLite (the embedded demo): UPDATE is refused by a trigger. DELETE is not, because Django's
test runner empties SQLite tables with DELETE; `wraparound audit verify` still detects a
deleted entry.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sharing_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'The audit log is append-only: ' || TG_OP || ' of audit entries is not allowed',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_auditentry_append_only
    BEFORE UPDATE OR DELETE ON sharing_auditentry
    FOR EACH ROW EXECUTE FUNCTION sharing_auditentry_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS sharing_auditentry_append_only ON sharing_auditentry;
DROP FUNCTION IF EXISTS sharing_auditentry_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER sharing_auditentry_no_update BEFORE UPDATE ON sharing_auditentry
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE of audit entries is not allowed');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS sharing_auditentry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_agreements_consent_relationships_audit")]

    operations = [migrations.RunPython(forward, reverse)]
