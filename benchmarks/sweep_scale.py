"""Time one sweep of N due deadlines among M stored, on the database DATABASE_URL names.

    createdb -h 127.0.0.1 -U postgres xunshi_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xunshi_bench \\
        python -m benchmarks.sweep_scale --stored 1000000 --due 10000

It loads the demo (subjects with real recipients), inserts the stored rows in SQL
(generate_series on PostgreSQL), runs one sweep at a fixed instant and prints the figures.
The deadlines it inserts (and their outbox rows) are removed at the start of each run.
"""

from __future__ import annotations

import argparse
import io
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from inspections.models import Inspection
    from workflows.models import Deadline, DeadlinePolicy
    from workflows.sweep import sweep

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    Deadline.objects.filter(kind__startswith="bench-").delete()
    subjects = list(Inspection.objects.values_list("pk", flat=True))
    from django.contrib.contenttypes.models import ContentType

    type_id = ContentType.objects.get_for_model(Inspection).pk
    policy_id = DeadlinePolicy.objects.get(key="plan").pk
    ids = "ARRAY[" + ",".join(map(str, subjects)) + "]"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Stored but not due: next action far ahead. Due: overdue since 2 November, never told.
        cursor.execute(
            f"""
            INSERT INTO workflows_deadline (content_type_id, object_id, kind, policy_id,
                responsible, responsible_name, starts_on, due_on, due_at, status, colour,
                next_action_at, overdue_reminders, reopens, extensions, extension_reason,
                created_at)
            SELECT %s, ({ids})[1 + (i %% {len(subjects)})], 'bench-' || i, %s,
                'unit', '', DATE '2026-01-01',
                CASE WHEN i <= %s THEN DATE '2026-11-02' ELSE DATE '2027-06-30' END,
                CASE WHEN i <= %s THEN TIMESTAMPTZ '2026-11-02 16:00+00'
                     ELSE TIMESTAMPTZ '2027-06-30 16:00+00' END,
                'open', 'green',
                CASE WHEN i <= %s THEN TIMESTAMPTZ '2026-11-01 00:00+00'
                     ELSE TIMESTAMPTZ '2027-05-01 00:00+00' END,
                0, 0, 0, '', now()
            FROM generate_series(1, %s) AS i
            """,
            [type_id, policy_id, options.due, options.due, options.due, options.stored],
        )
        cursor.execute("ANALYZE workflows_deadline")
    inserted = time.perf_counter() - started
    import datetime
    from zoneinfo import ZoneInfo

    now = datetime.datetime(2026, 11, 26, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    started = time.perf_counter()
    report = sweep(now=now, chunk_size=options.chunk)
    elapsed = time.perf_counter() - started
    print(
        f"stored={options.stored} due={options.due} inserted_in={inserted:.1f}s "
        f"sweep={elapsed:.2f}s deadlines={report.deadlines} messages={report.messages} "
        f"rate={report.deadlines / elapsed:.0f} deadlines/s"
    )


if __name__ == "__main__":
    main()
