"""Tributary settings: everything that varies per deployment comes from the environment."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp import constants as csp

from config.env import ImproperSetting, env_bool, env_float, env_int, env_list, env_str
from config.oidc import oidc_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRIBUTARY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", "True")


def _local_secret(name: str) -> str:
    """A secret from the environment; for local use (DEBUG on) one is generated once into
    var/ and kept, so sessions and signatures survive restarts."""
    value = env_str(name)
    if value:
        return value
    if not DEBUG:
        raise ImproperSetting(f"{name} must be set when DEBUG is off")
    path = VAR_DIR / name.lower()
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _local_secret("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "accounts",
    "catalog",
    "lineage",
    "execution",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.ClientIPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        # Django's engine, whose pages never fail on text that cannot be encoded.
        "BACKEND": "config.templates.PrintableDjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tributary.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets page reads go on while an ingest writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Django's password backend behind the sign-in rate limit.
    "accounts.backends.RateLimitedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Grants go to people and teams only, never to signed-out visitors.
ANONYMOUS_USER_NAME = None
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_S", 12 * 3600)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only, remembered by browsers, whenever DEBUG is off (sent on HTTPS responses; behind
# a TLS proxy set BEHIND_TLS_PROXY so that requests are known to be secure).
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
# Content-Security-Policy (django-csp): scripts come only from our static files, so that
# markup slipped past the sanitizer cannot run; no inline <script>, no on*= handlers, no
# eval. Style attributes stay allowed (graph colours, progress bars), style sheets do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "script-src-attr": [csp.NONE],
        "style-src": [csp.SELF],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", "False") else None
)

# How many proxies in front of us append to X-Forwarded-For: audit events record the
# client address the outermost one saw. 0 believes REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sign-in rate limit: a user name from one address, and one address overall.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 50)
LOGIN_LOCKOUT_S = env_int("LOGIN_LOCKOUT_S", 15 * 60)

# The cache holds sign-in failure counts and "last seen" throttles: per process by
# default, shared by every process with Redis.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# OpenID Connect sign-in, off unless OIDC_RP_CLIENT_ID is set (see config/oidc.py).
OIDC = oidc_settings()
OIDC_ENABLED = bool(OIDC)
if OIDC_ENABLED:
    globals().update(OIDC)
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("accounts.oidc.TributaryOIDCBackend")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads larger than this are refused before they reach a reader.
MAX_NOTEBOOK_BYTES = env_int("MAX_NOTEBOOK_BYTES", 100 * 1024 * 1024)
# Ingest stores notebooks in batches of this many notebooks or blocks, each batch in one
# transaction (a file's notebooks are never split across batches).
INGEST_BATCH_NOTEBOOKS = env_int("INGEST_BATCH_NOTEBOOKS", 200)
INGEST_BATCH_BLOCKS = env_int("INGEST_BATCH_BLOCKS", 5000)
# The most time the analysis of one block may take (SQL parsing, column tracing, Python
# scoping, Jinja rendering together); past it the block gets a best-effort result, marked
# low confidence with a note, and the ingest goes on.
ANALYSIS_BLOCK_BUDGET_S = env_float("ANALYSIS_BLOCK_BUDGET_S", 2.0)
# A notebook's page shows this many blocks at a time, fewer once their text and outputs pass
# the byte budget; the rest load as the reader scrolls. Its API gives a window of blocks too.
NOTEBOOK_PAGE_BLOCKS = env_int("NOTEBOOK_PAGE_BLOCKS", 100)
NOTEBOOK_PAGE_BYTES = env_int("NOTEBOOK_PAGE_BYTES", 256 * 1024)
NOTEBOOK_API_BLOCKS = env_int("NOTEBOOK_API_BLOCKS", 500)
NOTEBOOK_API_MAX_BLOCKS = env_int("NOTEBOOK_API_MAX_BLOCKS", 2000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    # A depth limit and no lone surrogates in; stored ones answered as U+FFFD out.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# The DEBUG page masks connection strings and URLs with credentials, not only *KEY*/*PASS*.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.errors.SecretMaskingFilter"
SPECTACULAR_SETTINGS = {
    "TITLE": "Tributary API",
    "DESCRIPTION": "Notebook lineage catalog and governance service",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Celery: with no broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers consume, and producers send to, this queue (tests give each run its own).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")

# Kernel gateway: with no URL, Tributary starts a local `jupyter kernelgateway`.
KERNEL_GATEWAY_URL = env_str("KERNEL_GATEWAY_URL")
KERNEL_GATEWAY_TOKEN = env_str("KERNEL_GATEWAY_TOKEN")

# The demo warehouse the demo notebooks run against: in a folder of its own, which the
# kernel sandbox shows to kernels (read-write) while the rest of var/ stays hidden.
DEMO_WAREHOUSE_PATH = Path(
    env_str("DEMO_WAREHOUSE_PATH", str(VAR_DIR / "warehouse" / "warehouse.duckdb"))
)
# Kernels of the embedded gateway start in a sandbox (execution/gateway/sandbox.py) that
# hides the checkout, var/, the database and other processes; off only where Linux user
# namespaces are not allowed (then kernels can read everything this user can).
EXECUTION_KERNEL_SANDBOX = env_bool("EXECUTION_KERNEL_SANDBOX", "True")

# Execution (execution/): timeouts, the per-person limit, warm sessions, OpenLineage.
EXECUTION_BLOCK_TIMEOUT_S = env_int("EXECUTION_BLOCK_TIMEOUT_S", 300)
# The longest text an app input takes (it is stored in the run and its audit event).
APP_INPUT_MAX_CHARS = env_int("APP_INPUT_MAX_CHARS", 10_000)
EXECUTION_RUN_TIMEOUT_S = env_int("EXECUTION_RUN_TIMEOUT_S", 1800)
EXECUTION_MAX_ACTIVE_RUNS_PER_USER = env_int("EXECUTION_MAX_ACTIVE_RUNS_PER_USER", 3)
# A person's warm kernel on an app is shut down after this long unused.
EXECUTION_SESSION_IDLE_S = env_int("EXECUTION_SESSION_IDLE_S", 600)
# Beat culls idle sessions at scale; without a broker (no beat) a thread of the process does,
# this often (execution/culler.py).
EXECUTION_CULL_IN_PROCESS = env_bool("EXECUTION_CULL_IN_PROCESS", str(CELERY_BROKER_URL is None))
EXECUTION_CULL_EVERY_S = env_int("EXECUTION_CULL_EVERY_S", 60)
# A running run this long past its timeout, or a queued one this old, lost its worker.
EXECUTION_STALE_GRACE_S = env_int("EXECUTION_STALE_GRACE_S", 120)
EXECUTION_QUEUED_STALE_S = env_int("EXECUTION_QUEUED_STALE_S", 3600)
# Run events go to this HTTP endpoint when set, else to the JSON-lines file.
OPENLINEAGE_URL = env_str("OPENLINEAGE_URL")
OPENLINEAGE_FILE = Path(env_str("OPENLINEAGE_FILE", str(VAR_DIR / "openlineage.jsonl")))
OPENLINEAGE_TIMEOUT_S = env_int("OPENLINEAGE_TIMEOUT_S", 5)
CELERY_BEAT_SCHEDULE = {
    "execution-run-due-schedules": {"task": "execution.run_due_schedules", "schedule": 60.0},
    "execution-cull-idle-sessions": {"task": "execution.cull_idle_sessions", "schedule": 60.0},
}

# Audit checkpoints (accounts/checkpoints.py): the head of the audit chain, signed with
# HMAC-SHA256 under a key that lives only in the environment (or var/ for local use), is
# appended to a sink outside the database: an HTTP endpoint when set, else the JSON-lines
# file. `audit_verify` checks the chain against them.
AUDIT_SIGNING_KEY = _local_secret("AUDIT_SIGNING_KEY")
AUDIT_CHECKPOINT_URL = env_str("AUDIT_CHECKPOINT_URL")
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit_checkpoints.jsonl"))
)
AUDIT_CHECKPOINT_TIMEOUT_S = env_int("AUDIT_CHECKPOINT_TIMEOUT_S", 5)
AUDIT_CHECKPOINT_INTERVAL_S = env_int("AUDIT_CHECKPOINT_INTERVAL_S", 300)
CELERY_BEAT_SCHEDULE["accounts-audit-checkpoint"] = {
    "task": "accounts.audit_checkpoint",
    "schedule": float(AUDIT_CHECKPOINT_INTERVAL_S),
}

# E-mail (failed scheduled runs tell their owner): printed unless a backend is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tributary@localhost")
# Links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
