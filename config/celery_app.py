"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("xunshi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def fresh_enough_connections(**_kwargs) -> None:
    """What Django does at the start of each request: drop a connection that is broken, too
    old (CONN_MAX_AGE) or fails its health check, so a reused one is a working one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close_if_health_check_failed()
        connection.close_if_unusable_or_obsolete()
