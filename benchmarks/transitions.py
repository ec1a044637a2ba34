"""T1 and L1: item transitions through the service against the same writes in bare SQL, and pgbench."""

from __future__ import annotations

import datetime
import random
import re
import statistics
import subprocess
from urllib.parse import urlsplit

from django.db import connection

from benchmarks import environment
from benchmarks.timing import repeat

ITEMS_PER_RUN = 100
STEPS = ("start", "submit", "verify", "close")  # four transitions per item
# What the verify letter's context holds, about as long as the service's.
LETTER_CONTEXT = (
    '{"unit": "市直单位000001", "round": "第1地市委第一轮巡视", "item_number": 1,'
    ' "problem": "问题1的整改事项1", "verified_on": "2026年11月26日", "path": "/inspections/1/"}'
)


def _open_items(count: int, seed: int) -> list[int]:
    """Open items of rectifying inspections (the plan approved, so they may start)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id FROM inspections_rectificationitem i"
            " JOIN inspections_inspection n ON n.id = i.inspection_id"
            " WHERE i.state = 'open' AND n.state = 'rectifying' ORDER BY i.id"
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) < count:
        raise ValueError(f"only {len(ids)} open items, {count} wanted")
    return random.Random(seed).sample(ids, count)


class ServiceRun:
    """Each run takes fresh items through start, submit, verify and close as their people would."""

    def __init__(self, batches: list[list[int]]):
        from inspections.models import OfficeMember, RectificationItem, UnitLiaison

        self.batches = iter(batches)
        self.office = OfficeMember.objects.select_related("user").first().user
        self.RectificationItem = RectificationItem
        self.liaisons = {
            row.unit_id: row.user for row in UnitLiaison.objects.select_related("user")
        }

    def __call__(self) -> int:
        from inspections.services.rectification import (
            item_close,
            item_start,
            item_submit,
            item_verify,
        )

        done = 0
        items = self.RectificationItem.objects.select_related("inspection").filter(
            pk__in=next(self.batches)
        )
        for item in items:
            liaison = self.liaisons[item.inspection.unit_id]
            item = item_start(item=item, actor=liaison)
            item = item_submit(
                item=item, actor=liaison, progress="已整改到位。", evidence="见附件。"
            )
            item = item_verify(item=item, actor=self.office)
            item_close(item=item, actor=self.office)
            done += len(STEPS)
        return done


class SqlRun:
    """The same rows written by hand, one transaction each: lock, update, audit row, and the
    deadline met (submit) or the unit's letter (verify)."""

    def __init__(self, batches: list[list[int]]):
        from django.contrib.contenttypes.models import ContentType

        from inspections.models import OfficeMember, RectificationItem

        self.batches = iter(batches)
        self.type_id = ContentType.objects.get_for_model(RectificationItem).pk
        self.actor = OfficeMember.objects.first().user_id

    def __call__(self) -> int:
        raw = connection.connection  # psycopg's own connection, in autocommit between blocks
        today = datetime.date(2026, 11, 26)
        done = 0
        for item_id in next(self.batches):
            for source, target in (
                ("open", "in_progress"),
                ("in_progress", "submitted"),
                ("submitted", "verified"),
                ("verified", "closed"),
            ):
                with raw.transaction(), raw.cursor() as cursor:
                    cursor.execute(
                        "SELECT version, state FROM inspections_rectificationitem"
                        " WHERE id = %s FOR UPDATE",
                        [item_id],
                    )
                    cursor.execute(
                        "UPDATE inspections_rectificationitem SET state = %s,"
                        " version = version + 1, submitted_on = COALESCE(submitted_on, %s)"
                        " WHERE id = %s",
                        [target, today, item_id],
                    )
                    cursor.execute(
                        "INSERT INTO workflows_auditentry (content_type_id, object_id, action,"
                        " from_state, to_state, actor_id, at, note, data)"
                        " VALUES (%s, %s, %s, %s, %s, %s, now(), '', %s)",
                        [
                            self.type_id,
                            item_id,
                            target,
                            source,
                            target,
                            self.actor,
                            '{"on": "2026-11-26"}',
                        ],
                    )
                    if target == "verified":
                        # The unit's letter (its liaison and its mailbox), enqueued at once.
                        cursor.execute(
                            "INSERT INTO workflows_outboxmessage (key, template, recipient_email,"
                            " recipient_name, language, context, status, attempts, last_error,"
                            " created_at, enqueued_at) VALUES"
                            " (%s, 'emails/item_verified', %s, '', 'zh-hans', %s, 'pending', 0,"
                            " '', now(), now()),"
                            " (%s, 'emails/item_verified', %s, '', 'zh-hans', %s, 'pending', 0,"
                            " '', now(), now())"
                            " ON CONFLICT (key) DO NOTHING RETURNING id",
                            [
                                f"bench-sql:{item_id}:liaison",
                                "liaison@bench.example.org",
                                LETTER_CONTEXT,
                                f"bench-sql:{item_id}:unit",
                                "unit@bench.example.org",
                                LETTER_CONTEXT,
                            ],
                        )
                    if target == "submitted":
                        cursor.execute(
                            "UPDATE workflows_deadline SET status = 'met', closed_at = now(),"
                            " next_action_at = NULL WHERE content_type_id = %s"
                            " AND object_id = %s AND kind IN ('item', 'long_term_progress')"
                            " AND status IN ('open', 'missed')",
                            [self.type_id, item_id],
                        )
                done += 1
        return done


def measure_transitions(*, repetitions: int = 5, items: int = ITEMS_PER_RUN) -> dict:
    """T1: the service and the bare-SQL floor, in the same run, on different fresh items."""
    runs = repetitions + 1
    chosen = _open_items(2 * runs * items, seed=31)
    service_batches = [chosen[n * items : (n + 1) * items] for n in range(runs)]
    sql_batches = [chosen[(runs + n) * items : (runs + n + 1) * items] for n in range(runs)]
    service = repeat(ServiceRun(service_batches), repetitions=repetitions)
    sql = repeat(SqlRun(sql_batches), repetitions=repetitions)
    transitions = service.pop("last")
    sql.pop("last")
    return {
        "transitions_per_run": transitions,
        "service": {**service, "per_s": round(transitions / service["median_s"])},
        "bare_sql": {**sql, "per_s": round(transitions / sql["median_s"])},
        "ratio": round(service["median_s"] / sql["median_s"], 2),
    }


def measure_pgbench(*, repetitions: int = 5, seconds: int = 5) -> dict:
    """L1: pgbench simple-update (-N), one client, on the same server, in its own database."""
    parts = urlsplit(environment.DATABASE_URL)
    base = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    database = "xunshi_pgbench"
    try:
        subprocess.run(["createdb", *base, database], capture_output=True, text=True, timeout=60)
        subprocess.run(
            ["pgbench", *base, "-i", "-s", "10", "-q", database],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return {"error": f"pgbench unavailable: {error}"}
    results = []
    for n in range(repetitions + 1):
        out = subprocess.run(
            ["pgbench", *base, "-N", "-c", "1", "-j", "1", "-T", str(seconds), database],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        ).stdout
        found = re.search(r"tps = ([0-9.]+)", out)
        if n and found:
            results.append(float(found.group(1)))
    if not results:
        return {"error": "pgbench printed no tps"}
    return {
        "clients": 1,
        "seconds_per_run": seconds,
        "median_tps": round(statistics.median(results)),
        "runs_tps": [round(r) for r in results],
        "statements_per_transaction": 5,
    }
