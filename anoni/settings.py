"""Django settings, read from the environment with embedded defaults.

With no environment at all, Anoni runs as a single self-contained server: SQLite and chunk files
under var/, an in-process cache, and a secret key generated into var/ on first start.
Production sets DATABASE_URL, ANONI_REDIS_URL and ANONI_STORAGE=s3 (see docs/deploy.md).
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("ANONI_VAR_DIR", BASE_DIR / "var"))
# Only its owner's: in the embedded configuration it holds the database (usernames, verifiers,
# wrapped keys), the chunks and the generated secret key.
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _secret_key():
    """SECRET_KEY from the environment, else one generated once into var/ (mode 0600)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written whole under a temporary name, then linked into place, so that a process starting
        # at the same moment (a gunicorn worker, a management command) finds either no key or the
        # whole key, never an empty file; the first link wins and every process reads that key.
        fd, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "anoni.admin_site.AnoniAdminConfig",  # django.contrib.admin, its login rate limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "anoni",
    "accounts",
    "documents",
    "webclient",
    "blog",
    "feedback",
    "stats",
    "diagnostics",
]

MIDDLEWARE = [
    "anoni.middleware.UntrustedForwardingMiddleware",  # before anything reads the scheme or address
    "anoni.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "anoni.middleware.StaticFilesMiddleware",  # whitenoise's
    "anoni.middleware.BodySizeLimitMiddleware",
    "accounts.middleware.ResponseSigningMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anoni.middleware.SiteLocaleMiddleware",  # Django's, English for the API
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stats.middleware.PageViewMiddleware",
    "diagnostics.middleware.BetaDiagnosticsMiddleware",
]

ROOT_URLCONF = "anoni.urls"
WSGI_APPLICATION = "anoni.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anoni.context_processors.operator",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL is set -------------------------------------
if os.environ.get("DATABASE_URL"):
    import dj_database_url

    # Persistent connections, checked before each request reuses one: after a database outage a
    # thread's old connection is dead, and without the check its next request would fail.
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60,
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Secrets come from the environment (or var/) only: libpq must not fall back to ~/.pgpass.
        DATABASES["default"].setdefault("OPTIONS", {})["passfile"] = str(VAR_DIR / "pgpass")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "anoni.sqlite3",
            # Write-ahead logging: a commit appends to one log instead of syncing a rollback
            # journal and the database, and readers no longer wait for a writer. Each thread
            # keeps its connection, since opening one (and registering Django's SQL functions
            # on it) took a millisecond of every request. secure_delete zeroes what a deleted
            # or rewritten row leaves behind (anoni/database.py does the rest).
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON"},
            "CONN_MAX_AGE": 600,
            # The test database is a file too: in memory, the live test server's threads would
            # share one connection (and its transactions) instead of each having their own.
            "TEST": {"NAME": str(VAR_DIR / "test-anoni.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: nonces, SRP challenges, session keys, rate limits ------------------------------------
# Redis in production, so that every app server sees the same state. The embedded default is an
# in-process cache, which is why `make run` serves with one gunicorn process (and many threads).
ANONI_REDIS_URL = os.environ.get("ANONI_REDIS_URL", "")
if ANONI_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ANONI_REDIS_URL,
            "KEY_PREFIX": os.environ.get("ANONI_CACHE_PREFIX", "anoni"),
            # A Redis that stops answering is an outage (503 `cache_unavailable`), not a request
            # that hangs until gunicorn kills its worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    # Nonces must outlive their session: Django's default of 300 entries would evict them (and
    # the session keys) under ordinary traffic, reopening a replay window. Expired entries are
    # swept out (anoni/cache.py), so what the cache holds is what one process can take in within
    # the longest lifetime: a nonce lives 6 minutes, ~90,000 of them at 250 signed requests a
    # second. The cap only bounds the worst case (~1.7 kB an entry: 340 MB).
    CACHES = {"default": {"BACKEND": "anoni.cache.ExpiringLocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 200_000}}}

# --- Storage of encrypted chunks ----------------------------------------------------------------
ANONI_STORAGE = os.environ.get("ANONI_STORAGE", "files")
if ANONI_STORAGE not in ("files", "s3"):
    # Any other value ("S3", "s3 ") used to mean files, silently: chunks on the local disk of a
    # server meant to keep none.
    raise ImproperlyConfigured(f"ANONI_STORAGE must be files or s3, not {ANONI_STORAGE!r}.")
CHUNK_STORAGE_DIR = Path(os.environ.get("ANONI_CHUNK_DIR", VAR_DIR / "chunks"))
if ANONI_STORAGE == "s3":
    import botocore.config

    # Credentials come from the environment only, never from ~/.aws or an instance's metadata.
    for _name, _value in (("AWS_CONFIG_FILE", os.devnull), ("AWS_SHARED_CREDENTIALS_FILE", os.devnull),
                          ("AWS_EC2_METADATA_DISABLED", "true")):
        os.environ.setdefault(_name, _value)
    CHUNK_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("ANONI_S3_BUCKET", "anoni"),
            "endpoint_url": os.environ.get("ANONI_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ANONI_S3_REGION") or None,
            "access_key": os.environ.get("ANONI_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ANONI_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "file_overwrite": True,
            "querystring_auth": False,
            "addressing_style": os.environ.get("ANONI_S3_ADDRESSING_STYLE", "path"),
            # One pooled connection per gunicorn thread (botocore keeps 10), and a store that
            # does not answer is reported (503 storage_unavailable) within seconds, not minutes.
            # Reads ask for no response checksum: with one, botocore fails on a 5xx answer that
            # carries it (AttributeError, boto/boto3#4754: a 500, not a retry), as rclone's did
            # for an object deleted while read. The client checks every box's MAC anyway.
            "client_config": botocore.config.Config(
                s3={"addressing_style": os.environ.get("ANONI_S3_ADDRESSING_STYLE", "path")},
                max_pool_connections=env_int("ANONI_THREADS", 16) + 4, connect_timeout=5,
                read_timeout=60, retries={"mode": "standard", "max_attempts": 3},
                response_checksum_validation="when_required"),
        },
    }
else:
    CHUNK_STORAGE = {
        "BACKEND": "documents.storage.ChunkFileStorage",
        "OPTIONS": {"location": str(CHUNK_STORAGE_DIR), "file_permissions_mode": 0o600,
                    "directory_permissions_mode": 0o700, "allow_overwrite": True},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "media")}},
    "chunks": CHUNK_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
    ("ro", _("Romanian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["anoni.formats"]  # where a language's dates differ from Django's
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = env_bool("ANONI_SECURE_COOKIES", False)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_MAX_AGE = 3600

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ANONI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("ANONI_SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = env_bool("ANONI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ANONI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("ANONI_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
ANONI_PROXY_COUNT = env_int("ANONI_PROXY_COUNT", 0)
# The peers whose X-Forwarded-For and X-Forwarded-Proto are believed (gunicorn.conf.py gives
# gunicorn the same): addresses or networks, comma-separated, or "*".
ANONI_FORWARDED_ALLOW_IPS = env_list("ANONI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Signed JSON bodies are small; only chunk uploads carry up to one box (4 MiB + 65 bytes).
ANONI_MAX_JSON_BODY = env_int("ANONI_MAX_JSON_BODY", 64 * 1024)
ANONI_MAX_CHUNK_BOX = 4 * 1024 * 1024 + 65  # a full chunk's box: every chunk but the last is one
DATA_UPLOAD_MAX_MEMORY_SIZE = ANONI_MAX_CHUNK_BOX + 1024

# --- Anoni protocol -------------------------------------------------------------------------------
ANONI_SESSION_TTL = env_int("ANONI_SESSION_TTL", 300)          # seconds a signed session lives
ANONI_CHALLENGE_TTL = env_int("ANONI_CHALLENGE_TTL", 60)       # seconds an SRP challenge lives
ANONI_CLOCK_SKEW = env_int("ANONI_CLOCK_SKEW", 60)             # accepted |ts - server time|
# The slowest a request's body is expected to come in, in bytes a second: a proxy that buffers
# bodies (deploy/) hands a request on only once its body is all in, and the request is judged from
# when it may have begun to arrive, that long before (accounts/authentication.py). 8 KiB/s for each
# of eight chunks in flight is a line of 0.5 Mbit/s; a 4 MiB chunk then takes 8.5 minutes.
ANONI_SLOWEST_UPLOAD = env_int("ANONI_SLOWEST_UPLOAD", 8 * 1024)
ANONI_MIN_KDF_ITERATIONS = env_int("ANONI_MIN_KDF_ITERATIONS", 600_000)
ANONI_MAX_KDF_ITERATIONS = env_int("ANONI_MAX_KDF_ITERATIONS", 10_000_000)
ANONI_DEFAULT_KDF_ITERATIONS = 600_000
ANONI_QUOTA_BYTES = env_int("ANONI_QUOTA_BYTES", 10 * 1024**3)
# The sealed metadata (names, types, tree hashes) of an account's documents and folders, which the
# quota above does not count: some 200,000 documents with their folders, at a few hundred bytes each.
ANONI_METADATA_BYTES = env_int("ANONI_METADATA_BYTES", 64 * 1024**2)
ANONI_PENDING_MAX_AGE = env_int("ANONI_PENDING_MAX_AGE", 24 * 3600)
# The browser vault logs itself out (erasing its keys) after this long unattended; 0: never.
ANONI_VAULT_IDLE_LOGOUT = env_int("ANONI_VAULT_IDLE_LOGOUT", 30 * 60)

# Rate limits: (attempts, window seconds).
ANONI_LOGIN_FAILURES_PER_USERNAME = (env_int("ANONI_LOGIN_FAILURES_PER_USERNAME", 30), 900)
ANONI_LOGIN_FAILURES_PER_ADDRESS = (env_int("ANONI_LOGIN_FAILURES_PER_ADDRESS", 30), 900)
ANONI_LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = (
    env_int("ANONI_LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS", 10), 900)
ANONI_SIGNUPS_PER_ADDRESS = (env_int("ANONI_SIGNUPS_PER_ADDRESS", 10), 3600)
ANONI_CHALLENGES_PER_ADDRESS = (env_int("ANONI_CHALLENGES_PER_ADDRESS", 120), 60)
ANONI_ADMIN_LOGIN_FAILURES_PER_ADDRESS = (env_int("ANONI_ADMIN_LOGIN_FAILURES_PER_ADDRESS", 10), 900)
ANONI_FEEDBACK_PER_ADDRESS = (env_int("ANONI_FEEDBACK_PER_ADDRESS", 5), 3600)
ANONI_CLIENT_LOGS_PER_ADDRESS = (env_int("ANONI_CLIENT_LOGS_PER_ADDRESS", 10), 3600)

# --- The operator (shown on the site) -------------------------------------------------------------
# The name and the place, left unset, read in the page's language; set, they read as set in all.
ANONI_OPERATOR_NAME = os.environ.get("ANONI_OPERATOR_NAME") or _("The Anoni operator")
ANONI_OPERATOR_CONTACT = os.environ.get("ANONI_OPERATOR_CONTACT", "privacy@example.org")
ANONI_DATA_LOCATION = os.environ.get("ANONI_DATA_LOCATION") or _("the operator's own server")
ANONI_BETA_DIAGNOSTICS = env_bool("ANONI_BETA_DIAGNOSTICS", False)
ANONI_DIAGNOSTICS_RETENTION_DAYS = env_int("ANONI_DIAGNOSTICS_RETENTION_DAYS", 30)
# Page statistics (anonymised addresses, by day): a year, for a comparison with the year before.
ANONI_STATS_RETENTION_DAYS = env_int("ANONI_STATS_RETENTION_DAYS", 365)
# bench/browser.py only: adds the browser benchmark to the vault page and its results endpoint.
ANONI_BENCH = env_bool("ANONI_BENCH", False)

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.SignedRequestAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["anoni.api.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "anoni.api.JsonAnswers",
    "EXCEPTION_HANDLER": "anoni.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # No OPTIONS: 405, as for any method an endpoint does not take (DRF would describe the view).
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anoni API",
    "DESCRIPTION": "The zero-knowledge vault's REST API. The protocol is described in docs/protocol.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "anoni.schema.add_common_errors"],
}

# --- Logging: no addresses, no secrets ------------------------------------------------------------
# In any case, as gunicorn's own level (ANONI_GUNICORN_LOG_LEVEL) is: logging knows only capitals.
ANONI_LOG_LEVEL = os.environ.get("ANONI_LOG_LEVEL", "WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"without_ids": {"()": "anoni.logs.WithoutIds"}, "one_line": {"()": "anoni.logs.OneLine"}},
    # Every record the console writes has its ids written as <id> (anoni.logs.WithoutIds): a
    # storage failure names the object it failed on, and delete means gone, from the log too.
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["without_ids"]},
                 "nowhere": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["console"], "level": ANONI_LOG_LEVEL},
    "loggers": {
        # django.request logs the path of each refused request: its ids are written as <id>, lest
        # the log name an erased account's documents and folders after they are gone.
        "django.request": {"filters": ["without_ids"]},
        # django.server (runserver) likewise.
        "django.server": {"filters": ["without_ids"]},
        # A request for another host name is noise, and its Host header is the sender's text.
        # (With no handler at all, Python's last resort would print it, traceback and all.)
        "django.security.DisallowedHost": {"handlers": ["nowhere"], "propagate": False},
        **{f"django.security.{refusal}": {"filters": ["one_line"]}
           for refusal in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")},
    },
}
