"""E-mails delivered per second by real Celery workers to a loopback SMTP server.

    createdb -h 127.0.0.1 -U postgres xunshi_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xunshi_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 python -m benchmarks.email_rate --messages 2000

It starts an aiosmtpd server on a free loopback port and WORKERS worker processes
(concurrency 1 each) pointed at it, writes MESSAGES outbox rows in one transaction, and
times until every row is sent. It counts what arrived, by Message-ID.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import transaction

    from workflows.models import OutboxMessage, OutboxStatus
    from workflows.outbox import Letter, outbox_write
    from workflows.subjects import Recipient

    received: Counter = Counter()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            for line in envelope.content.splitlines():
                if line.lower().startswith(b"message-id:"):
                    received[line.split(b":", 1)[1].strip()] += 1
                    break
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    call_command("migrate", verbosity=0)
    OutboxMessage.objects.filter(key__startswith="bench-mail:").delete()
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    workers = [
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
                "1",
                "--pool",
                "prefork",
                "-n",
                f"bench{n}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(options.workers)
    ]
    try:
        time.sleep(5)  # let the workers connect before the clock starts
        letters = [
            Letter(
                key=f"bench-mail:{n}",
                template="emails/item_verified",
                recipient=Recipient(email=f"unit{n}@example.org", name=f"联络员{n}"),
                context={
                    "unit": "市科学技术局",
                    "round": "十二届市委第六轮巡视",
                    "item_number": n,
                    "problem": "公务接待管理不规范",
                    "path": "/inspections/1/",
                },
            )
            for n in range(options.messages)
        ]
        started = time.perf_counter()
        with transaction.atomic():
            outbox_write(letters)
        deadline = started + 600
        pending = OutboxMessage.objects.filter(key__startswith="bench-mail:")
        while (
            pending.filter(status=OutboxStatus.PENDING).exists() and time.perf_counter() < deadline
        ):
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        sent = pending.filter(status=OutboxStatus.SENT).count()
        ids = {m.message_id.encode() for m in pending}
        arrived = sum(1 for mid in ids if received[mid] >= 1)
        twice = sum(1 for mid in ids if received[mid] > 1)
        print(
            f"messages={options.messages} workers={options.workers} seconds={elapsed:.1f} "
            f"rate={sent / elapsed:.0f}/s sent={sent} arrived={arrived} "
            f"lost={options.messages - arrived} duplicated={twice}"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        controller.stop()


if __name__ == "__main__":
    main()
