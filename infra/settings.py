"""Runtime configuration from the environment (prefix ``TUSSENDEUR_``; ``DATABASE_URL`` as is)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_APP_ROLE = "tussendeur_app"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("tussendeur", appauthor=False))


class DatabasePooler(StrEnum):
    """What ``DATABASE_URL`` points at: PostgreSQL itself, or a pooler in transaction mode
    (PgBouncer ``pool_mode = transaction``): then no server-side prepared statement is
    kept between transactions, and session work goes to ``TUSSENDEUR_DIRECT_DATABASE_URL``."""

    NONE = "none"
    TRANSACTION = "transaction"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUSSENDEUR_", extra="ignore")

    env: Environment = Environment.PRODUCTION
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TUSSENDEUR_DATABASE_URL")
    )
    # sessions (the index listener's LISTEN, the migrations' advisory lock, CLI commands)
    # need PostgreSQL itself: required when DATABASE_URL is a transaction-mode pooler
    direct_database_url: str | None = None
    database_pooler: DatabasePooler = DatabasePooler.NONE
    data_dir: Path = Field(default_factory=_default_data_dir)
    app_db_role: str = DEFAULT_APP_ROLE
    app_db_password: SecretStr | None = None
    db_pool_min: int = 1
    db_pool_max: int = 10
    # deadlines (issue 11): no request waits forever on the pool, a statement or itself
    db_acquire_timeout_seconds: float = Field(default=10.0, gt=0)  # then SERVICE_UNAVAILABLE
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)  # per statement; 0: none
    request_timeout_seconds: float = Field(default=30.0, gt=0)  # until the response starts
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)  # SIGTERM: drain, then cancel

    public_url: str = "http://127.0.0.1:8000"
    token_issuer: str | None = None  # defaults to public_url
    token_audience: str = "tussendeur-api"  # noqa: S105 - an audience name, not a secret
    access_token_ttl_seconds: int = 900
    sign_in_link_ttl_seconds: int = 900
    # private signing keys are sealed at rest under this key-encryption key (base64 of 32
    # bytes), given as is or in a file; earlier KEKs (comma-separated) still open old keys
    key_encryption_key: SecretStr | None = None
    key_encryption_key_file: Path | None = None
    key_encryption_key_previous: SecretStr | None = None
    # throttles (issue 11), counted in PostgreSQL so they hold across replicas; 0: no limit
    token_failures_per_client: int = Field(default=10, ge=0)  # failed secrets per window
    token_requests_per_address: int = Field(default=60, ge=0)  # /oauth/token per window
    token_throttle_window_seconds: int = Field(default=60, ge=1, le=86_400)
    sign_in_requests_per_address: int = Field(default=20, ge=0)  # both sign-in doors
    sign_in_throttle_window_seconds: int = Field(default=900, ge=1, le=86_400)
    throttle_hash_key: SecretStr | None = None  # HMAC key for the counters' address hashes

    # single sign-on for staff (issue 9): an OpenID Connect provider; off unless the issuer
    # (or a metadata URL), the client id and secret and the consortium are all set
    oidc_issuer: str | None = None  # discovery at {issuer}/.well-known/openid-configuration
    oidc_metadata_url: str | None = None  # a discovery document elsewhere (overrides)
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_consortium: str | None = None  # slug of the consortium whose staff sign in this way
    oidc_provider_name: str = "single sign-on"  # shown on the button: "Sign in with …"

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "Tussendeur <no-reply@tussendeur.local>"

    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    graphql_max_fields: int = 200  # fields per document, fragment spreads expanded
    graphql_max_body_bytes: int = 100_000  # the whole POST body, refused with 413 before parsing
    http_max_body_bytes: int = 1_048_576  # every other route
    max_page_size: int = 100

    # consent and retention (issue 4): periods in days; the server's retention interval
    consent_pending_days: int = Field(default=14, ge=1, le=30)
    consent_reminder_days: int = Field(default=14, ge=1, le=60)
    consent_grace_days: int = Field(default=30, ge=0, le=365)
    retention_interval_seconds: int = Field(default=3600, ge=0)  # 0: the server never runs it
    portal_session_minutes: int = Field(default=120, ge=5, le=1440)
    # introductions (issue 4): requests per partner per profile in any 24 hours
    introduction_daily_cap: int = Field(default=3, ge=1, le=50)
    # webhooks (issue 10): loopback receivers only for tests and a local demo
    webhook_allow_loopback: bool = False
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, le=60)
    webhook_delivery_interval_seconds: int = Field(default=5, ge=0)  # 0: the server never runs it
    webhook_matches_min_score: float = Field(default=60.0, ge=0, le=100)  # matches.new threshold
    # audit trail (issue 5): how often the server verifies and signs each chain's head
    audit_checkpoint_interval_seconds: int = Field(default=3600, ge=0)  # 0: never (CLI only)

    log_level: str = "INFO"
    log_json: bool = True
    metrics_enabled: bool = True  # serve Prometheus text at /metrics
    metrics_max_operation_names: int = 200  # distinct GraphQL operation labels; then "other"
    readyz_timeout_seconds: float = 3.0

    @model_validator(mode="after")
    def _sessions_bypass_a_transaction_pooler(self) -> Settings:
        if self.database_pooler is DatabasePooler.TRANSACTION and not (
            self.database_url and self.direct_database_url
        ):
            raise ValueError(
                "TUSSENDEUR_DATABASE_POOLER=transaction needs DATABASE_URL (the pooler) and "
                "TUSSENDEUR_DIRECT_DATABASE_URL (PostgreSQL itself, for LISTEN and migrations)"
            )
        return self

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def oidc_discovery_url(self) -> str | None:
        if self.oidc_metadata_url:
            return self.oidc_metadata_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        return None

    @property
    def oidc_enabled(self) -> bool:
        return bool(
            self.oidc_discovery_url
            and self.oidc_client_id
            and self.oidc_client_secret
            and self.oidc_consortium
        )

    @property
    def issuer(self) -> str:
        return self.token_issuer or self.public_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
