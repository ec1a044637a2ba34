"""Real processes for the integration tests: an SMTP server, a private Redis, a Celery worker.

Every wait here is bounded, and every process a fixture starts it also stops (or kills) by
its own id. The machine's shared Redis is only ever touched under a key prefix of our own.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from kombu import pools

from config.celery_app import app as celery_app
from inspections.models import Inspection
from workflows import registry as engine_registry
from workflows import sweep as sweep_module
from workflows.calendar import end_of_day
from workflows.models import Deadline, DeadlinePolicy, OutboxMessage, OutboxStatus
from workflows.outbox import Letter, outbox_write
from workflows.registry import Recipient

BASE_DIR = Path(django_settings.BASE_DIR)
WORKER_READY_TIMEOUT = 60  # a cold worker imports Django and forks its children
WORKER_STOP_TIMEOUT = 15
REDIS_READY_TIMEOUT = 10
# The machine's shared Redis: its host and port from REDIS_URL when set, a database index
# of our own, and a key prefix per test so suites run side by side never share a queue.
_shared = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
MACHINE_REDIS_URL = f"redis://{_shared.hostname or '127.0.0.1'}:{_shared.port or 6379}/9"
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "config",
    "worker",
    "-Q",
    "celery,deadlines,notifications",
    "--concurrency",
    "2",
    "--pool",
    "prefork",
    "--loglevel",
    "INFO",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]
# Templates the engine's tests render, so they do not depend on the domain's wording.
PROBE_TEMPLATE = "integration_probe"
PROBE_TEMPLATES = {
    "subject.txt": '{% load i18n %}[probe] {% translate "due on" %} {{ label }}',
    "body.txt": (
        "{% load i18n %}{% get_current_language as language %}"
        '{{ recipient_name }}: {% translate "due on" %} {{ label }} (language={{ language }})\n'
    ),
    "body.html": (
        "{% load i18n %}{% get_current_language as language %}"
        '<p lang="{{ language }}">{{ recipient_name }}: {% translate "due on" %} {{ label }}</p>\n'
    ),
}
# The worker runs the demo settings (real SMTP from EMAIL_URL, the database from
# DATABASE_URL), plus the probe templates and the broker key prefix of the test.
WORKER_SETTINGS = '''"""Worker settings of the integration tests: config.settings.local plus test templates."""

import os

from config.settings.local import *  # noqa: F403
from config.settings.local import TEMPLATES

TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], os.environ["XUNSHI_IT_TEMPLATES"]]
if os.environ.get("XUNSHI_IT_BROKER_KEYPREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "global_keyprefix": os.environ["XUNSHI_IT_BROKER_KEYPREFIX"]
    }
'''
WORKER_SETTINGS_MODULE = "xunshi_integration_worker_settings"


# Waiting -----------------------------------------------------------------------------------


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str | Callable[[], str],
    interval: float = 0.05,
):
    """Poll `condition` until it is truthy (its value is returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {detail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# SMTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """One message the SMTP server accepted."""

    envelope_to: tuple[str, ...]
    message: EmailMessage

    def header(self, name: str) -> str:
        # A long header is folded; unfolding leaves the fold's space in front.
        return str(self.message[name]).strip()

    @property
    def message_id(self) -> str:
        return self.header("Message-ID")

    @property
    def subject(self) -> str:
        return self.header("Subject")

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class MailServer:
    """An aiosmtpd handler that keeps what it accepts; it refuses or defers when told to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._delivered: list[Delivered] = []
        self.port = 0
        self.refused: set[str] = set()  # answered 550 at RCPT TO
        self.deferrals = 0  # DATA commands still to answer 451 before accepting
        self.data_delay = 0.0  # seconds to take over each DATA before accepting it
        self.data_commands = 0

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())

    def defer_first(self, count: int) -> None:
        self.deferrals = count

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.data_commands += 1
            if self.deferrals > 0:
                self.deferrals -= 1
                return "451 4.3.0 temporarily unable to accept, try again later"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        # Accepted from here on: a client that dies before it reads the 250 sends it again.
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._delivered.append(Delivered(tuple(envelope.rcpt_tos), parsed))
        return "250 2.0.0 accepted"

    def delivered(self) -> list[Delivered]:
        with self._lock:
            return list(self._delivered)

    def message_ids(self) -> Counter:
        return Counter(delivered.message_id for delivered in self.delivered())

    def wait_for(
        self, count: int, *, timeout: float, what: str | Callable[[], str] = ""
    ) -> list[Delivered]:
        wait_for(
            lambda: len(self.delivered()) >= count,
            timeout=timeout,
            what=lambda: (
                f"{count} messages at the SMTP server (got {len(self.delivered())}) "
                f"{what() if callable(what) else what}"
            ),
        )
        return self.delivered()


@pytest.fixture
def mail_server():
    """An SMTP server on a free loopback port, in a thread of the test process."""
    handler = MailServer()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="mail.integration.test",
        ready_timeout=10,
    )
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, mail_server, probe_templates):
    """Real SMTP to the test's server for deliveries made in the test process itself."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mail_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    return settings


# Brokers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """A Redis broker, and what the tests read off it (queue lengths, unacknowledged tasks)."""

    url: str
    keyprefix: str = ""

    @property
    def transport_options(self) -> dict:
        return {"global_keyprefix": self.keyprefix} if self.keyprefix else {}

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5)

    def queued(self, queue: str = "notifications") -> int:
        """Tasks waiting in `queue` (kombu keeps one list per priority step)."""
        client = self.client()
        return sum(
            client.llen(key)
            for key in client.scan_iter(match=f"{self.keyprefix}{queue}*")
            if client.type(key) == b"list"
        )

    def unacknowledged_message_ids(self) -> list[int]:
        """The outbox ids of the delivery tasks a worker took and has not acknowledged."""
        ids: list[int] = []
        for payload in self.client().hvals(f"{self.keyprefix}unacked"):
            raw, _exchange, _routing_key = json.loads(payload)
            body = raw["body"]
            if raw.get("properties", {}).get("body_encoding") == "base64":
                body = base64.b64decode(body)
            args, _kwargs, _embed = json.loads(body)
            ids += [int(message_id) for message_id in args[0]]
        return ids

    def unacknowledged_tasks(self) -> int:
        return self.client().hlen(f"{self.keyprefix}unacked")

    def forget(self) -> None:
        """Delete this broker's keys: only under our own prefix, never a whole database."""
        if not self.keyprefix:
            return
        client = self.client()
        for key in client.scan_iter(match=f"{self.keyprefix}*"):
            client.delete(key)


def _point_celery_at(url: str, transport_options: dict) -> None:
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options
    # Connections are pooled per broker: drop them so the next publish uses the new one.
    pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def publish_to():
    """Point the test process's Celery app (the on-commit enqueue) at a broker; restore it after."""
    saved = (celery_app.conf.broker_url, dict(celery_app.conf.broker_transport_options or {}))

    def point(broker: Broker) -> None:
        _point_celery_at(broker.url, broker.transport_options)

    yield point
    _point_celery_at(*saved)


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port: stopped, killed, restarted at will."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def broker(self) -> Broker:
        return Broker(url=f"redis://127.0.0.1:{self.port}/0")

    @property
    def log_path(self) -> Path:
        return self.directory / "redis.log"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
            )
        wait_for(
            self._answers,
            timeout=REDIS_READY_TIMEOUT,
            what=lambda: f"redis-server on port {self.port}:\n{self.log_path.read_text()[-2000:]}",
        )

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server exited:\n{self.log_path.read_text()[-2000:]}")
        try:
            return bool(self.broker.client().ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not gone within the bound."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=REDIS_READY_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill()
        self.process.wait(timeout=REDIS_READY_TIMEOUT)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_redis(tmp_path, publish_to):
    """A running private redis-server; the test process publishes to it unless told otherwise."""
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    publish_to(server.broker)
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def machine_broker(publish_to):
    """The machine's shared Redis, under a key prefix of this test's own (removed afterwards)."""
    broker = Broker(url=MACHINE_REDIS_URL, keyprefix=f"xunshi-it-{uuid.uuid4().hex[:12]}:")
    try:
        broker.client().ping()
    except redis.ConnectionError as error:
        pytest.fail(f"the machine's Redis at {MACHINE_REDIS_URL} does not answer: {error}")
    publish_to(broker)
    try:
        yield broker
    finally:
        broker.forget()


# The worker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntegrationFiles:
    """Files the tests generate at run time: the worker's settings module and probe templates."""

    settings_dir: Path
    templates_dir: Path


@pytest.fixture(scope="session")
def integration_files(tmp_path_factory) -> IntegrationFiles:
    root = tmp_path_factory.mktemp("integration")
    settings_dir = root / "settings"
    settings_dir.mkdir()
    (settings_dir / f"{WORKER_SETTINGS_MODULE}.py").write_text(WORKER_SETTINGS)
    probe = root / "templates" / PROBE_TEMPLATE
    probe.mkdir(parents=True)
    for name, text in PROBE_TEMPLATES.items():
        (probe / name).write_text(text)
    return IntegrationFiles(settings_dir=settings_dir, templates_dir=root / "templates")


@pytest.fixture
def probe_templates(settings, integration_files):
    """The probe templates, found by the test process too (the worker's settings add them)."""
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(integration_files.templates_dir)]
    settings.TEMPLATES = templates
    return integration_files.templates_dir


def database_url() -> str:
    """The URL of the test database this process uses, for a worker to open the same one."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings_dict["NAME"])
        assert Path(name).is_absolute(), f"the worker cannot share an in-memory database: {name}"
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = quote(settings_dict.get("HOST") or "127.0.0.1", safe="")
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"
    raise NotImplementedError(f"no worker database URL for {connection.vendor}")


class Worker:
    """A real `celery worker` in its own process group, on the test database and SMTP server."""

    def __init__(
        self, *, broker: Broker, mail_port: int, files: IntegrationFiles, log_path: Path
    ) -> None:
        self.broker = broker
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS_MODULE,
            "DJANGO_SECRET_KEY": "integration-tests-only",
            "DJANGO_DEBUG": "false",
            "PYTHONPATH": os.pathsep.join([str(files.settings_dir), str(BASE_DIR)]),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
            "XUNSHI_IT_TEMPLATES": str(files.templates_dir),
            "XUNSHI_IT_BROKER_KEYPREFIX": broker.keyprefix,
        }

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def describe(self) -> str:
        return f"(worker log {self.log_path}, last lines:\n{self.log()[-3000:]})"

    def start(self) -> Worker:
        with self.log_path.open("ab") as log:
            # Its own session, so a kill reaches the main process and its prefork children.
            self.process = subprocess.Popen(
                WORKER_COMMAND,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            self._ready, timeout=WORKER_READY_TIMEOUT, what=lambda: f"the worker {self.describe()}"
        )
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited with {self.process.returncode} {self.describe()}"
            )
        return " ready." in self.log()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group at once: no warm shutdown, no acknowledgement, no rollback."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=WORKER_STOP_TIMEOUT)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM to the main process), then SIGKILL to whatever is left."""
        if self.process is None:
            return
        if self.running:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):  # the kill below ends it
                self.process.wait(timeout=WORKER_STOP_TIMEOUT)
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=WORKER_STOP_TIMEOUT)


@pytest.fixture
def start_worker(mail_server, integration_files, tmp_path):
    """Start real workers (each waited for until ready); all are stopped at teardown."""
    workers: list[Worker] = []

    def start(broker: Broker) -> Worker:
        worker = Worker(
            broker=broker,
            mail_port=mail_server.port,
            files=integration_files,
            log_path=tmp_path / f"worker-{len(workers) + 1}.log",
        )
        workers.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in reversed(workers):
            worker.stop()


# Data --------------------------------------------------------------------------------------


def probe_address(audience: str, object_id: int) -> str:
    return f"{audience.replace('_', '-')}.{object_id}@probe.test"


class ProbeSubjects:
    """Recipients and context the engine's tests choose, standing in for the domain's adapter.

    One recipient per (audience, subject), so the number of e-mails a sweep writes is known.
    """

    def __init__(self) -> None:
        self.audiences: Sequence[str] | None = None  # None: every audience
        self.language = "zh-hans"

    def recipients_by_audience(self, wanted):
        return {
            audience: (
                {}
                if self.audiences is not None and audience not in self.audiences
                else {
                    deadline.pk: [
                        Recipient(
                            email=probe_address(audience, deadline.object_id),
                            name=f"{audience} {deadline.object_id}",
                            language=self.language,
                        )
                    ]
                    for deadline in deadlines
                }
            )
            for audience, deadlines in wanted.items()
        }

    def context(self, deadlines, language, now=None):
        return {
            deadline.pk: {"label": f"{deadline.kind} {deadline.due_on.isoformat()}"}
            for deadline in deadlines
        }


@pytest.fixture
def probe_subjects(monkeypatch, probe_templates) -> ProbeSubjects:
    """The sweep asks the probe adapter about inspections' deadlines and writes probe e-mails."""
    adapter = ProbeSubjects()
    registered = engine_registry.registration(Inspection)
    monkeypatch.setitem(
        engine_registry._registered, Inspection, dataclasses.replace(registered, deadlines=adapter)
    )
    monkeypatch.setattr(sweep_module, "TEMPLATE", PROBE_TEMPLATE)
    return adapter


def make_due_deadlines(
    count: int,
    *,
    subjects: Sequence[Inspection],
    now: datetime.datetime,
    policy_key: str = "plan",
    overdue_days: int = 5,
) -> None:
    """`count` live deadlines past due, spread over a few subjects, all due for the sweep at `now`."""
    policy = DeadlinePolicy.objects.get(key=policy_key)
    content_type = ContentType.objects.get_for_model(Inspection)
    due_on = timezone.localtime(now).date() - datetime.timedelta(days=overdue_days)
    Deadline.objects.bulk_create(
        [
            Deadline(
                content_type=content_type,
                object_id=subjects[number % len(subjects)].pk,
                # One live deadline per (subject, kind): the kinds tell them apart.
                kind=f"probe-{number}",
                policy=policy,
                responsible="unit",
                starts_on=due_on - datetime.timedelta(days=30),
                due_on=due_on,
                due_at=end_of_day(due_on),
                next_action_at=now - datetime.timedelta(minutes=1),
            )
            for number in range(count)
        ],
        batch_size=1000,
    )


def write_outbox(recipients: Sequence[Recipient], *, tag: str) -> list[OutboxMessage]:
    """One probe e-mail per recipient, written (and enqueued on commit) as the engine does."""
    letters = [
        Letter(
            key=f"probe:{tag}:{number}:{recipient.email}",
            template=PROBE_TEMPLATE,
            recipient=recipient,
            context={"label": f"{tag}-{number}"},
        )
        for number, recipient in enumerate(recipients)
    ]
    with transaction.atomic():
        outbox_write(letters)
    return list(OutboxMessage.objects.filter(key__in=[letter.key for letter in letters]))


def pending_ids() -> set[int]:
    return set(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list("pk", flat=True)
    )


def wait_until_settled(
    broker: Broker,
    *,
    timeout: float,
    what: str | Callable[[], str],
    stranded: Sequence[int] = (),
) -> None:
    """No outbox row pending, no task queued, none taken and unacknowledged (but `stranded`,
    the tasks a killed worker left unacknowledged)."""

    def unacknowledged() -> Counter:
        return Counter(broker.unacknowledged_message_ids()) - Counter(stranded)

    wait_for(
        lambda: not pending_ids() and broker.queued() == 0 and not unacknowledged(),
        timeout=timeout,
        what=lambda: (
            f"the outbox to settle: {len(pending_ids())} rows pending, {broker.queued()} "
            f"tasks queued, {sum(unacknowledged().values())} unacknowledged "
            f"{what() if callable(what) else what}"
        ),
    )
