"""Workers keep their database connection between tasks, and drop one that is too old or broken."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from config.celery_app import app, fresh_enough_connections


def test_celerys_django_fixup_reuses_the_connection_instead_of_closing_it_after_each_task():
    # Without this, the fix-up closes every connection around every task: a new PostgreSQL
    # backend for each batch of deliveries.
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 100


@pytest.mark.django_db(transaction=True)
def test_before_a_task_a_connection_past_its_age_is_dropped_and_the_next_query_opens_one():
    connection.ensure_connection()
    old = connection.connection
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE has passed

    fresh_enough_connections()

    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not old


@pytest.mark.django_db(transaction=True)
def test_before_a_task_a_working_connection_young_enough_is_kept():
    connection.ensure_connection()
    kept = connection.connection
    connection.close_at = time.monotonic() + 60

    fresh_enough_connections()

    assert connection.connection is kept
