"""Tests of what only PostgreSQL does; collected only when the suite runs on PostgreSQL.

`make test` runs on SQLite and again on PostgreSQL (.ci/run): these run in the second.
They are left out on SQLite rather than skipped, since there is nothing there to test.
"""

from django.conf import settings

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    collect_ignore_glob = ["test_*.py"]
