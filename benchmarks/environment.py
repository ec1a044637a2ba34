"""Where the benchmarks run: their own database and Redis db, Django set up, the machine described."""

from __future__ import annotations

import os
import platform
import subprocess
from urllib.parse import urlsplit, urlunsplit

# A database of their own: the generator empties the tables it fills, so it must never
# point at a developer's or the test suite's database by accident (DATABASE_URL is ignored).
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xunshi_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def configure() -> None:
    """Point Django at the bench database and broker, with debug off (no query log, real speed)."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CELERY_BROKER_URL"] = REDIS_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "False"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    # Connections live as long as the process: the measurements are about steady state.
    os.environ.setdefault("CONN_MAX_AGE", "600")
    create_database()
    import django

    django.setup()


def create_database() -> None:
    """Create the bench database if it is missing (PostgreSQL only)."""
    parts = urlsplit(DATABASE_URL)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')


# The tables the measurements rewrite (making rows due and restoring them, moving items).
CHURNED = ("workflows_deadline", "workflows_outboxmessage", "inspections_rectificationitem")


def settle() -> None:
    """Start a measurement from a settled server, as a live one kept by autovacuum would be.

    VACUUM ANALYZE clears the dead rows the previous steps' own make-due-and-restore cycles
    left (hundreds of thousands after S2), and CHECKPOINT writes out their dirty buffers, so
    no measurement pays for an earlier step's writes.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in CHURNED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("CHECKPOINT")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine() -> dict:
    """Cores, memory, load and the versions a reader needs to compare figures."""
    import celery
    import django
    import redis
    from django.db import connection

    with open("/proc/meminfo") as meminfo:
        total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
            )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "synchronous_commit", "work_mem"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    client = redis.Redis.from_url(REDIS_URL)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgresql,
        "postgresql_settings": settings,
        "redis": client.info("server")["redis_version"],
        "celery": celery.__version__,
        "pgbench": _pgbench_version(),
    }


def _pgbench_version() -> str:
    try:
        out = subprocess.run(["pgbench", "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "missing"
    return out.stdout.strip()
