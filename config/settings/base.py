"""Settings shared by every environment; each value comes from the environment or a safe default."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# zh-hans first: the people using the product read Chinese; English is the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
SITE_ID = 1
# The public address e-mails link to (no request is at hand when a task renders them).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# DATABASES
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Services own their transactions (docs/style.md).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections between requests and tasks: a new PostgreSQL connection per delivery
# costs more than the delivery itself.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE makes SQLite writers queue behind each other instead of failing
    # with "database is locked" when two transactions read and then write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Server-side binding lets psycopg prepare a statement run more than five times on a
    # connection, so PostgreSQL parses and plans it once: a transition's locking read, update
    # and audit row are the same statements every time (T1 in docs/benchmarks.md). Set
    # DATABASE_PREPARED_STATEMENTS=false behind a pooler in transaction mode, which cannot
    # keep a session's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
# ------------------------------------------------------------------------------
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "axes",
]
LOCAL_APPS = [
    "workflows",
    "inspections",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
# Object permissions come from the one `rules` module (inspections/rules.py).
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "inspections.auth.PasswordOnlyBackend",
]
AUTH_USER_MODEL = "inspections.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "inspections.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Evidence the units upload: outside any folder the web server serves; a view checks the
# rules before it streams a file.
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=VAR_DIR / "evidence")
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# Above this, Django writes an upload to a temporary file instead of holding it in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# LOGIN THROTTLING
# ------------------------------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out person may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# API
# ------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "inspections.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Xunshi API",
    "DESCRIPTION": "Rounds, inspections, leads and rectification of party-committee inspections.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "inspections.api.schema.forbid_unknown_fields",
    ],
}

# EMAIL
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
# Default: one file per message under var/mail/, so a new machine needs no mail server.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="巡视办 <xunshiban@example.org>")
EMAIL_TIMEOUT = 10

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    # Libraries that narrate their every step at INFO: only their warnings are news.
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools", "PIL")},
}

# CELERY
# ------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
REDIS_URL = env.str("REDIS_URL", default="")
# Embedded default: Celery's filesystem transport under var/, so `make demo` needs no broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The transport fails on a missing folder; make them, so any command can enqueue.
    for folder in ("out", "processed"):
        (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "out"),
        "data_folder_out": str(VAR_DIR / "broker" / "out"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        # Where the transport keeps its exchange tables; its default is ./control, which put
        # them in the checkout of whoever ran the demo.
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
# Results are not used: the database records what was done.
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task that hangs is killed rather than holding a worker forever.
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# Work is acknowledged after it is done, so a killed worker's tasks are delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fix-up closes the database connection around every task unless told to
# reuse it: a new PostgreSQL backend per task. Reused here (closed every 2,000 tasks), with
# Django's own age and health checks run before each task (config/celery_app.py).
CELERY_DB_REUSE_MAX = 1000
# Deadlines and e-mail run on their own queues, so a burst of mail never delays a sweep.
CELERY_TASK_ROUTES = {
    "workflows.sweep_deadlines": {"queue": "deadlines"},
    "workflows.deliver_outbox_messages": {"queue": "notifications"},
    "workflows.dispatch_outbox": {"queue": "notifications"},
    "workflows.drain_outbox": {"queue": "notifications"},
    "inspections.send_digests": {"queue": "notifications"},
}
# Publishing waits briefly for a broker that is down, then gives up: the outbox drain
# re-enqueues whatever did not get through.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Exactly one beat runs these (embedded in the demo's worker, its own process in production).
CELERY_BEAT_SCHEDULE = {
    # Every minute: act on the deadlines whose time has come (reminders, colours, overdue).
    "sweep-deadlines": {"task": "workflows.sweep_deadlines", "schedule": 60.0},
    # Every five minutes: re-enqueue outbox rows a lost broker dropped.
    "drain-outbox": {"task": "workflows.drain_outbox", "schedule": 300.0},
    # Every morning at 08:00 Beijing time: one digest per leading-group and office member.
    "daily-digest": {
        "task": "inspections.send_digests",
        "schedule": crontab(hour=8, minute=0),
    },
}
