"""On PostgreSQL, a trigger refuses every UPDATE and DELETE on the audit trail.

The models refuse these already; the trigger also stops raw SQL, a shell, or a future bug.
TRUNCATE (how Django flushes a test database) fires no UPDATE or DELETE trigger, so test
set-up keeps working. SQLite gets no trigger: Django flushes it with DELETE.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflows_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on workflows_auditentry is refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER workflows_audit_append_only
    BEFORE UPDATE OR DELETE ON workflows_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION workflows_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS workflows_audit_append_only ON workflows_auditentry;
DROP FUNCTION IF EXISTS workflows_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0003_deadline_reopens"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
