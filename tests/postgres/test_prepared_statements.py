"""On PostgreSQL a statement a connection runs again and again is parsed and planned once."""

from __future__ import annotations

from django.db import connection

from inspections.models import RectificationItem
from tests.helpers import fresh


def test_the_sixth_run_of_a_statement_uses_a_prepared_one(world):
    # psycopg prepares a statement once it has run prepare_threshold (5) times, which needs
    # server-side binding (config/settings/base.py): a transition's own statements qualify.
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    item = RectificationItem.objects.create(inspection=world.inspection, number=1, problem="x")
    for _ in range(6):
        fresh(item)

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "inspections_rectificationitem"' in statement for statement in prepared)
