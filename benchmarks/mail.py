"""E1: e-mails delivered per second by real Celery workers to a loopback SMTP server.

The letters are the sweep's own (deadline reminders, context read at delivery), written by
an untimed sweep; the clock starts when the dispatcher is asked to hand them to the broker,
as it is after every sweep, and stops when the last row is marked sent. The server counts
what arrived by Message-ID, so a loss or a repeat shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from django.db import connection

from benchmarks.sweeps import DueSet
from benchmarks.timing import repeat

ROOT = Path(__file__).resolve().parent.parent
WORKER_READY_TIMEOUT = 60
RUN_TIMEOUT = 900
WARM_UP_MESSAGES = 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """An aiosmtpd server on a free loopback port that counts Message-IDs."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: Counter = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                for line in envelope.content.splitlines():
                    if line.lower().startswith(b"message-id:"):
                        with server.lock:
                            server.received[line.split(b":", 1)[1].strip().decode()] += 1
                        break
                return "250 OK"

        # aiosmtpd logs every SMTP command at INFO: at hundreds of messages a second that
        # is CPU taken from the workers being measured, and a log no one reads.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()


class Workers:
    """WORKERS worker processes on the notifications queue, stopped by their own ids."""

    def __init__(
        self, count: int, mail_port: int, pool: str, concurrency: int, prefetch: int | None = None
    ):
        self.count = count
        # None: the settings' CELERY_WORKER_PREFETCH_MULTIPLIER.
        self.prefetch = [] if prefetch is None else ["--prefetch-multiplier", str(prefetch)]
        self.concurrency = concurrency
        self.env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}"}
        self.pool = pool
        self.processes: list[subprocess.Popen] = []

    @staticmethod
    def log_path(n: int) -> Path:
        return ROOT / "var" / f"bench-worker-{n}.log"

    def __enter__(self) -> Workers:
        (ROOT / "var").mkdir(exist_ok=True)
        for n in range(self.count):
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "-Q",
                        "notifications",
                        "--concurrency",
                        str(self.concurrency),
                        "--pool",
                        self.pool,
                        "-n",
                        f"bench{n}-{os.getpid()}@%h",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel",
                        "WARNING",
                        *self.prefetch,
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=open(self.log_path(n), "w"),
                )
            )
        return self

    def __exit__(self, *_exc) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _cpu(pids: list[int]) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds each process has used so far (those still alive)."""
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) / TICK, int(fields[12]) / TICK)
    return used


class CpuMeter:
    """CPU used by the workers (and their pool children), their PostgreSQL backends and this
    process (the SMTP server, the dispatcher's broker calls, the polling): what a message costs
    whatever else the machine is doing."""

    def __init__(self, workers: Workers):
        self.workers = workers

    def groups(self) -> dict[str, list[int]]:
        tree = _children()
        workers = []
        for process in self.workers.processes:
            workers += [process.pid, *tree.get(process.pid, [])]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            backends = [row[0] for row in cursor.fetchall()]
        return {"workers": workers, "postgresql": backends, "bench_and_smtp": [os.getpid()]}

    def start(self) -> None:
        self.before = {name: _cpu(pids) for name, pids in self.groups().items()}

    def stop(self, messages: int) -> dict:
        # Per process: a backend or pool child that ended mid-run must not cancel the others'
        # use (it is lost); one that started mid-run counts from zero.
        after = {name: _cpu(pids) for name, pids in self.groups().items()}
        used = {}
        for name, processes in after.items():
            before = self.before.get(name, {})
            user = system = 0.0
            for pid, (u, s) in processes.items():
                u0, s0 = before.get(pid, (0.0, 0.0))
                user += max(u - u0, 0)
                system += max(s - s0, 0)
            used[name] = {
                "user_ms_per_message": round(user * 1000 / messages, 2),
                "system_ms_per_message": round(system * 1000 / messages, 2),
            }
        return used


def purge_broker() -> None:
    from config.celery_app import app

    with app.connection_for_write() as conn:
        for queue in ("notifications", "deadlines", "celery"):
            # A queue never declared has nothing to purge.
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)


class Letters:
    """Exactly MESSAGES pending outbox rows, written by an untimed sweep, removed after."""

    def __init__(self, messages: int, due: int):
        self.messages = messages
        self.sample = DueSet(due, seed=23)

    def write(self, count: int) -> None:
        import workflows.outbox
        from benchmarks.generate import NOW
        from workflows.sweep import sweep

        self.sample.restore()
        self.sample.make_due()
        # The dispatcher is asked for when the clock starts, not when the sweep commits.
        real = workflows.outbox.request_dispatch
        workflows.outbox.request_dispatch = lambda: None
        try:
            sweep(now=NOW)
        finally:
            workflows.outbox.request_dispatch = real
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM workflows_outboxmessage WHERE id NOT IN"
                " (SELECT id FROM workflows_outboxmessage ORDER BY id LIMIT %s)",
                [count],
            )
            cursor.execute("SELECT count(*) FROM workflows_outboxmessage")
            written = cursor.fetchone()[0]
        if written != count:
            raise RuntimeError(f"the sweep wrote {written} letters, {count} wanted")


def _wait_until_sent(timeout: float) -> int:
    """Wait until no row is pending; return how many were sent.

    The check is an EXISTS on the partial index of pending rows, every quarter second: a
    count over the table ten times a second took a fifth of a core from the workers.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM workflows_outboxmessage WHERE status = 'pending')"
            )
            if not cursor.fetchone()[0]:
                break
        time.sleep(0.25)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflows_outboxmessage WHERE status = 'sent'")
        return cursor.fetchone()[0]


def measure_mail(
    *,
    messages: int = 10_000,
    workers: int = 2,
    pool: str = "prefork",
    concurrency: int = 1,
    prefetch: int | None = None,
    repetitions: int = 5,
) -> dict:
    from workflows.models import OutboxMessage
    from workflows.outbox import request_dispatch

    # Enough due deadlines that their letters number at least MESSAGES (about 0.5 each).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflows_deadline WHERE status IN ('open', 'missed')")
        live = cursor.fetchone()[0]
    letters = Letters(messages, min(live, messages * 3))
    outcomes: list[dict] = []
    purge_broker()
    OutboxMessage.objects.all().delete()
    with (
        MailServer() as server,
        Workers(workers, server.port, pool, concurrency, prefetch) as running,
    ):
        meter = CpuMeter(running)
        # The warm-up (workers starting, connections opening) needs fewer letters.
        counts = iter([min(messages, WARM_UP_MESSAGES)] + [messages] * repetitions)
        current = {"count": 0}

        def before() -> None:
            current["count"] = next(counts)
            letters.write(current["count"])
            server.received.clear()
            meter.start()

        def run() -> int:
            request_dispatch()
            return _wait_until_sent(RUN_TIMEOUT)

        def after() -> None:
            cpu = meter.stop(current["count"])
            ids = {m.message_id for m in OutboxMessage.objects.only("key")}
            with server.lock:
                arrived = sum(1 for mid in ids if server.received[mid] >= 1)
                twice = sum(1 for mid in ids if server.received[mid] > 1)
            outcomes.append(
                {
                    "arrived": arrived,
                    "lost": current["count"] - arrived,
                    "duplicated": twice,
                    "cpu": cpu,
                }
            )
            letters.sample.restore()

        try:
            timing = repeat(run, before=before, after=after, repetitions=repetitions)
        finally:
            letters.sample.drop()
            purge_broker()
    sent = timing.pop("last")
    measured = outcomes[1:]  # the warm-up also waits for the workers to start
    return {
        "messages": messages,
        "workers": workers,
        "pool": pool,
        "concurrency": concurrency,
        "prefetch_multiplier": prefetch,
        **timing,
        "sent_last_run": sent,
        "per_s": round(messages / timing["median_s"]),
        "lost": max(o["lost"] for o in measured),
        "duplicated": max(o["duplicated"] for o in measured),
        "cpu_last_run": measured[-1]["cpu"],
    }
