"""psoasapp settings: one file, every deploy-time value from the environment.

Local defaults are safe for one machine (SQLite under var/, files under media/);
DJANGO_DEBUG=false switches on production strictness.
"""

import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest imports settings before any fixture runs; tests need plain static
# storage (no collectstatic manifest) and tasks that run in-process.
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DJANGO_DEBUG", True)


def _secret_key() -> str:
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if DEBUG or TESTING:
        return "django-insecure-local-development-key-not-for-production-use-0123456789"
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY (or create var/secret_key; `make run` does this for you)."
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",  # the admin sign-in limit
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "routines",
    "blog",
    "psoasapp",  # the seed_demo command, which fills both apps
]

MIDDLEWARE = [
    # First, so that every response gets Permissions-Policy, even those answered early below.
    "psoasapp.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /healthz, before anything that checks the Host header (a load balancer probes by IP).
    "psoasapp.health.HealthCheckMiddleware",
    # /media/ is answered here, before the middleware below that a file does not need.
    "routines.streaming.MediaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After the two that serve files: it compresses pages, and only those with no secret.
    "psoasapp.middleware.PublicGZipMiddleware",
    # Pages every visitor sees alike, answered before the per-visitor middleware below.
    "routines.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Turns a locked-out sign-in into the page that says so (psoasapp/views.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "psoasapp.urls"

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
                "django.template.context_processors.csp",
                "psoasapp.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "psoasapp.wsgi.application"

# Database: SQLite under var/ by default; DATABASE_URL for anything else.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'psoasapp.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    # Opening a connection and running those PRAGMAs costs about 2 ms, as much as a small
    # page's queries, so each server thread keeps its connection (health-checked) for a while.
    if not os.environ.get("DJANGO_CONN_MAX_AGE"):
        DATABASES["default"]["CONN_MAX_AGE"] = 600
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One psycopg pool per process: a thread borrows a connection for a request and gives it
    # back at the end. Threads sending video never touch the database, so a process needs
    # far fewer connections than gunicorn's 64 threads; those beyond max_size wait up to
    # the timeout (like SQLite's busy timeout) for one to come back.
    # DJANGO_DB_POOL_MAX_SIZE=0 turns the pool off (persistent connections, or PgBouncer).
    _pool_min = int(os.environ.get("DJANGO_DB_POOL_MIN_SIZE", "2"))
    _pool_max = int(os.environ.get("DJANGO_DB_POOL_MAX_SIZE", "16"))
    if _pool_max > 0:
        if DATABASES["default"]["CONN_MAX_AGE"] != 0:
            raise ImproperlyConfigured(
                "DJANGO_CONN_MAX_AGE must be 0 or unset while the PostgreSQL pool is on; set "
                "DJANGO_DB_POOL_MAX_SIZE=0 to keep persistent connections instead."
            )
        if not 0 <= _pool_min <= _pool_max:
            raise ImproperlyConfigured(
                f"DJANGO_DB_POOL_MIN_SIZE ({_pool_min}) must be between 0 and "
                f"DJANGO_DB_POOL_MAX_SIZE ({_pool_max})."
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": _pool_min,
            "max_size": _pool_max,
            "timeout": float(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "20")),
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files: WhiteNoise serves them, compressed (gzip + brotli) and, outside
# DEBUG, with hashed names so they can be cached for a year.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Without collectstatic (tests, DEBUG) WhiteNoise finds files where they live.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Replaced below by S3-compatible object storage when a bucket is configured.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "psoasapp.storage.StaticFilesStorage"
        )
    },
}


def s3_media_storage(environ: Mapping[str, str]) -> dict | None:
    """STORAGES["default"] for media in an S3-compatible bucket; None when no bucket is named.

    Files are private: pages and /media/ give visitors short-lived presigned URLs.
    The tests build their storage with this too, against a real S3 server.
    """
    if not (bucket := environ.get("AWS_STORAGE_BUCKET_NAME")):
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": int(environ.get("AWS_QUERYSTRING_EXPIRE", "3600")),
            # botocore would presign with Signature Version 2 in older regions, which AWS
            # refuses for buckets made since 2020; version 4 works everywhere.
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }


def s3_media_origin(environ: Mapping[str, str]) -> str | None:
    """The origin pages load media from when it is in a bucket (for the CSP), else None."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        return None
    if origin := environ.get("PSOASAPP_MEDIA_ORIGIN"):
        return origin
    if endpoint := environ.get("AWS_S3_ENDPOINT_URL"):
        # A CSP source with a path matches only that path; presigned URLs add the bucket.
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def csp_allowing_media_from(policy: dict, origin: str | None) -> dict:
    """The CSP `policy` with images and media also allowed from `origin`, when there is one."""
    if not origin:
        return policy
    return {**policy, **{name: [*policy[name], origin] for name in ("img-src", "media-src")}}


# Media on S3-compatible object storage (django-storages), for many machines.
if media_storage := s3_media_storage(os.environ):
    STORAGES["default"] = media_storage
# Pages load posters, images and video straight from the bucket's origin.
MEDIA_ORIGIN = s3_media_origin(os.environ)

# Uploads larger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# On disk under var/ rather than in /tmp, which is RAM (tmpfs) on many systems; a video
# upload must never be held in memory.
FILE_UPLOAD_TEMP_DIR = os.environ.get("DJANGO_FILE_UPLOAD_TEMP_DIR") or str(VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o644
# The second handler streams big uploads to FILE_UPLOAD_TEMP_DIR and stops writing one
# that passes PSOASAPP_VIDEO_MAX_UPLOAD_BYTES (routines/upload.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "routines.upload.SizeLimitedUploadHandler",
]

# Videos: the upload limit, where the worker converts them, and crash recovery. The worker
# records a heartbeat every HEARTBEAT_SECONDS while processing; `manage.py reap_videos`
# queues again a video whose heartbeat is older than STALE_SECONDS (its worker died), at
# most MAX_ATTEMPTS times in all, then marks it failed.
PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = int(
    os.environ.get("PSOASAPP_VIDEO_MAX_UPLOAD_BYTES", str(2 * 1024**3))
)
PSOASAPP_VIDEO_WORK_DIR = Path(os.environ.get("PSOASAPP_VIDEO_WORK_DIR", VAR_DIR / "video-work"))
PSOASAPP_VIDEO_HEARTBEAT_SECONDS = float(os.environ.get("PSOASAPP_VIDEO_HEARTBEAT_SECONDS", "10"))
PSOASAPP_VIDEO_STALE_SECONDS = float(os.environ.get("PSOASAPP_VIDEO_STALE_SECONDS", "120"))
PSOASAPP_VIDEO_MAX_ATTEMPTS = int(os.environ.get("PSOASAPP_VIDEO_MAX_ATTEMPTS", "3"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background tasks: a database queue worked by `manage.py db_worker`; tests run them
# in-process. DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend puts the queue on Redis instead
# (DJANGO_TASKS_REDIS_URL, else REDIS_URL), worked by `manage.py rqworker`.
TASKS_BACKEND = os.environ.get(
    "DJANGO_TASKS_BACKEND",
    "django.tasks.backends.immediate.ImmediateBackend"
    if TESTING
    else "django_tasks_db.DatabaseBackend",
)
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
# RQ stops a task that runs longer than this (its default is 3 minutes); a transcode of a
# long upload on a small machine can take an hour or more.
PSOASAPP_VIDEO_TASK_TIMEOUT = int(os.environ.get("PSOASAPP_VIDEO_TASK_TIMEOUT", str(4 * 3600)))
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    tasks_redis_url = os.environ.get("DJANGO_TASKS_REDIS_URL") or os.environ.get("REDIS_URL")
    if not tasks_redis_url:
        raise ImproperlyConfigured(
            "DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend keeps the queue in Redis: set "
            "REDIS_URL (or DJANGO_TASKS_REDIS_URL), e.g. redis://127.0.0.1:6379/1."
        )
    # django_rq provides `manage.py rqworker`; django_tasks_rq's job class runs our tasks.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    RQ_QUEUES = {
        "default": {"URL": tasks_redis_url, "DEFAULT_TIMEOUT": PSOASAPP_VIDEO_TASK_TIMEOUT}
    }

# Cache: local memory on one machine, Redis when REDIS_URL is set.
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for every page of a large site (about 30 MB per worker process).
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Pages anonymous visitors see are kept this long (0 turns the page cache off); any save or
# delete of content replaces them at once (routines/caching.py). With the local-memory cache
# the worker processes learn of a change through this file.
PSOASAPP_PAGE_CACHE_SECONDS = int(os.environ.get("PSOASAPP_PAGE_CACHE_SECONDS", "600"))
PSOASAPP_CONTENT_VERSION_FILE = Path(
    os.environ.get("PSOASAPP_CONTENT_VERSION_FILE") or VAR_DIR / "content-version"
)

# Behind a proxy a client's address (counted by comment, sign-in and sharing limits) is the
# last one the proxy added to X-Forwarded-For (routines/addresses.py).
PSOASAPP_TRUST_X_FORWARDED_FOR = env_bool("DJANGO_BEHIND_PROXY", False)

# Practice insights (routines/sharing.py, routines/insights.py): shared sessions accepted
# per address per hour; a routine is flagged when more than this share of at least this many
# sessions felt worse.
PSOASAPP_INSIGHTS_SHARES_PER_HOUR = int(os.environ.get("PSOASAPP_INSIGHTS_SHARES_PER_HOUR", "10"))
PSOASAPP_INSIGHTS_WORSE_SHARE = float(os.environ.get("PSOASAPP_INSIGHTS_WORSE_SHARE", "0.3"))
PSOASAPP_INSIGHTS_MIN_SESSIONS = int(os.environ.get("PSOASAPP_INSIGHTS_MIN_SESSIONS", "5"))

# Security. The CSP allows nothing inline: scripts and styles come from our own
# static files, and data reaches scripts through json_script or data- attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP = csp_allowing_media_from(SECURE_CSP, MEDIA_ORIGIN)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Database sessions that ignore a forged session cookie (one holding NUL, say) instead of
# handing it to the database.
SESSION_ENGINE = "psoasapp.sessions"
# A form sent without its CSRF token gets a page in the site's shell that says to reload.
CSRF_FAILURE_VIEW = "psoasapp.views.csrf_failure"
# Browser features no page uses are switched off; the session player keeps the screen awake.
# psoasapp.middleware.SecurityHeadersMiddleware sends it with every response.
PSOASAPP_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), screen-wake-lock=(self)"
)
# A load balancer probes /healthz over plain HTTP (psoasapp/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Admin sign-in limit (django-axes): after PSOASAPP_LOGIN_FAILURE_LIMIT wrong passwords for
# one username from one address, that pair is refused for PSOASAPP_LOGIN_COOLOFF_MINUTES
# (0: until staff unlock it); the same username from elsewhere, and other usernames from that
# address, still get in. Staff unlock early in admin (Axes → Access attempts: delete) or with
# `manage.py axes_reset`. The address is the one comments are counted by (routines.addresses):
# the peer's, or with DJANGO_BEHIND_PROXY=true the last one the proxy added to X-Forwarded-For.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PSOASAPP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = (
    timedelta(minutes=_cooloff)
    if (_cooloff := int(os.environ.get("PSOASAPP_LOGIN_COOLOFF_MINUTES", "60")))
    else None
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "routines.addresses.client_ip"
AXES_LOCKOUT_CALLABLE = "psoasapp.views.login_locked_out"

# Behind HTTPS (the default once DEBUG is off) cookies are Secure and plain
# HTTP is redirected. `make run` serves plain HTTP on localhost and so sets
# DJANGO_HTTPS=false.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SITE_NAME = os.environ.get("PSOASAPP_SITE_NAME", "Psoas Release")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Blog and comments (blog). Moderation follows WordPress: a first comment waits for
# approval, and a commenter whose email address already has an approved comment is let through.
# Absolute links in emails (the moderation link sent to a post's author) start with SITE_URL.
SITE_URL = os.environ.get("PSOASAPP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Days after publication when a post stops taking comments; 0 keeps comments open for good.
BLOG_COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("BLOG_COMMENTS_CLOSE_AFTER_DAYS", "0"))
# Levels of a thread: 3 allows a comment, a reply to it, and a reply to that.
BLOG_COMMENT_MAX_DEPTH = int(os.environ.get("BLOG_COMMENT_MAX_DEPTH", "3"))
# One comment per IP address in this many seconds (counted in the cache, so Redis shares it).
BLOG_COMMENT_FLOOD_SECONDS = int(os.environ.get("BLOG_COMMENT_FLOOD_SECONDS", "15"))
# A comment with more links than this waits for moderation, whoever sent it.
BLOG_COMMENT_MAX_LINKS = int(os.environ.get("BLOG_COMMENT_MAX_LINKS", "2"))
# The comment form is signed with the time it was shown: sent sooner than this it is a robot,
# later than the maximum it is refused (politely, keeping the text) as stale.
BLOG_COMMENT_MIN_SECONDS = int(os.environ.get("BLOG_COMMENT_MIN_SECONDS", "3"))
BLOG_COMMENT_FORM_MAX_AGE_SECONDS = int(
    os.environ.get("BLOG_COMMENT_FORM_MAX_AGE_SECONDS", str(2 * 24 * 60 * 60))
)
# Comma-separated words or phrases; a comment containing one (in any field) is marked spam.
BLOG_DISALLOWED_WORDS = env_list("BLOG_DISALLOWED_WORDS", "")
# Comments link a bare "www.example.com" over https, as Django will by default from 2028.
URLIZE_ASSUME_HTTPS = True

# Email. Django 6.1 configures mail with MAILERS (its EMAIL_* settings are deprecated), so
# the usual EMAIL_* variables feed it. Served over HTTPS (production) mail goes by SMTP, to
# EMAIL_HOST or a local MTA; a plain-HTTP local run (`make run`) prints it to the console log
# unless EMAIL_HOST names a server.
if smtp_host := os.environ.get("EMAIL_HOST", "" if not HTTPS else "localhost"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": smtp_host,
                "port": int(
                    os.environ.get("EMAIL_PORT", "587" if smtp_host != "localhost" else "25")
                ),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", smtp_host != "localhost"),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
