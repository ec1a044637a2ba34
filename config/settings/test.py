"""Settings for the test suite: the same services as production where the environment names them."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-secret-key")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The engine's tests run on a machine of their own, not on the domain's (tests/workflows/machine).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflows.machine"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: in-memory SQLite locks whole tables and ignores the
    # busy timeout, so the concurrency tests' second writer would fail instead of queueing.
    # One file per process, so suites run side by side do not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"xunshi-test-{os.getpid()}.sqlite3")
    }

# Uploaded evidence goes to a folder of this run's own, never into var/.
EVIDENCE_ROOT = Path(tempfile.gettempdir()) / f"xunshi-test-evidence-{os.getpid()}"
