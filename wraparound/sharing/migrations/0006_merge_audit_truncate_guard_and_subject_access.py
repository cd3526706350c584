"""Joins two branches of sharing's migrations written at the same time: the audit log's
TRUNCATE guard and subject access requests. Neither depends on the other."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_audit_log_refuses_truncate"),
        ("sharing", "0005_subject_access_requests_and_redactions"),
    ]

    operations: list[migrations.operations.base.Operation] = []
