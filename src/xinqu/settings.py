"""The one settings module. Every deployment choice is an XINQU_* environment variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from xinqu.envvars import env_bool, env_database, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
# Data (the SQLite file, collected static files) lives under var/ in the working directory
# unless XINQU_VAR_DIR says otherwise.
VAR_DIR = Path(env_str("XINQU_VAR_DIR", "var")).resolve()

DEBUG = env_bool("XINQU_DEBUG", False)

SECRET_KEY = env_str("XINQU_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "XINQU_SECRET_KEY is not set: production mode (XINQU_DEBUG=0) refuses to start without it."
        )
    SECRET_KEY = "django-insecure-xinqu-development-only"

ALLOWED_HOSTS = env_list("XINQU_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("XINQU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "xinqu.core",
    "xinqu.home",
    "xinqu.updates",
    "xinqu.enterprises",
    "xinqu.indicators",
    "xinqu.workflow",
    "xinqu.service_requests",
    "xinqu.safety",
    "xinqu.plans",
    "xinqu.projects",
    "xinqu.investment",
    "xinqu.innovation",
    "xinqu.cockpit",
    "xinqu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xinqu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinqu.core.middleware.SessionRefreshMiddleware",
    "xinqu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xinqu.core.middleware.RequestContextMiddleware",
    "xinqu.core.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinqu.urls"
FORM_RENDERER = "xinqu.core.forms.FormRenderer"
WSGI_APPLICATION = "xinqu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinqu.core.context_processors.navigation",
                "xinqu.core.context_processors.access",
                "xinqu.core.context_processors.period",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'xinqu.sqlite3'}"
_db = env_database("XINQU_DATABASE_URL", _default_db)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE transactions plus a busy timeout make
    # concurrent writers wait their turn instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    _db["CONN_MAX_AGE"] = env_int("XINQU_DB_CONN_MAX_AGE", 60, minimum=0)
    _db["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: a page's statistics are short queries over indexes, for which
    # PostgreSQL's JIT costs 20–30 ms of compiling per query and saves nothing (measured on the
    # cockpit at benchmark scale, docs/benchmarks.md).
    _options: dict[str, Any] = dict(_db.get("OPTIONS") or {})  # type: ignore[call-overload]
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    _db["OPTIONS"] = _options
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and account security --------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "xinqu.core.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("XINQU_LOCKOUT_ATTEMPTS", 5, minimum=3, maximum=20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("XINQU_LOCKOUT_MINUTES", 15, minimum=5))
# Each parameter locks on its own: 5 failures for one username lock it from every address,
# 5 failures from one address lock that address for every username.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# How many reverse proxies (nginx …) stand in front of the app; their X-Forwarded-For is trusted.
PROXY_COUNT = env_int("XINQU_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "xinqu.core.middleware.client_ip"

SESSION_IDLE_MINUTES = env_int("XINQU_SESSION_IDLE_MINUTES", 30, minimum=5, maximum=480)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The expiry counts from the last use, an idle timeout: SessionRefreshMiddleware moves it on,
# writing the session at most once a minute rather than on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Production hardening -----------------------------------------------------------------------
HTTPS = env_bool("XINQU_HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("XINQU_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Audit --------------------------------------------------------------------------------------
AUDIT_MIN_RETENTION_DAYS = 184  # the legal floor (网络安全法: logs kept at least six months)
AUDIT_RETENTION_DAYS = env_int("XINQU_AUDIT_RETENTION_DAYS", 184, minimum=AUDIT_MIN_RETENTION_DAYS)

# --- Imports ------------------------------------------------------------------------------------
# An .xlsx whose parts would unpack to more than this is refused before anything is unpacked.
IMPORT_MAX_UNPACKED_MB = env_int("XINQU_IMPORT_MAX_UNPACKED_MB", 500, minimum=10)
IMPORT_DIR = VAR_DIR / "imports"
EXPORT_DIR = VAR_DIR / "exports"
# The monthly briefings' .docx and PDF files.
BRIEFING_DIR = VAR_DIR / "briefings"
# The Chinese font the briefing's PDF embeds and its charts draw with (.ttc, .otf or .ttf). Empty:
# the first of the usual places that holds Noto Sans CJK (Debian's fonts-noto-cjk) or WenQuanYi.
CJK_FONT = env_str("XINQU_CJK_FONT", "")
# Attachments of closed-loop items: kept under var/, served only through permission-checked views.
MEDIA_ROOT = VAR_DIR / "media"
ATTACHMENT_MAX_MB = env_int("XINQU_ATTACHMENT_MAX_MB", 20, minimum=1)
# The department (by code) that takes enterprise service requests in and dispatches them.
SERVICE_CENTRE_DEPARTMENT = env_str("XINQU_SERVICE_CENTRE", "business-env")
# The department (by code) that arranges and verifies the rectification of work-safety hazards.
SAFETY_DEPARTMENT = env_str("XINQU_SAFETY_DEPARTMENT", "safety")
# The office that drafts the yearly plan, keeps its tree and reporting periods and scores departments.
PLAN_OFFICE_DEPARTMENT = env_str("XINQU_PLAN_OFFICE", "office")
# The department that keeps the construction project ledger and runs the scheduling meeting.
PROJECTS_CENTRE_DEPARTMENT = env_str("XINQU_PROJECTS_CENTRE", "projects")
# The investment promotion bureau (招商局), which keeps the exchange rates, agencies and ambassadors.
INVESTMENT_DEPARTMENT = env_str("XINQU_INVESTMENT_DEPARTMENT", "invest")
# The department that keeps the innovation registry (科技创新局).
INNOVATION_DEPARTMENT = env_str("XINQU_INNOVATION_DEPARTMENT", "tech")
# The statistics office (by code): it closes each month (关账), which sets the zone's reporting period.
STATISTICS_DEPARTMENT = env_str("XINQU_STATISTICS_OFFICE", "stats")
# Public request form: at most this many filings per address in ten minutes.
PUBLIC_FILINGS_PER_10_MIN = env_int("XINQU_PUBLIC_FILINGS_PER_10_MIN", 5, minimum=1)
# Notifications also go by e-mail to users who have an address. The demo and development print
# mail to the console; production sets XINQU_EMAIL_HOST (SMTP).
EMAIL_HOST = env_str("XINQU_EMAIL_HOST", "")
EMAIL_PORT = env_int("XINQU_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("XINQU_EMAIL_FROM", "xinqu@localhost")
SITE_URL = env_str("XINQU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How much a "basically satisfied" rating counts in the satisfaction rate, in percent of "satisfied".
SATISFACTION_BASIC_WEIGHT = env_int("XINQU_SATISFACTION_BASIC_WEIGHT", 80, minimum=0, maximum=100) / 100
# Imports and large exports run on the worker (`xinqu worker`) so the page can show progress;
# tests run them in the request.
IMPORTS_IN_BACKGROUND = env_bool("XINQU_IMPORTS_IN_BACKGROUND", True)
# The queue is a table in the application's own database (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A job still "running" after this long is taken to have died with its process.
JOB_TIMEOUT_MINUTES = env_int("XINQU_JOB_TIMEOUT_MINUTES", 120, minimum=5, maximum=24 * 60)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# --- Demo ---------------------------------------------------------------------------------------
DEMO_PASSWORD = env_str("XINQU_DEMO_PASSWORD", "Xinqu-demo-2026")
# The article's zone has 40,000 enterprises; tests use fewer (the qualified ones are the same).
DEMO_ENTERPRISES = env_int("XINQU_DEMO_ENTERPRISES", 40_000, minimum=3_000)
DEMO_REQUESTS = env_int("XINQU_DEMO_REQUESTS", 400, minimum=25)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["xinqu.formats"]
TIME_ZONE = env_str("XINQU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves straight from the package, so a fresh install works without collectstatic.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("XINQU_LOG_LEVEL", "WARNING")},
}
