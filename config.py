"""Configuration classes, every value read from the environment (12-factor style).

`create_app()` picks the class from FLASK_CONFIG (development | testing | production) unless
one is passed in. Secrets never live in this file: only the names of the variables do.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))

# A value that marks "no secret configured"; Production refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105 (a marker, not a secret)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """SQLAlchemy 2.1 needs an explicit driver; Heroku-style postgres:// URLs fail."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'katalog.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # The public address, for links in emails sent outside a request (notifications, cron jobs).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # How many proxies (nginx) stand in front of gunicorn and append to X-Forwarded-For/-Proto.
    # 0 trusts no such header: without a proxy a client could name any address and escape the
    # per-client rate limits. Behind one nginx: 1 (docs/deploy.md).
    PROXY_HOPS = _int("PROXY_HOPS", 0)
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))  # `flask backup create`
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 16) * 1024 * 1024

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    # Where the Stripe library sends API calls; None is Stripe's own. Tests point it at tests/stripe_fake.py.
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Katalog UMKM <noreply@katalogumkm.id>")

    # Languages: Bahasa Indonesia first, English second.
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "catalog" / "translations")

    # Sessions: signed cookies only, so any app server can read them.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 60 * 60)

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; forms on slow phones stay valid

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per minute;20 per hour")

    # Redis lost at run time degrades instead of failing (catalog/redis_fallback.py): the cache
    # misses, the limiter counts in process memory. Short timeouts so a dead Redis costs little.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1} if REDIS_URL else {}
    CACHE_TYPE = "catalog.redis_fallback.TolerantRedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1} if REDIS_URL else {}
    CACHE_DEFAULT_TIMEOUT = 60

    # Buying. An unpaid bank transfer expires (its stock returns) after TRANSFER_EXPIRY_HOURS; a
    # card payment left on Stripe's page after CARD_PAYMENT_MINUTES (Stripe's minimum is 30).
    # A shipped order the shopper never confirms completes AUTO_COMPLETE_DAYS after shipping.
    TRANSFER_EXPIRY_HOURS = _int("TRANSFER_EXPIRY_HOURS", 24)
    CARD_PAYMENT_MINUTES = max(_int("CARD_PAYMENT_MINUTES", 60), 30)
    AUTO_COMPLETE_DAYS = _int("AUTO_COMPLETE_DAYS", 7)
    # Smallest available balance the Dinas pays out in a batch (integer Rupiah).
    PAYOUT_MINIMUM = _int("PAYOUT_MINIMUM", 50_000)
    # The platform's account that shoppers transfer to (shown on the payment page).
    PLATFORM_BANK_NAME = os.environ.get("PLATFORM_BANK_NAME", "Bank BJB")
    PLATFORM_BANK_ACCOUNT = os.environ.get("PLATFORM_BANK_ACCOUNT", "0012345678901")
    PLATFORM_BANK_HOLDER = os.environ.get("PLATFORM_BANK_HOLDER", "Dinas Koperasi dan UMKM (Katalog UMKM)")

    # Background jobs (catalog/jobs): a failed job is retried JOB_RETRIES times before the Dinas
    # sees it on /admin/tugas; a job running longer than JOB_TIMEOUT_SECONDS is stopped (RQ only).
    JOB_RETRIES = _int("JOB_RETRIES", 3)
    JOB_TIMEOUT_SECONDS = _int("JOB_TIMEOUT_SECONDS", 600)

    PRODUCTS_PER_PAGE = 24
    # Page views are counted in memory and written in batches (services/seller_stats.count_view).
    VIEW_COUNT_FLUSH_VIEWS = _int("VIEW_COUNT_FLUSH_VIEWS", 100)
    VIEW_COUNT_FLUSH_SECONDS = _int("VIEW_COUNT_FLUSH_SECONDS", 30)
    # Logs (catalog/observability/logs.py): "text" for a terminal, "json" lines for a log shipper;
    # LOG_REQUESTS adds one line per request (gunicorn's access log has one too).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_REQUESTS = _bool("LOG_REQUESTS", False)
    # The bearer token Prometheus sends to /metrics; empty: /metrics answers 404 (switched off).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    PRODUCTION = False


class DevelopmentConfig(Config):
    DEBUG = False  # `make run` serves without the debugger; set FLASK_DEBUG=1 to get it
    SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}} if Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite") else {}


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # replaced by the test fixtures with a file or PostgreSQL
    WTF_CSRF_ENABLED = False  # CSRF tests build an app with it switched back on
    RATELIMIT_ENABLED = False  # the rate-limit tests switch it back on
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "NullCache"
    CACHE_NO_NULL_WARNING = True
    VIEW_COUNT_FLUSH_VIEWS = 1  # every view written at once: tests read the table after a request
    SERVER_NAME = None
    MAIL_SERVER = ""
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = ""


class ProductionConfig(Config):
    PRODUCTION = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_REQUESTS = _bool("LOG_REQUESTS", True)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # Per worker process: a gthread worker runs GUNICORN_THREADS requests at once, so a pool of a
    # few connections is enough, and PostgreSQL's max_connections must cover
    # instances × workers × (DB_POOL_SIZE + DB_MAX_OVERFLOW) plus the job workers (docs/deploy.md).
    # pre_ping replaces connections a database restart or failover closed; recycle bounds their age
    # (below the idle timeouts of pgbouncer and firewalls).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800, "pool_timeout": 10,
                                 "pool_size": _int("DB_POOL_SIZE", 4), "max_overflow": _int("DB_MAX_OVERFLOW", 4)}

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a secret that is missing, the development default, or too short, or
        without the platform's bank account."""
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY tidak ada atau terlalu lemah: produksi butuh nilai acak minimal 32 karakter "
                "di environment (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if not os.environ.get("PLATFORM_BANK_ACCOUNT"):
            # The default is a demo number: shoppers would transfer real money to nobody's account.
            raise RuntimeError("PLATFORM_BANK_ACCOUNT belum diatur: produksi butuh rekening bank platform yang asli "
                               "(juga PLATFORM_BANK_NAME, PLATFORM_BANK_HOLDER) untuk pembayaran transfer.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
