"""Settings, all read from the environment (SPEC §9), with an embedded default:
SQLite in the working directory, tasks run in-process, mail to the console."""

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured

from governance import signing

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# The built-in key is public: the embedded default (make run, tests, commands) may use it, but
# serving with DEBUG off refuses to start on it (governance/wsgi.py, check --deploy).
EMBEDDED_SECRET_KEY = "insecure-embedded-default-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Only in development (DEBUG on and PORTAL_BASE_URL unset) do links in notices and on the
# token page follow the address the portal was reached at (an allowed Host); anywhere else
# the Host header never makes a link, or anyone could poison the links in mail.
PORTAL_BASE_URL_FROM_HOST = DEBUG and not os.environ.get("PORTAL_BASE_URL")
# Production (DEBUG off, SECRET_KEY from the environment) is served over HTTPS by a TLS proxy
# that sets X-Forwarded-Proto: redirect to HTTPS, secure cookies, HSTS. HTTPS=0 turns it off;
# each part can be set on its own. The health checks of the containers speak plain HTTP.
HTTPS = env_bool("HTTPS", default=not DEBUG and "SECRET_KEY" in os.environ)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "auditlog",
    "governance",
    "accounts",
    "audit",
    "registry",
    "approvals",
    "campaigns",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compressed for browsers that ask (static files are precompressed by WhiteNoise,
    # the API's answers choose their own encoding).
    "governance.middleware.GZipPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "governance.links.RequestBaseUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.ClientAuditlogMiddleware",
    # Last, so that its 400 page knows the user; before any view looks a value up.
    "governance.middleware.RefuseNulMiddleware",
]
# APIs whose clients read errors in a form of their own: the address prefix and the
# function that refuses a NUL character in that form (governance.middleware).
NUL_REFUSAL_ANSWERS = {
    "/scim/": "accounts.scim.values.nul_refused",  # RFC 7644 §3.12 error document
    "/v0.1/": "registry.api.registry_v01.nul_refused",  # the MCP Registry's {"error": ...}
}

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "accounts.context_processors.portal",
                "notifications.context_processors.unread",
                "approvals.context_processors.waiting",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{Path.cwd() / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TEST_DATABASE_NAME", "test_mcp_governance"
    )
    # psycopg prepares a statement run this many times on a connection. Only cursors that
    # bind on the server prepare: the compiled reads' (governance.compiled), not Django's
    # default client-side ones. Behind a pooler in transaction mode (PgBouncer before 1.21)
    # set DATABASE_PREPARE_THRESHOLD=off.
    _prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip()
    if _prepare != "off" and not _prepare.isdigit():
        raise ImproperlyConfigured(
            f"DATABASE_PREPARE_THRESHOLD={_prepare!r}: give a whole number of runs, or off")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if _prepare == "off" else int(_prepare))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG and "SECRET_KEY" in os.environ)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the root of the site (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"

# Mail: EMAIL_URL (see email_settings below) or Django's EMAIL_* names.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")


def email_settings(url: str) -> dict:
    """EMAIL_URL as Django's EMAIL_* settings, parsed by django-environ (maintained;
    dj-email-url has had no release since 2022). Both read `smtps` as STARTTLS and neither
    reads `?tls=`/`?ssl=`, so the forms people write are named first as RFC 8314 means them:
    smtps:// or ?ssl=1 is TLS from the first byte (Django's EMAIL_USE_SSL, port 465);
    submission:// or ?tls=1 is STARTTLS (EMAIL_USE_TLS, port 587); smtp+ssl:// and
    smtp+tls:// are django-environ's own names for the same."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    scheme = parts.scheme.lower()

    def flag(name):
        return (query.get(name) or [""])[0].strip().lower() in {"1", "true", "yes", "on"}

    ssl = flag("ssl") or scheme in {"smtps", "smtp+ssl"}
    tls = flag("tls") or scheme in {"submission", "submit", "smtp+tls"}
    if ssl and tls:
        raise ImproperlyConfigured(
            "EMAIL_URL asks for both SSL (smtps://, ?ssl=1) and STARTTLS (submission://, "
            "?tls=1): choose one.")
    timeout = query.get("timeout")
    if scheme in {"smtp", "smtps", "submission", "submit", "smtp+ssl", "smtp+tls"}:
        scheme = "smtp+ssl" if ssl else "smtp+tls" if tls else "smtp"
    parsed = environ.Env.email_url_config(urlunsplit(
        (scheme, parts.netloc, parts.path, "", parts.fragment)))
    config = dict(EMAIL_BACKEND=parsed["EMAIL_BACKEND"],
                  EMAIL_HOST_USER=parsed.get("EMAIL_HOST_USER") or "",
                  EMAIL_HOST_PASSWORD=parsed.get("EMAIL_HOST_PASSWORD") or "",
                  EMAIL_HOST=parsed.get("EMAIL_HOST") or "localhost",
                  EMAIL_PORT=parsed.get("EMAIL_PORT") or (465 if ssl else 587 if tls else 25),
                  EMAIL_USE_SSL=ssl, EMAIL_USE_TLS=tls)
    if parsed.get("EMAIL_FILE_PATH") and scheme == "filemail":
        config["EMAIL_FILE_PATH"] = parsed["EMAIL_FILE_PATH"]
    if timeout:
        try:
            config["EMAIL_TIMEOUT"] = float(timeout[0])
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL: ?timeout= is a number of seconds.") from None
    return config


if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mcp-portal@localhost")
if os.environ.get("EMAIL_FILE_PATH"):  # with EMAIL_BACKEND=...filebased.EmailBackend
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")

# The organisation's MCP registry (SPEC §6.4, /v0.1/): the namespace of its server names
# and who may read it ("token": signed-in users and token holders; "open": anyone who can
# reach the portal). Both are the defaults of new installations; administrators change
# them in the admin (Organisation metadata).
REGISTRY_NAMESPACE = os.environ.get("REGISTRY_NAMESPACE") or "com.example"
REGISTRY_API_ACCESS = os.environ.get("REGISTRY_API_ACCESS") or "token"

# The upstream release watch (registry.upstream_watch, daily): where it reads each package's
# releases. Unset: that registry's packages are not watched. UPSTREAM_NPM_URL is the base of
# an npm registry or mirror (the package document is BASE/<name>); UPSTREAM_PYPI_JSON_URL a
# PyPI JSON API address with {package} where the name goes (PyPI and its mirrors serve
# .../pypi/{package}/json). UPSTREAM_TIMEOUT bounds a whole fetch, not each read.
UPSTREAM_NPM_URL = os.environ.get("UPSTREAM_NPM_URL", "")
UPSTREAM_PYPI_JSON_URL = os.environ.get("UPSTREAM_PYPI_JSON_URL", "")
UPSTREAM_TIMEOUT = float(os.environ.get("UPSTREAM_TIMEOUT") or 15)
UPSTREAM_MAX_BYTES = int(os.environ.get("UPSTREAM_MAX_BYTES") or 64 * 1024 * 1024)
UPSTREAM_FAILURES_BEFORE_NOTICE = int(os.environ.get("UPSTREAM_FAILURES_BEFORE_NOTICE") or 3)
# A public MCP registry (the v0.1 API) the filing form can fill a request from by server
# name; unset: developers paste the server's server.json instead.
MCP_PUBLIC_REGISTRY_URL = os.environ.get("MCP_PUBLIC_REGISTRY_URL", "")

# Capability inspection (README, "Capability inspection"): after filing, a job installs the
# pinned package into INSPECTION_CACHE_DIR and lists its tools in a bubblewrap sandbox. Off
# unless CAPABILITY_INSPECTION=1 (docker-compose.yml turns it on); its tasks go to the
# INSPECTION_QUEUE, which only the `inspector` service consumes.
INSPECTION_ENABLED = os.environ.get("CAPABILITY_INSPECTION", "0") == "1"
INSPECTION_QUEUE = os.environ.get("INSPECTION_QUEUE") or "inspector"
INSPECTION_CACHE_DIR = os.environ.get("INSPECTION_CACHE_DIR") or str(
    Path(tempfile.gettempdir()) / "mcp-portal-inspection")
INSPECTION_TIMEOUT = float(os.environ.get("INSPECTION_TIMEOUT") or 30)
INSPECTION_INSTALL_TIMEOUT = float(os.environ.get("INSPECTION_INSTALL_TIMEOUT") or 300)
INSPECTION_MEMORY_MB = int(os.environ.get("INSPECTION_MEMORY_MB") or 2048)
INSPECTION_OUTPUT_BYTES = int(os.environ.get("INSPECTION_OUTPUT_BYTES") or 32 * 1024 * 1024)
# The size of each folder the sandbox may write (/tmp, its home, its scratch folder).
INSPECTION_SCRATCH_MB = int(os.environ.get("INSPECTION_SCRATCH_MB") or 64)
INSPECTION_MAX_ITEMS = int(os.environ.get("INSPECTION_MAX_ITEMS") or 1000)
INSPECTION_MAX_PAGES = int(os.environ.get("INSPECTION_MAX_PAGES") or 50)
# A remote server's URL is the requester's to type: the inspector connects only where its
# name resolves to public addresses, never into the organisation's own network, unless
# the operator allows it.
INSPECTION_REMOTE_ALLOW_PRIVATE = env_bool("INSPECTION_REMOTE_ALLOW_PRIVATE", default=False)
# Folders whose Python scripts a config may run directly (`python <script>`), without an
# install: the test suite's fixture servers. Empty in production.
INSPECTION_LOCAL_ROOTS: list[str] = []
# Export signing (Ed25519): off by default; on, the key must load here or nothing starts.
try:
    EXPORT_SIGNER = signing.load(os.environ)
except signing.SigningKeyError as _error:
    raise ImproperlyConfigured(str(_error)) from None

# Celery: without a broker, tasks run in-process when queued (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ROUTES = {"approvals.inspect_request": {"queue": INSPECTION_QUEUE},
                      "approvals.inspect_approval": {"queue": INSPECTION_QUEUE}}
# Worker and beat log through LOGGING below (one format, on stdout), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    # Token first, so that an unauthenticated API call answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["governance.api.parsers.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "governance.api.errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.Pagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MCP Governance Portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users and token holders, like the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links each operation's heading is one button, not a link inside a button
    # (axe: nested-interactive); templates/drf_spectacular/swagger_ui.html sets the language
    # and darker colours.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "approvals.models.RequestStatus",
        "DataScopeEnum": "governance.models.DataScope",
        "RiskEnum": "governance.models.Risk",
        "RequestKindEnum": "approvals.models.RequestKind",
        "PackageRegistryEnum": "registry.models.PackageRegistry",
    },
}
# Bodies over 1 MiB are refused (413) by the API's parser and by Django for forms.
API_MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

AUDITLOG_INCLUDE_ALL_MODELS = False

# Bad input gets an answer, never a 500 (issue 8, section 5). JSON bodies, pasted configs
# and imported YAML nested deeper than this are refused (Python's parsers recurse); the
# importer refuses files over IMPORT_MAX_BYTES before reading them and lists at most
# IMPORT_MAX_PROBLEMS problems, then how many more. The importer is a command an
# administrator runs (never a page): its limit holds a 100,000-approval portal's own
# export (about 40 MB), and the values its aliases may expand to grow with the file.
INPUT_MAX_DEPTH = int(os.environ.get("INPUT_MAX_DEPTH", "32"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(64 * 1024 * 1024)))
IMPORT_MAX_PROBLEMS = int(os.environ.get("IMPORT_MAX_PROBLEMS", "100"))

# ─── credentials and brute force (SPEC §7, §10) ─────────────────────────────────────────
# API tokens are knox's: only a SHA-512 digest and the key's first characters are stored.
INSTALLED_APPS += ["knox", "axes"]
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own table would be unused (ApiToken replaces it) yet hold a key to auth_user that
# stops PostgreSQL from truncating users: knox's migrations are off. (So its swappable
# dependency on the token model's app never enters the migration graph either: ApiToken
# could move from governance to accounts.)
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "AUTH_HEADER_PREFIX": "Token",  # `Authorization: Token <key>`, as before (SPEC §7)
    "TOKEN_PREFIX": "mcpgov_",  # recognisable by people and secret scanners
    "TOKEN_TTL": None,  # each token's expiry is chosen when it is made
}
# The longest lifetime a user may give a token, in days (unset: "never expires" is allowed).
API_TOKEN_MAX_DAYS = int(os.environ["API_TOKEN_MAX_DAYS"]) if os.environ.get(
    "API_TOKEN_MAX_DAYS") else None
# A token's last use is written at most once in this many seconds: reads stay reads.
API_TOKEN_LAST_USED_INTERVAL = 60

# Counters of throttles are shared by every worker and web node through the cache: Redis in
# production (CACHE_URL=redis://host:6379/1), this process's memory in the embedded default.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL, "KEY_PREFIX": "portal"}}
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://host:port/db, rediss://..., or locmem://; not {CACHE_URL!r}")

# The client's address, for throttles and sign-in lockout: REMOTE_ADDR, or with PROXY_COUNT
# proxies in front that append to X-Forwarded-For, the address the outermost one saw.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT") or 0)
REST_FRAMEWORK |= {
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonThrottle",
        "accounts.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # Generous: each developer's hook checks at every session start, pipelines poll.
        "user": os.environ.get("API_THROTTLE_USER") or "600/min",
        "anon": os.environ.get("API_THROTTLE_ANON") or "60/min",
        # Distinct wrong keys from one address within the period, before it gets 429.
        "failed_token": os.environ.get("API_THROTTLE_FAILED_TOKENS") or "30/min",
    },
}
for _name, _scope in (("API_THROTTLE_USER", "user"), ("API_THROTTLE_ANON", "anon"),
                      ("API_THROTTLE_FAILED_TOKENS", "failed_token")):
    _rate = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][_scope]
    if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(
            f"{_name}={_rate!r} is not a number of calls per period, such as 600/min "
            "(periods: s, min, hour, day).")

# Sign-in lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked for LOGIN_LOCKOUT_MINUTES after its last attempt.
# Attempts are rows in the database, so every worker sees them and administrators can
# clear them in the admin (Axes > Access attempts) or with `manage.py axes_reset`.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The company's identity provider, when OIDC_ISSUER is set (accounts/oidc.py).
    "accounts.oidc.ProviderBackend",
    # Passwords: every local user with OIDC off; with it on, only BREAK_GLASS_USERS.
    "accounts.oidc.LocalBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "accounts.throttles.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Sign-ins through the identity provider carry no password and are not counted.
AXES_WHITELIST_CALLABLE = "accounts.oidc.not_a_password"
AXES_VERBOSE = False  # no start-up banner on stdout (export_registry writes files there)

# ─── sign-in with the company's identity provider (SPEC §10, README) ───────────────────
# OpenID Connect, authorization code flow with PKCE (mozilla-django-oidc), on when
# OIDC_ISSUER is set; endpoints and keys come from the issuer's discovery document. Off (the
# embedded default, `make run`): local accounts sign in with passwords as before.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL") or (
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
# The claim that lists a person's groups, and the stable identifier a person is matched by
# (`sub`; Entra ID: `oid`), which SCIM sends as externalId. Never the e-mail address.
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_USER_ID_CLAIM = os.environ.get("OIDC_USER_ID_CLAIM", "sub")
# Groups to roles, beside the admin's mapping: "okta-sec=security_team,okta-devs=member".
OIDC_GROUP_ROLES: dict[str, list[str]] = {}
for _pair in env_list("OIDC_GROUP_ROLES"):
    _group, _, _role = _pair.rpartition("=")
    if not _group or _role not in {"member", "tech_lead", "security_team",
                                   "engineering_director", "platform_team", "administrator"}:
        raise ImproperlyConfigured(
            f"OIDC_GROUP_ROLES: {_pair!r} is not group=role, with role one of member, "
            "tech_lead, security_team, engineering_director, platform_team, administrator.")
    OIDC_GROUP_ROLES.setdefault(_group.strip(), []).append(_role)
# Accepted signature algorithms of ID tokens (RS256 is what every provider offers).
OIDC_SIGN_ALGORITHMS = env_list("OIDC_SIGN_ALGORITHMS", "RS256")
OIDC_RP_SIGN_ALGO = OIDC_SIGN_ALGORITHMS[0]
OIDC_CLOCK_SKEW_SECONDS = int(os.environ.get("OIDC_CLOCK_SKEW_SECONDS") or 60)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's end-session (id_token_hint)
OIDC_TIMEOUT = 10
OIDC_CALLBACK_CLASS = "accounts.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.StartView"
OIDC_OP_LOGOUT_URL_METHOD = "accounts.oidc.provider_logout_url"
# Local passwords while OIDC is on: only these usernames (superusers), for when the
# provider is down. Comma-separated; empty: none.
BREAK_GLASS_USERS = env_list("BREAK_GLASS_USERS")

# SCIM 2.0 (django-scim2) at /scim/v2/: the provider creates, updates and deactivates
# users and pushes groups, with a bearer token administrators make (accounts.ScimToken).
SCIM_SERVICE_PROVIDER = {
    "NETLOC": urlsplit(PORTAL_BASE_URL).netloc,
    "SCHEME": urlsplit(PORTAL_BASE_URL).scheme or "https",
    "AUTHENTICATION_SCHEMES": [{
        "type": "oauthbearertoken", "primary": True, "name": "Bearer token",
        "description": "A SCIM token made by a portal administrator (admin > SCIM tokens).",
    }],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "USER_ADAPTER": "accounts.scim.users.ScimUser",
    "GROUP_MODEL": "accounts.models.DirectoryGroup",
    "GROUP_ADAPTER": "accounts.scim.groups.ScimGroup",
    "USER_FILTER_PARSER": "accounts.scim.filters.UserFilterQuery",
    "GROUP_FILTER_PARSER": "accounts.scim.filters.GroupFilterQuery",
    "AUTH_CHECK_MIDDLEWARE": "accounts.scim.auth.ScimAuthCheck",
    "GET_QUERYSET_POST_PROCESSOR_GETTER": "accounts.scim.auth.queryset_post_processor_getter",
    "GET_OBJECT_POST_PROCESSOR_GETTER": "accounts.scim.auth.object_post_processor_getter",
}

# Structured logs: one JSON object a line in production, readable lines otherwise.
LOG_FORMAT = os.environ.get(
    "LOG_FORMAT", "json" if not DEBUG and "SECRET_KEY" in os.environ else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "governance.logs.JsonFormatter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                            "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
