"""Settings for each environment, read from the process environment.

``LIBRARY_ENV`` picks the environment: ``development`` (what ``make run`` sets), ``test`` or
``production``. It has no default, so that a server never runs with development settings by
mistake. The other variables are described in the README.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MB = 1024 * 1024
SEARCH_BACKENDS = ("tantivy", "whoosh", "postgres")


class ConfigError(RuntimeError):
    """The configuration cannot start the application."""


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


class BaseConfig:
    ENV_NAME = "base"
    SERVICE_NAME = "Peer Challenge Library"
    # Uploads: the file itself may be this large; the request may carry a little more for the form.
    UPLOAD_MAX_BYTES = 20 * MB
    # An Office file (a zip) may not expand past this, nor hold more parts than this.
    ZIP_MAX_UNCOMPRESSED_BYTES = 60 * MB
    ZIP_MAX_MEMBERS = 5000
    ZIP_MAX_RATIO = 200
    # The work one upload may cause: pages (or slides), characters of text, suggestions to review.
    UPLOAD_MAX_PAGES = 300
    UPLOAD_MAX_CHARACTERS = 750_000
    UPLOAD_MAX_SUGGESTIONS = 5_000
    # Elements the text may render to (headings, paragraphs, list items, table cells): bounds
    # what every page showing it costs.
    UPLOAD_MAX_ELEMENTS = 40_000
    # Extraction and detection run in a child process with a deadline and a memory ceiling, so
    # that one bad file cannot hold a web worker. Off only where a test needs it in-process.
    PROCESSING_IN_WORKER = True
    PROCESSING_TIMEOUT_SECONDS = 10.0
    PROCESSING_MEMORY_MB = 1024
    # Where uploaded originals are kept: empty for the folder "originals" in the data folder (one
    # host), or s3://bucket/prefix for an S3-compatible bucket every host shares (endpoint, region
    # and credentials from the standard AWS variables). Objects are written with server-side
    # encryption (STORAGE_ENCRYPTION: AES256, or aws:kms).
    STORAGE_URL = ""
    STORAGE_ENCRYPTION = "AES256"
    # Text recognition (OCR, Tesseract) of scanned PDF pages: on or off, the most pages of one file
    # it reads, and the deadline of a file that needs it (it replaces the one above).
    OCR_ENABLED = True
    OCR_MAX_PAGES = 20
    OCR_TIMEOUT_SECONDS = 120.0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Sessions end after this long idle, and this long after signing in whatever happens.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Sign-in throttling: failed attempts per email address (and per client address) in a window.
    SIGNIN_MAX_FAILURES = 10
    SIGNIN_MAX_FAILURES_PER_ADDRESS = 100
    SIGNIN_WINDOW_MINUTES = 15
    RATELIMIT_STORAGE_URI = "memory://"
    HSTS = False
    PAGE_SIZE = 20
    SEED_DEMO_ON_FIRST_RUN = False
    LOG_LEVEL = "INFO"
    # Email. Without SMTP_HOST, messages are written as .eml files under DATA_DIR/mail/.
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False
    SMTP_TIMEOUT_SECONDS = 10
    SMTP_CA_FILE = ""
    MAIL_FROM = "library@localhost"
    # The absolute address of the service, for links in messages (no trailing slash).
    BASE_URL = "http://127.0.0.1:5000"
    # Deliver waiting mail straight after the commit that wrote it (`notifications send` too).
    MAIL_DELIVER_AFTER_COMMIT = True
    # Sign-in with Microsoft (Entra ID, OpenID Connect): off unless the metadata URL and client id
    # are set. OIDC_ISSUER overrides the discovery document's issuer.
    OIDC_METADATA_URL = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_ISSUER = ""
    # /healthz fails once work waits longer than this in the search outbox, or in the mail outbox.
    HEALTH_INDEX_OUTBOX_MAX_SECONDS = 300
    HEALTH_MAIL_OUTBOX_MAX_SECONDS = 3 * 3600
    # Logs: "text" lines, or "json" (one object per line) for a log collector.
    LOG_FORMAT = "text"
    # Without a scheduler for `notifications digest`, the running app sends the digests once a day.
    DIGESTS_IN_APP = True
    # Full-text search: "tantivy" (the default: an index in DATA_DIR/search), "whoosh" (the same,
    # in pure Python) or "postgres" (a table in the library's PostgreSQL database, written in the
    # same transaction as consent: for several app hosts sharing one index).
    SEARCH_BACKEND = "tantivy"
    # Reads and downloads are counted in memory and written this often (seconds) by each process;
    # 0 writes each one at once (the tests).
    USAGE_FLUSH_SECONDS = 2.0
    # Single-use links: an invitation lasts 7 days, a password reset 1 hour.
    INVITATION_DAYS = 7
    RESET_MINUTES = 60
    # Password reset requests per email address, and per client address, in an hour.
    RESET_MAX_PER_EMAIL = 3
    RESET_MAX_PER_ADDRESS = 30

    def __init__(self) -> None:
        self.DATA_DIR = str(Path(os.environ.get("LIBRARY_DATA_DIR") or ROOT / "instance").resolve())
        self.UPLOAD_MAX_BYTES = _int_env("LIBRARY_UPLOAD_MAX_MB", self.UPLOAD_MAX_BYTES // MB) * MB
        self.UPLOAD_MAX_PAGES = _int_env("LIBRARY_UPLOAD_MAX_PAGES", self.UPLOAD_MAX_PAGES)
        self.UPLOAD_MAX_CHARACTERS = _int_env("LIBRARY_UPLOAD_MAX_CHARACTERS", self.UPLOAD_MAX_CHARACTERS)
        self.UPLOAD_MAX_SUGGESTIONS = _int_env("LIBRARY_UPLOAD_MAX_SUGGESTIONS", self.UPLOAD_MAX_SUGGESTIONS)
        self.UPLOAD_MAX_ELEMENTS = _int_env("LIBRARY_UPLOAD_MAX_ELEMENTS", self.UPLOAD_MAX_ELEMENTS)
        self.PROCESSING_TIMEOUT_SECONDS = float(
            _int_env("LIBRARY_PROCESSING_TIMEOUT_SECONDS", int(self.PROCESSING_TIMEOUT_SECONDS))
        )
        self.PROCESSING_MEMORY_MB = _int_env("LIBRARY_PROCESSING_MEMORY_MB", self.PROCESSING_MEMORY_MB)
        self.STORAGE_URL = os.environ.get("STORAGE_URL", self.STORAGE_URL).strip()
        if self.STORAGE_URL and not re.match(
            r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", self.STORAGE_URL
        ):
            raise ConfigError(
                f"STORAGE_URL must be s3://bucket or s3://bucket/prefix (or empty), not {self.STORAGE_URL!r}"
            )
        self.STORAGE_ENCRYPTION = os.environ.get("STORAGE_ENCRYPTION") or self.STORAGE_ENCRYPTION
        self.OCR_ENABLED = _bool_env("LIBRARY_OCR", self.OCR_ENABLED)
        self.OCR_MAX_PAGES = _int_env("LIBRARY_OCR_MAX_PAGES", self.OCR_MAX_PAGES)
        self.OCR_TIMEOUT_SECONDS = float(
            _int_env("LIBRARY_OCR_TIMEOUT_SECONDS", int(self.OCR_TIMEOUT_SECONDS))
        )
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or ""
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or ""
        self.LOG_LEVEL = os.environ.get("LIBRARY_LOG_LEVEL", self.LOG_LEVEL)
        self.LOG_FORMAT = os.environ.get("LIBRARY_LOG_FORMAT", self.LOG_FORMAT)
        if self.LOG_FORMAT not in ("text", "json"):
            raise ConfigError(f"LIBRARY_LOG_FORMAT must be text or json, not {self.LOG_FORMAT!r}")
        self.SESSION_IDLE_MINUTES = _int_env("LIBRARY_SESSION_IDLE_MINUTES", self.SESSION_IDLE_MINUTES)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or self.RATELIMIT_STORAGE_URI
        self.SMTP_HOST = os.environ.get("SMTP_HOST", self.SMTP_HOST)
        self.SMTP_PORT = _int_env("SMTP_PORT", self.SMTP_PORT)
        self.SMTP_USERNAME = os.environ.get("SMTP_USERNAME", self.SMTP_USERNAME)
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", self.SMTP_PASSWORD)
        self.SMTP_STARTTLS = _bool_env("SMTP_STARTTLS", self.SMTP_STARTTLS)
        self.SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE", self.SMTP_CA_FILE)
        self.MAIL_FROM = os.environ.get("MAIL_FROM") or self.MAIL_FROM
        self.BASE_URL = (os.environ.get("LIBRARY_BASE_URL") or self.BASE_URL).rstrip("/")
        self.DIGESTS_IN_APP = _bool_env("LIBRARY_DIGESTS_IN_APP", self.DIGESTS_IN_APP)
        self.SEARCH_BACKEND = (os.environ.get("SEARCH_BACKEND") or self.SEARCH_BACKEND).strip().lower()
        for name in ("OIDC_METADATA_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ISSUER"):
            setattr(self, name, os.environ.get(name, getattr(self, name)))

    def finalise(self) -> None:
        """Fill in settings that depend on others; called once the overrides are applied."""
        if not self.DATABASE_URL:
            self.DATABASE_URL = "sqlite:///" + str(Path(self.DATA_DIR) / "library.db")
        self.DATABASE_URL = normalise_database_url(self.DATABASE_URL)
        if self.SEARCH_BACKEND not in SEARCH_BACKENDS:
            raise ConfigError(
                f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, not {self.SEARCH_BACKEND!r}"
            )
        if self.SEARCH_BACKEND == "postgres" and not self.DATABASE_URL.startswith("postgresql"):
            raise ConfigError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        # The request may carry the form fields as well as the file.
        self.MAX_CONTENT_LENGTH = self.UPLOAD_MAX_BYTES + MB


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SEED_DEMO_ON_FIRST_RUN = True

    def finalise(self) -> None:
        super().finalise()
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret(Path(self.DATA_DIR))


class TestConfig(BaseConfig):
    ENV_NAME = "test"
    TESTING = True
    DIGESTS_IN_APP = False
    USAGE_FLUSH_SECONDS = 0.0
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    LOG_LEVEL = "WARNING"

    def finalise(self) -> None:
        super().finalise()
        if not self.SECRET_KEY:
            self.SECRET_KEY = "test-secret-key-not-for-use"  # noqa: S105
        # A test hook, honoured only here: kill the process straight after a commit that left work
        # for the search ("search") or mail ("mail") outbox, before that work is done.
        self.CRASH_AFTER_COMMIT = os.environ.get("LIBRARY_CRASH_AFTER_COMMIT", "")


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    # Production is served over HTTPS (behind a proxy that may not say so): always send HSTS.
    HSTS = True

    def finalise(self) -> None:
        super().finalise()
        if not self.SECRET_KEY:
            raise ConfigError("SECRET_KEY must be set in production (LIBRARY_ENV=production)")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling the URL has."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(data_dir: Path) -> str:
    """Make a secret key once and keep it in the data folder, readable by the owner only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(name: str | None = None, overrides: dict | None = None) -> dict:
    """The settings for environment ``name`` (default ``LIBRARY_ENV``) as a dict."""
    name = name or os.environ.get("LIBRARY_ENV")
    if not name:
        raise ConfigError(
            "Set LIBRARY_ENV to development, test or production (make run sets development for you)."
        )
    if name not in CONFIGS:
        raise ConfigError(f"LIBRARY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    cfg = CONFIGS[name]()
    for key, value in (overrides or {}).items():
        setattr(cfg, key, value)
    cfg.finalise()
    return {key: getattr(cfg, key) for key in dir(cfg) if key.isupper()}
