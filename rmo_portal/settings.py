"""Settings for the RMO portal: one module, every deployment knob from the environment.

The knobs are listed in README.md and .env.example. With no DATABASE_URL the portal runs
on an embedded SQLite file so that a newcomer needs nothing but Python; production and
the test suite use PostgreSQL.
"""

import ipaddress
import sys
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file beside manage.py is read for convenience; real environment variables win.
# READ_DOTENV=false skips it (the tests of start-up failures must not see a developer's file).
if env.bool("READ_DOTENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _refuse_to_start(message: str) -> None:
    """Stop start-up with one clear line instead of a stack trace."""
    sys.stderr.write(f"設定エラー / configuration error: {message}\n")
    raise SystemExit(1)


# ---------------------------------------------------------------- core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
    else:
        _refuse_to_start(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment "
            "(or DEBUG=true for local development)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base URL used where a link leaves the request (QR codes, mails, .ics).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "axes",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "municipalities",
    "organizations",
    "seminars",
    "summits",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    # Answers a kept public page to a reader without a session before the layers below run
    # (portal/pagecache.py); the ones above add their headers to every answer.
    "portal.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions that are too old, idle, or older than a "logout everywhere" (accounts.sessions);
    # after the messages middleware, which carries the reason to the login page.
    "accounts.middleware.SessionSecurityMiddleware",
    # Sets request.user.otp_device / is_verified(); then the gate that asks for the code.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rmo_portal.urls"
WSGI_APPLICATION = "rmo_portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "portal.security.LoginLockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# ---------------------------------------------------------------- database
_DATABASE_URL = env.str("DATABASE_URL", default="")
if _DATABASE_URL:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown scheme is reported below, in one line
            _database = environ.Env.db_url_config(_DATABASE_URL)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same operator error
        _refuse_to_start(f"DATABASE_URL is malformed ({exc.__class__.__name__}).")
    if not _database.get("ENGINE") or not _database.get("NAME"):
        _refuse_to_start("DATABASE_URL is malformed (expected postgres://user@host:port/name).")
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})
        if env.bool("DATABASE_POOL", default=not DEBUG):
            # psycopg 3's pool: each worker process keeps a few warm connections.
            _database["OPTIONS"]["pool"] = {
                "min_size": env.int("DATABASE_POOL_MIN", default=2),
                "max_size": env.int("DATABASE_POOL_MAX", default=10),
                "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
            }
        else:
            _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
        _database["TEST"] = {"TEMPLATE": "template0"}
else:
    # Embedded default. IMMEDIATE transactions take the write lock at BEGIN, so concurrent
    # writers queue on the busy timeout instead of failing with "database is locked";
    # WAL lets readers continue while one writer works.
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(env.str("SQLITE_PATH", default=str(BASE_DIR / "var" / "db.sqlite3"))),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
            ),
        },
    }
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- cache
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rmo",
            # An unreachable Redis is a cache miss, not an error page (see RATELIMIT_FAIL_OPEN).
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Per process: with several app server processes each counts rate limits on its own.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages for readers who are not logged in (portal/pagecache.py). A write to the
# directory shows at once (the key holds the registry version); anything else, such as the
# seats left on the home page's seminar cards, within this many seconds. 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)

# ---------------------------------------------------------------- tasks (mail queue)
# Mail is sent by a background worker (`manage.py db_worker`) from a database queue, so a
# slow or failing SMTP server never blocks or loses a registration.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}

# ---------------------------------------------------------------- mail
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Portal mail leaves from a no-reply address; replies go to the secretariat when
# EMAIL_REPLY_TO is set (empty: no Reply-To header, and the mails say they are send-only).
# Both are applied to every mail in one place: portal.mail.addressed().
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="総務省 地域振興室 <noreply@localhost>")
EMAIL_REPLY_TO = env.str("EMAIL_REPLY_TO", default="")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password, then the authenticator code for users who enrolled one (accounts.views.login,
# which also answers the admin's login URL).
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"

# Two-factor (django-otp, TOTP). With REQUIRE_STAFF_2FA (the default outside DEBUG) every staff
# account (本省職員, イベント担当, any admin user) must enroll an authenticator app before using
# any page; without it, only those who enrolled are asked. The DEBUG quick start relaxes it.
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "地域運営組織ポータル"
# The admin's device pages never show another user's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Invitations of municipality editors: the emailed link works once, for this many days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# A password-reset link (Django's token) works once, for this many seconds after its mail was
# built; Django's default of three days is long for a link that sets a staff password.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from
# one client address, that pair is refused for AXES_COOLOFF_MINUTES, even with the right
# password; each attempt during the lockout starts the wait again. Attempts are kept in the
# database (visible in the admin; `manage.py axes_reset` lifts all lockouts).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_VERBOSE = False  # log lines carry only the masked lockout parameters and the path
AXES_COOLOFF_MESSAGE = _("ログインの失敗が続いたため、しばらくログインできません。時間をおいてからもう一度お試しください。")

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static files
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Dated open-data snapshots (manage.py export_snapshot, nightly); served by the portal itself.
OPEN_DATA_SNAPSHOT_ROOT = Path(env.str("OPEN_DATA_SNAPSHOT_ROOT", default=str(BASE_DIR / "var" / "snapshots")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default=(
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            ),
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ---------------------------------------------------------------- security
# A login lasts at most SESSION_COOKIE_AGE seconds, and ends after SESSION_IDLE_TIMEOUT seconds
# without a request (0: no idle limit). Checked per request by accounts.sessions; not with
# SESSION_SAVE_EVERY_REQUEST, which writes every request and lets an active session live on.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe each app server over plain HTTP; the health check answers there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A refused form gets the portal's own page, not Django's (which, with DEBUG off, tells the
# reader to set DEBUG=True).
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if _BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the app server that append the client's address to
# X-Forwarded-For; 0 trusts only REMOTE_ADDR (portal.security.client_ip). The header is read
# only on requests whose peer is one of TRUSTED_PROXY_ADDRESSES (addresses or networks), so a
# client that reaches the app server directly cannot choose the address it is counted under.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if _BEHIND_TLS_PROXY else 0)
TRUSTED_PROXY_ADDRESSES = env.list("TRUSTED_PROXY_ADDRESSES", default=["127.0.0.1", "::1"])
for _address in TRUSTED_PROXY_ADDRESSES:
    try:
        ipaddress.ip_network(_address, strict=False)
    except ValueError:
        _refuse_to_start(f"TRUSTED_PROXY_ADDRESSES holds {_address!r}, which is not an address or network.")

# Content-Security-Policy (django-csp 4): no inline script or style anywhere on the site;
# Bootstrap's CSS draws some icons from data: images. The admin's few inline attributes
# are allowed on admin pages only (portal.security.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Rate limits per client address (django-ratelimit, in the default cache): "count/period",
# period s, m, h or d; empty turns a limit off. See portal/ratelimits.py.
RATELIMIT_REGISTRATION = env.str("RATELIMIT_REGISTRATION", default="20/m")
RATELIMIT_LOGIN = env.str("RATELIMIT_LOGIN", default="10/m")
# Password-reset requests: per client address, and per address typed in (mail to one person).
RATELIMIT_PASSWORD_RESET = env.str("RATELIMIT_PASSWORD_RESET", default="20/h")
RATELIMIT_PASSWORD_RESET_EMAIL = env.str("RATELIMIT_PASSWORD_RESET_EMAIL", default="3/h")
# Link mails (the seminar token page) one address may be sent, whoever asks.
RATELIMIT_SEMINAR_RESEND_PER_ADDRESS = env.str("RATELIMIT_SEMINAR_RESEND_PER_ADDRESS", default="5/h")
RATELIMIT_IP_META_KEY = "portal.security.client_ip"
# A cache outage lets requests through rather than refusing every registration.
RATELIMIT_FAIL_OPEN = True

SILENCED_SYSTEM_CHECKS = [
    # Local memory is a valid rate-limit store for one process; REDIS_URL shares it.
    *(["django_ratelimit.E003", "django_ratelimit.W001"] if not REDIS_URL else []),
    # Submitting a domain to the browsers' HSTS preload list is the domain owner's decision
    # (it binds every subdomain); SECURE_HSTS_PRELOAD=true sends the preload directive.
    "security.W021",
]

# ---------------------------------------------------------------- privacy (個人情報保護法)
# Registrants' personal data is anonymized this many days after the event's last day
# (manage.py purge_personal_data, run daily); counts for statistics are kept.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=180)
# Login records (django-axes: client address, user agent, times) are deleted after this many
# days by the same daily command; the 個人情報ファイル簿 page states it.
LOGIN_RECORD_RETENTION_DAYS = env.int("LOGIN_RECORD_RETENTION_DAYS", default=180)
# django-import-export: exporting from any admin needs the model's view permission, not
# merely staff status (registrant data must not leak to unrelated staff).
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Importing needs the change permission of the model (unset, import-export lets any staff
# account import); OrganizationAdmin asks for add as well.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"

# ---------------------------------------------------------------- accessibility (JIS X 8341-3)
# The test results that /accessibility/results/ publishes: written by the browser tests
# (pytest -m e2e tests/e2e --accessibility-results) and committed, so a deploy carries them.
ACCESSIBILITY_RESULTS_PATH = Path(env("ACCESSIBILITY_RESULTS_PATH", default=str(BASE_DIR / "docs" / "accessibility" / "results.json")))

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "filters": {"redact_tokens": {"()": "portal.logging.RedactTokensFilter"}},
    "handlers": {
        # LOG_FORMAT=json: one JSON object per line (the default in production), for log collectors.
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain" if DEBUG else "json"),
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
