"""The one typed settings object. Nothing else in appointd reads the environment.

Every value comes from an ``APPOINTD_``-prefixed variable (or a ``.env`` file), is validated at
start-up and is immutable afterwards.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Server configuration.

    ``database_url`` accepts ``sqlite:///path`` and ``postgresql://...`` URLs; the PostgreSQL
    driver (psycopg 3) is filled in when the URL names none.
    """

    model_config = SettingsConfigDict(env_prefix="APPOINTD_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./appointd.db"
    # Connections each server process keeps open to PostgreSQL.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # How long an SQLite writer waits for the file lock before giving up, in milliseconds.
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    # Booking-window defaults for services that set none (issue 3).
    default_min_notice_minutes: int = Field(default=0, ge=0)
    default_max_advance_days: int = Field(default=365, ge=1, le=3650)
    # The largest page a list endpoint returns.
    max_page_size: int = Field(default=500, ge=1, le=10_000)
    # -- hardening (issue 8) --
    # The largest request body any face accepts, in bytes (413 beyond it).
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    # How long an Idempotency-Key and its stored answer are kept, in hours (at least 24).
    idempotency_retention_hours: int = Field(default=24, ge=24, le=24 * 90)
    # How long a face's session token (TimeTap's sessionToken) stays valid, in minutes.
    session_token_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)
    # Where clients reach this server (e.g. https://book.example.com): the base of every link
    # appointd hands out (manage pages). Unset: the address the request came to.
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None or url == "":
            return None
        if not (url.startswith("http://") or url.startswith("https://")):
            raise ValueError("public_url must be an http:// or https:// URL")
        return url.rstrip("/")

    # Public pages (issue 14): page views and form posts a client address may make a minute.
    public_views_per_minute: int = Field(default=60, ge=1, le=100_000)
    public_posts_per_minute: int = Field(default=10, ge=1, le=100_000)

    # -- dispatcher (issue 10) -------------------------------------------------------------
    # Webhook URLs to loopback, private or link-local addresses are refused unless this is on.
    webhooks_allow_private: bool = False
    # smtp://user:password@host:587 (STARTTLS when offered) or smtps://...:465; None = no e-mail.
    smtp_url: str | None = None
    mail_from: str = "appointd <no-reply@localhost>"
    # A Twilio-compatible Messages endpoint, e.g.
    # https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json; None = no SMS.
    sms_url: str | None = None
    sms_account_sid: str | None = None
    sms_auth_token: str | None = None
    sms_from: str | None = None
    # A folder whose templates override the built-in ones (same file names).
    templates_dir: str | None = None
    # How long a dispatcher's claim lasts without being renewed (a dead one's work is taken
    # over after this), how long it sleeps when no wake-up comes, and how much it claims.
    dispatcher_lease_seconds: int = Field(default=30, ge=5, le=600)
    dispatcher_poll_seconds: float = Field(default=2.0, gt=0, le=30)
    dispatcher_batch_size: int = Field(default=200, ge=1, le=5000)
    # Requests in flight per dispatcher, and per receiving endpoint.
    dispatcher_concurrency: int = Field(default=64, ge=1, le=512)
    endpoint_concurrency: int = Field(default=32, ge=1, le=128)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("database_url")
    @classmethod
    def _normalise_driver(cls, url: str) -> str:
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
            raise ValueError("database_url must be an sqlite:/// or postgresql:// URL")
        return url

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, url: str | None) -> str | None:
        if url and not url.startswith(("smtp://", "smtps://")):
            raise ValueError("smtp_url must be an smtp:// or smtps:// URL")
        return url or None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
