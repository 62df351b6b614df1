"""AbleWork settings.  Everything comes from the environment (see ``config/env.py``).

Defaults are the demo/development set-up: embedded SQLite, console e-mail and SMS, DEBUG on.
Production sets ``ABLEWORK_DEMO=0``, ``DEBUG=0``, ``SECRET_KEY``, the two ID keys and
``DATABASE_URL`` (see docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ABLEWORK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
DEMO_MODE = env_bool("ABLEWORK_DEMO", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "ablework.core",
    "ablework.accounts",
    "ablework.people",
    "ablework.employers",
    "ablework.quota",
    "ablework.subsidies",
    "ablework.assisted",
    "ablework.training",
    "ablework.jobs",
    "ablework.exchange",
    "ablework.reports",
    "ablework.portal",
    "ablework.demo",
]

MIDDLEWARE = [
    "ablework.core.metrics.MetricsMiddleware",  # outermost: counts and times every answer (/core/metrics)
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ablework.accounts.middleware.SecondFactorMiddleware",
    "ablework.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ablework.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ablework.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker use the file at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ablework.accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 idle minutes and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind the TLS-terminating proxy (docs/operations.md: nginx sets X-Forwarded-Proto), production redirects
# plain HTTP to HTTPS by default; the health check and the metrics scrape stay reachable over plain HTTP.
_BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and _BEHIND_TLS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^core/healthz$", r"^core/metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _BEHIND_TLS_PROXY else None
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Lockout after 5 failures (django-axes), per user name and IP.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# A second factor (TOTP) is required for city administrators outside demo mode.
ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN = env_bool("REQUIRE_TOTP_FOR_CITY_ADMIN", not DEMO_MODE)
OTP_TOTP_ISSUER = "AbleWork 天津"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("vendor", BASE_DIR / "node_modules")] if (BASE_DIR / "node_modules").exists() else []
MEDIA_ROOT = VAR_DIR / "uploads"  # outside the web root, served only through access-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Content Security Policy: same origin only, nonces for the few scripts we load, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Background tasks: django_tasks with the database backend, worker `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}


# Personal data protection: keys for the ID-number cipher and the keyed lookup hash.
# The demo derives them from SECRET_KEY; production must set both (32 bytes, base64).
def _key(name: str) -> bytes:
    raw = env_secret(name, "")
    if not raw:
        if not DEMO_MODE:
            raise ImproperlyConfigured(f"{name} is required outside demo mode (32 random bytes, base64)")
        return hashlib.sha256(f"{name}:{SECRET_KEY}".encode()).digest()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64") from exc
    if len(key) not in (16, 32):
        raise ImproperlyConfigured(f"{name} must decode to 16 or 32 bytes")
    return key


ABLEWORK_LEVY_CHUNK = env_int("LEVY_CHUNK", 5000)  # employers per transaction in the levy batch task

ABLEWORK_ID_ENCRYPTION_KEY = _key("ID_ENCRYPTION_KEY")
# Key rotation (docs/operations.md §3): the current key's version is written into every new ciphertext;
# retired keys stay readable as ID_ENCRYPTION_OLD_KEYS="1:<base64>,2:<base64>" until
# `manage.py rotate_id_encryption` has re-encrypted every row under the current key.
ABLEWORK_ID_KEY_VERSION = env_str("ID_ENCRYPTION_KEY_VERSION", "1")
if not ABLEWORK_ID_KEY_VERSION.isdigit():
    raise ImproperlyConfigured("ID_ENCRYPTION_KEY_VERSION must be a number")


def _old_keys(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        version, _, b64 = item.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"ID_ENCRYPTION_OLD_KEYS: version {version} is not valid base64") from exc
        if not version.isdigit() or len(key) not in (16, 32):
            raise ImproperlyConfigured("ID_ENCRYPTION_OLD_KEYS must be version:base64 pairs of 16 or 32 bytes")
        keys[version] = key
    return keys


ABLEWORK_ID_ENCRYPTION_KEYS = {
    **_old_keys(env_secret("ID_ENCRYPTION_OLD_KEYS", "")),
    ABLEWORK_ID_KEY_VERSION: ABLEWORK_ID_ENCRYPTION_KEY,
}
ABLEWORK_ID_LOOKUP_KEY = _key("ID_LOOKUP_KEY")
ABLEWORK_ID_CIPHER = env_str("ID_CIPHER", "AES-GCM")  # or "SM4-GCM"
if ABLEWORK_ID_CIPHER not in ("AES-GCM", "SM4-GCM"):
    raise ImproperlyConfigured("ID_CIPHER must be AES-GCM or SM4-GCM")

# Notifications: e-mail through Django's backend, SMS through our pluggable backend.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AbleWork <noreply@ablework.invalid>")
ABLEWORK_SMS_BACKEND = env_str("SMS_BACKEND", "ablework.core.sms.FileSMSBackend")
ABLEWORK_SMS_FILE_PATH = VAR_DIR / "outbox" / "sms"
ABLEWORK_SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
ABLEWORK_SMS_GATEWAY_TOKEN = env_secret("SMS_GATEWAY_TOKEN", "")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AbleWork API",
    "DESCRIPTION": "天津市残疾人就业服务管理平台 数据共享接口",
    "VERSION": "0.1.0",
}

# Monitoring (docs/operations.md): /core/metrics answers a scraper holding METRICS_TOKEN (or a city user);
# LOG_FORMAT=json writes one JSON object per line; LOG_REQUESTS=1 adds one line per request.
ABLEWORK_METRICS_TOKEN = env_secret("METRICS_TOKEN", "")
ABLEWORK_LOG_REQUESTS = env_bool("LOG_REQUESTS", False)
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ablework.core.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
