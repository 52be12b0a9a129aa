"""Settings of the egov platform.

Every setting is read from the environment once, here, with a default that lets
`make run` work on a fresh machine. docs/configuration.md lists each one.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from egov.identity import oidc_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str) -> list[str]:
    return [p.strip() for p in os.environ.get(name, default).split(",") if p.strip()]


DEBUG = env_bool("EGOV_DEBUG", False)
SECRET_KEY = os.environ.get(
    "EGOV_SECRET_KEY", "insecure-development-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env_list("EGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS", "")

# Which URL trees this process mounts: "public" (portal and service hall),
# "internal" (staff workbench and administration), or both.
EGOV_FACES = env_list("EGOV_FACES", "public,internal")
# The name shown in page headers, e.g. "某某县人民政府".
EGOV_SITE_NAME = os.environ.get("EGOV_SITE_NAME", "示范县人民政府")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "oauth2_provider",
    "egov.core",
    "egov.audit",
    "egov.identity",
    "egov.workflow",
    "egov.eforms",
    "egov.servicehall",
    "egov.datahub",
    "egov.supervision",
    "egov.docgen",
    "egov.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egov.core.middleware.RequestContextMiddleware",
    "egov.identity.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "egov.identity.middleware.StaffTwoFactorMiddleware",
    "egov.identity.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.web.context_processors.platform",
            ],
        },
    },
]

# Database: an embedded SQLite file by default, PostgreSQL in production.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'egov.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("EGOV_TEST_SQLITE")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The server binds the parameters and a statement run a few times on a
    # connection is prepared, so PostgreSQL stops parsing and planning the
    # same small lookups on every workflow step (docs/adr/0015). A connection
    # pooler in transaction mode needs EGOV_PG_PREPARE=0 (or PgBouncer 1.21+
    # with max_prepared_statements).
    if os.environ.get("EGOV_PG_PREPARE", "1") != "0":
        DATABASES["default"]["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "egov.identity.backends.IdentifierBackend",
    "egov.identity.backends.SmsCodeBackend",
    # Grants the permissions of a user's roles; never signs anyone in.
    "egov.identity.permissions.RoleBackend",
]
# Both faces serve the sign-in pages at /login/ (egov.identity.urls_auth).
LOGIN_URL = "account:login"
LOGIN_REDIRECT_URL = "/"

# Password policy (等保 level 3 defaults; all configurable).
EGOV_PASSWORD_MIN_LENGTH = env_int("EGOV_PASSWORD_MIN_LENGTH", 8)
EGOV_PASSWORD_MIN_CLASSES = env_int("EGOV_PASSWORD_MIN_CLASSES", 3)
EGOV_PASSWORD_HISTORY = env_int("EGOV_PASSWORD_HISTORY", 5)
EGOV_PASSWORD_MAX_AGE_DAYS = env_int("EGOV_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "egov.identity.passwords.MinimumLengthValidator"},
    {"NAME": "egov.identity.passwords.CharacterClassValidator"},
    {"NAME": "egov.identity.passwords.NotContainingUsernameValidator"},
    {"NAME": "egov.identity.passwords.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sessions: idle timeout and absolute lifetime.
EGOV_SESSION_IDLE_MINUTES = env_int("EGOV_SESSION_IDLE_MINUTES", 30)
EGOV_SESSION_ABSOLUTE_HOURS = env_int("EGOV_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = EGOV_SESSION_ABSOLUTE_HOURS * 3600
# Changing the password or the second factor asks for the password again when
# it was last typed longer ago than this.
EGOV_REAUTH_MINUTES = env_int("EGOV_REAUTH_MINUTES", 5)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
EGOV_HTTPS = env_bool("EGOV_HTTPS", False)
SESSION_COOKIE_SECURE = EGOV_HTTPS
CSRF_COOKIE_SECURE = EGOV_HTTPS
if EGOV_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("EGOV_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("EGOV_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "egov.web.views.csrf_failure"

# Content Security Policy: no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Two-factor sign-in: required for staff unless relaxed for demo accounts.
EGOV_STAFF_2FA_REQUIRED = env_bool("EGOV_STAFF_2FA_REQUIRED", True)
EGOV_DEMO_RELAX_2FA = env_bool("EGOV_DEMO_RELAX_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("EGOV_OTP_ISSUER", "egov")

# Lockout: 5 failures in 15 minutes, by username and by IP separately.
AXES_FAILURE_LIMIT = env_int("EGOV_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("EGOV_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "identifier"
# Failures count against the account an identifier names (account, mobile, ID
# number or USCC alike), and against the client address seen behind the proxies.
AXES_USERNAME_CALLABLE = "egov.identity.backends.lockout_username"
AXES_CLIENT_IP_CALLABLE = "egov.core.middleware.client_ip"
AXES_SENSITIVE_PARAMETERS = ["identifier", "phone", "code", "csrfmiddlewaretoken"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "egov.identity.views.auth.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("EGOV_PROXY_COUNT", 0) or None
AXES_ENABLED = env_bool("EGOV_AXES_ENABLED", True)

# SMS adapter: "console" logs messages; a real gateway plugs in here.
EGOV_SMS_BACKEND = os.environ.get("EGOV_SMS_BACKEND", "egov.core.sms.ConsoleSMSBackend")

# Keys. SM4 key (32 hex chars) for personal data at rest; derived from SECRET_KEY
# when unset so that development works, but production must set it.
EGOV_SM4_KEY = os.environ.get("EGOV_SM4_KEY", "")
# SM2 key pair that signs electronic licences (egov.datahub.licence_keys):
# generated under var/ when unset; retired public keys still verify.
EGOV_LICENCE_SM2_KEY_FILE = os.environ.get("EGOV_LICENCE_SM2_KEY_FILE", "")
EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS = env_list(
    "EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS", ""
)
# Licence validity and number prefixes beyond the defaults of
# egov.datahub.licence_types: "name=years[:prefix];..." (0 years: no end).
EGOV_LICENCE_TYPES = os.environ.get("EGOV_LICENCE_TYPES", "")

# Uploads.
EGOV_UPLOAD_ROOT = Path(os.environ.get("EGOV_UPLOAD_ROOT", VAR_DIR / "uploads"))
EGOV_UPLOAD_MAX_BYTES = env_int("EGOV_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = EGOV_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Audit log retention: entries younger than this cannot be removed by anyone.
EGOV_AUDIT_RETENTION_DAYS = max(180, env_int("EGOV_AUDIT_RETENTION_DAYS", 180))

# Time-limit warning ladder (egov.core.timelimits): 预警 when this many working
# days or fewer remain, 红牌 at this many working days overdue; hour limits use
# the hour figures.
EGOV_TIMELIMIT_WARNING_DAYS = env_int("EGOV_TIMELIMIT_WARNING_DAYS", 2)
EGOV_TIMELIMIT_RED_DAYS = env_int("EGOV_TIMELIMIT_RED_DAYS", 3)
EGOV_TIMELIMIT_WARNING_HOURS = env_int("EGOV_TIMELIMIT_WARNING_HOURS", 4)
EGOV_TIMELIMIT_RED_HOURS = env_int("EGOV_TIMELIMIT_RED_HOURS", 24)

# 好差评: working days a department has to rectify an unsatisfied rating.
EGOV_RECTIFICATION_WORKDAYS = env_int("EGOV_RECTIFICATION_WORKDAYS", 15)

# Language and time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "egov.web.storage.RememberingStaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = DEBUG

# A file cache by default, so that every worker process of one machine sees the
# same SMS codes, rate limits and calendar reload marks; Redis when configured.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
if os.environ.get("EGOV_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["EGOV_REDIS_URL"],
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies are size- and depth-limited (egov.core.jsonin).
    "DEFAULT_PARSER_CLASSES": [
        "egov.core.jsonin.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "egov.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "egov API",
    "DESCRIPTION": "County e-government platform",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# OpenID Connect provider. The RSA key signs ID tokens; development generates one
# under var/ when EGOV_OIDC_RSA_KEY_FILE is unset. Retired keys stay published in
# the JWKS (EGOV_OIDC_RSA_INACTIVE_KEY_FILES) until tokens they signed expire.
EGOV_OIDC_RSA_KEY_FILE = os.environ.get("EGOV_OIDC_RSA_KEY_FILE", "")
EGOV_OIDC_RSA_INACTIVE_KEY_FILES = env_list("EGOV_OIDC_RSA_INACTIVE_KEY_FILES", "")
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": os.environ.get("EGOV_OIDC_ISSUER", ""),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "OAUTH2_VALIDATOR_CLASS": "egov.identity.oidc.EgovOAuth2Validator",
    # Lazy values: the key file is read (or made) on first use, not at start-up.
    "OIDC_RSA_PRIVATE_KEY": oidc_keys.SIGNING_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": oidc_keys.INACTIVE_KEYS,
    "SCOPES": {
        "openid": _("确认您的身份"),
        "profile": _("姓名、所属机构、岗位与角色"),
        "email": _("电子邮箱"),
        "phone": _("手机号码"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
}
# Named so that identity.ApplicationPolicy can point at the toolkit's model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "egov": {
            "handlers": ["console"],
            "level": os.environ.get("EGOV_LOG_LEVEL", "INFO"),
        },
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}

EMAIL_BACKEND = os.environ.get(
    "EGOV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EGOV_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EGOV_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("EGOV_DEFAULT_FROM_EMAIL", "egov@localhost")
EMAIL_HOST_USER = os.environ.get("EGOV_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EGOV_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EGOV_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EGOV_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EGOV_EMAIL_TIMEOUT", 10)
# Where the public face is reached from outside, for links in e-mail
# (e.g. https://zwfw.example.gov.cn); without it e-mail carries no links.
EGOV_PUBLIC_URL = os.environ.get("EGOV_PUBLIC_URL", "").rstrip("/")
