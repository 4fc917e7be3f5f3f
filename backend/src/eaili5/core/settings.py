"""One settings object for the whole app.

Values come from (highest priority first) init kwargs, environment variables, `<NAME>_FILE`
files (how Cloud Run mounts Secret Manager secrets), a `.env` file, then defaults.
Standard names (`DATABASE_URL`, `REDIS_URL`, `OPENAI_API_KEY`, ...) are read as-is;
everything else uses the `EAILI5_` prefix.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
Environment = Literal["development", "test", "production"]

# Fields whose value may be supplied through `<ENV_NAME>_FILE`. Every secret is listed here.
FILE_BACKED_FIELDS = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "openai_api_key": "OPENAI_API_KEY",
    "tavily_api_key": "TAVILY_API_KEY",
    "bitquery_api_key": "BITQUERY_API_KEY",
    "coingecko_api_key": "COINGECKO_API_KEY",
    "walletconnect_project_id": "WALLETCONNECT_PROJECT_ID",
    "base_rpc_url": "BASE_RPC_URL",
    "base_sepolia_rpc_url": "BASE_SEPOLIA_RPC_URL",
    "farcaster_account_association": "FARCASTER_ACCOUNT_ASSOCIATION",
}


class ConfigError(ValueError):
    """The configuration is unusable; the message says what to change."""


def _standard(name: str) -> Any:
    """Accept the bare standard name and the prefixed one (`DATABASE_URL` or `EAILI5_DATABASE_URL`)."""
    return AliasChoices(name, f"EAILI5_{name}")


class SecretFileSource(PydanticBaseSettingsSource):
    """Reads `<NAME>_FILE` variables: the value is the content of the named file, stripped."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field_name, env_name in FILE_BACKED_FIELDS.items():
            path = os.environ.get(f"{env_name}_FILE") or os.environ.get(f"EAILI5_{env_name}_FILE")
            if not path:
                continue
            if os.environ.get(env_name) or os.environ.get(f"EAILI5_{env_name}"):
                raise ConfigError(f"Set either {env_name} or {env_name}_FILE, not both.")
            try:
                values[field_name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{env_name}_FILE points at {path!r}, which cannot be read: {exc.strerror}"
                ) from exc
        return values


CommaList = Annotated[list[str], NoDecode]
MARKET_SOURCES = ("simulated", "geckoterminal", "dexscreener", "coingecko", "bitquery")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EAILI5_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    environment: Environment = "development"
    public_url: str = "http://127.0.0.1:8000"
    allowed_origins: CommaList = Field(
        default_factory=lambda: [
            "http://127.0.0.1:8000",
            "http://localhost:8000",
            "http://localhost:5173",
        ]
    )
    # Who may embed the SPA in a frame: the mini app hosts (Farcaster clients, the Base app).
    frame_ancestors: str = (
        "'self' https://farcaster.xyz https://*.farcaster.xyz https://warpcast.com "
        "https://*.warpcast.com https://base.app https://*.base.app https://*.base.org"
    )
    # Proxies whose X-Forwarded-For we believe (IPs or CIDRs; "*" trusts any, only behind a managed LB).
    trusted_proxies: CommaList = Field(default_factory=list)
    data_dir: Path = REPO_ROOT / ".data"
    frontend_dist: Path = REPO_ROOT / "frontend" / "dist"
    instance_id: str = Field(
        default_factory=lambda: os.environ.get("K_REVISION", "local") + "-" + os.urandom(3).hex()
    )
    # Server processes per instance (`eaili5 serve --workers` overrides). Above 1 needs PostgreSQL and Redis:
    # SQLite and the in-process KV cannot be shared between processes.
    workers: int = Field(default=1, ge=1, le=64)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    gcp_project: str | None = Field(
        default=None, validation_alias=AliasChoices("EAILI5_GCP_PROJECT", "GOOGLE_CLOUD_PROJECT")
    )

    # Storage backends. Unset means the embedded default (SQLite file, in-process KV).
    database_url: str | None = Field(default=None, validation_alias=_standard("DATABASE_URL"))
    redis_url: str | None = Field(default=None, validation_alias=_standard("REDIS_URL"))
    kv_prefix: str = "eaili5:"
    redis_max_connections: int = Field(default=64, ge=4, le=10_000)
    db_pool_size: int = Field(default=10, ge=1, le=200)

    # Providers (used by later features; listed here so check-config reports them).
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_standard("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_standard("OPENAI_BASE_URL"))
    openai_model: str = Field(default="gpt-4o-mini", validation_alias=_standard("OPENAI_MODEL"))
    tavily_api_key: SecretStr | None = Field(default=None, validation_alias=_standard("TAVILY_API_KEY"))
    bitquery_api_key: SecretStr | None = Field(default=None, validation_alias=_standard("BITQUERY_API_KEY"))
    coingecko_api_key: SecretStr | None = Field(default=None, validation_alias=_standard("COINGECKO_API_KEY"))
    walletconnect_project_id: str | None = Field(
        default=None, validation_alias=_standard("WALLETCONNECT_PROJECT_ID")
    )
    base_rpc_url: str | None = Field(default=None, validation_alias=_standard("BASE_RPC_URL"))
    base_sepolia_rpc_url: str | None = Field(default=None, validation_alias=_standard("BASE_SEPOLIA_RPC_URL"))
    market_sources: CommaList = Field(default_factory=list)
    market_seed: int = 0  # the simulated market's seed: same seed, same prices on every instance
    market_tick_seconds: float = Field(default=1.0, gt=0, description="simulated market tick interval")
    market_price_refresh_seconds: float = Field(default=15.0, gt=0, description="vendor price refresh")
    market_stale_after_seconds: float = Field(default=60.0, gt=0)
    geckoterminal_base_url: str = "https://api.geckoterminal.com/api/v2"
    dexscreener_base_url: str = "https://api.dexscreener.com"
    coingecko_base_url: str = "https://api.coingecko.com/api/v3"
    bitquery_url: str = "https://streaming.bitquery.io/graphql"
    # Calls per minute for the whole deployment (shared through the KV layer).
    budget_geckoterminal_per_minute: int = Field(default=30, ge=1)
    budget_dexscreener_per_minute: int = Field(default=250, ge=1)
    budget_coingecko_per_minute: int = Field(default=25, ge=1)
    budget_bitquery_per_minute: int = Field(default=10, ge=1)
    # Risk flag thresholds.
    risk_low_liquidity_usd: int = Field(default=50_000, ge=0)
    risk_new_pool_days: int = Field(default=7, ge=0)
    risk_extreme_move_pct: float = Field(default=30.0, gt=0)
    risk_thin_trading_transactions: int = Field(default=50, ge=0)
    risk_off_peg_pct: float = Field(default=2.0, gt=0)
    # Play-money trading.
    portfolio_gas_usd: Decimal = Field(default=Decimal("0.01"), ge=0, le=10, decimal_places=2)
    portfolio_max_price_age_seconds: float = Field(default=60.0, ge=0)
    portfolio_slippage_bps: int = Field(default=50, ge=0, le=5000, description="for minimum received")
    portfolio_min_trade_usd: Decimal = Field(default=Decimal("1.00"), ge=Decimal("0.01"), decimal_places=2)
    portfolio_order_expiry_hours: int = Field(default=168, ge=1, le=2160, description="open order lifetime")
    portfolio_max_open_orders: int = Field(default=20, ge=1, le=1000)
    portfolio_equity_snapshot_seconds: float = Field(default=3600.0, gt=0, description="periodic snapshots")
    portfolio_value_update_seconds: float = Field(default=5.0, gt=0, description="WS value updates per user")
    leaderboard_min_trades: int = Field(default=3, ge=0)
    leaderboard_cache_seconds: float = Field(default=10.0, ge=0)

    # The tutor.
    tutor_rate_limit: str = Field(default="20/minute", description="messages per user")
    tutor_daily_cap: int = Field(default=300, ge=1, description="messages per user per day")
    tutor_first_token_timeout_seconds: float = Field(default=10.0, gt=0, description="then fall back")
    tutor_model_timeout_seconds: float = Field(default=60.0, gt=0, description="one whole model reply")
    tutor_max_tool_rounds: int = Field(default=4, ge=0, le=10)
    tutor_history_turns: int = Field(default=8, ge=0, le=50)
    tutor_resume_ttl_seconds: float = Field(
        default=600.0, gt=0, description="how long a reply can be resumed"
    )
    tutor_max_generations_per_connection: int = Field(default=3, ge=1, le=20)
    tavily_base_url: str = "https://api.tavily.com"
    tavily_timeout_seconds: float = Field(default=8.0, gt=0)
    tavily_max_results: int = Field(default=5, ge=1, le=20)

    # Limits.
    session_ttl_days: int = Field(default=30, ge=1, le=365)
    session_local_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=30,
        description="how long each process keeps a resolved session (the most a lost revocation message "
        "can delay sign-out on another process); 0 turns it off",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    rate_limit_default: str = "300/minute"
    rate_limit_session_create: str = "20/minute"
    ws_max_frame_bytes: int = Field(default=65_536, ge=1024)
    ws_auth_timeout_seconds: float = Field(default=5.0, gt=0)
    ws_idle_timeout_seconds: float = Field(default=75.0, gt=0)
    ws_rate_limit: str = "30/second"
    ws_send_queue_size: int = Field(default=256, ge=8)

    # Wallet sign-in (SIWE). Empty lists mean: the hosts / origins of public_url and allowed_origins.
    siwe_domains: CommaList = Field(default_factory=list, description="accepted SIWE `domain` values")
    siwe_uris: CommaList = Field(default_factory=list, description="accepted origins of the SIWE `URI`")
    siwe_nonce_ttl_seconds: float = Field(default=300.0, gt=0, le=3600)
    siwe_clock_skew_seconds: float = Field(default=60.0, ge=0, le=600)
    rate_limit_auth_nonce: str = "30/minute"
    rate_limit_auth_verify: str = "10/minute"
    rpc_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Farcaster mini app manifest (/.well-known/farcaster.json) and the fc:miniapp embed tag.
    farcaster_account_association: str | None = Field(
        default=None,
        validation_alias=_standard("FARCASTER_ACCOUNT_ASSOCIATION"),
        description='JSON {"header", "payload", "signature"} signed for our domain',
    )
    miniapp_name: str = Field(default="EAILI5", max_length=32)
    miniapp_subtitle: str = Field(default="Crypto, explained simply", max_length=30)
    miniapp_description: str = Field(
        default=(
            "An AI tutor that explains crypto on Base like you are five: ask anything, learn in short "
            "lessons, and practise trading with play money."
        ),
        max_length=170,
    )
    miniapp_splash_background_color: str = Field(default="#0b1020", pattern=r"^#[0-9a-fA-F]{6}$")
    miniapp_button_title: str = Field(default="Start learning", max_length=32)
    miniapp_webhook_url: str | None = None
    # Farcaster Quick Auth (POST /api/auth/farcaster). The token's `aud` must be one of siwe_domain_names.
    farcaster_quick_auth_issuer: str = Field(
        default="https://auth.farcaster.xyz", description="the only accepted JWT `iss`"
    )
    farcaster_jwks_url: str | None = Field(
        default=None, description="the issuer's keys; default <issuer>/.well-known/jwks.json"
    )
    farcaster_jwks_ttl_seconds: float = Field(default=600.0, gt=0, le=86_400)
    # An unknown `kid` refetches the keys (rotation), at most this often: forged kids cannot hammer it.
    farcaster_jwks_min_refetch_seconds: float = Field(default=30.0, ge=0, le=3600)
    farcaster_jwks_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    farcaster_jwt_leeway_seconds: float = Field(default=30.0, ge=0, le=300)
    rate_limit_auth_farcaster: str = "10/minute"

    @field_validator("allowed_origins", "trusted_proxies", "market_sources", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _known_market_sources(self) -> Settings:
        unknown = [name for name in self.market_sources if name not in MARKET_SOURCES]
        if unknown:
            raise ConfigError(
                f"EAILI5_MARKET_SOURCES has unknown source(s) {', '.join(unknown)}; "
                f"choose from {', '.join(MARKET_SOURCES)}"
            )
        for name, key in (("coingecko", self.coingecko_api_key), ("bitquery", self.bitquery_api_key)):
            if name in self.market_sources and key is None:
                raise ConfigError(f"market source {name} needs {name.upper()}_API_KEY")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.database_backend == "sqlite":
            problems.append("DATABASE_URL must name a PostgreSQL database (SQLite is for one laptop only)")
        if not self.redis_url:
            problems.append(
                "REDIS_URL is required (rate limits, pub/sub and locks must be shared by all instances)"
            )
        if "*" in self.allowed_origins:
            problems.append("EAILI5_ALLOWED_ORIGINS must list exact origins, not '*'")
        if problems:
            raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, SecretFileSource(settings_cls), dotenv_settings)

    @cached_property
    def database_backend(self) -> Literal["sqlite", "postgresql"]:
        return "postgresql" if self.sqlalchemy_url.startswith("postgresql") else "sqlite"

    @cached_property
    def sqlalchemy_url(self) -> str:
        return normalize_database_url(self.database_url, self.data_dir)

    @property
    def kv_backend(self) -> Literal["memory", "redis"]:
        return "redis" if self.redis_url else "memory"

    @property
    def tutor_backend(self) -> str:
        return "openai-compatible" if self.openai_api_key or self.openai_base_url else "offline"

    @property
    def market_backend(self) -> str:
        return ",".join(self.market_sources) if self.market_sources else "simulated"

    @property
    def search_backend(self) -> str:
        return "tavily" if self.tavily_api_key else "knowledge-base"

    @property
    def siwe_origins(self) -> list[str]:
        """Origins (scheme://host[:port]) a SIWE message's URI may start with."""
        configured = self.siwe_uris or [self.public_url, *self.allowed_origins]
        return sorted({origin.rstrip("/") for origin in configured if origin != "*"})

    @property
    def siwe_domain_names(self) -> list[str]:
        """Hosts (host[:port]) a SIWE message's domain may name."""
        if self.siwe_domains:
            return sorted(set(self.siwe_domains))
        return sorted({origin.split("://", 1)[-1] for origin in self.siwe_origins})

    @property
    def farcaster_jwks_location(self) -> str:
        issuer = self.farcaster_quick_auth_issuer.rstrip("/")
        return self.farcaster_jwks_url or f"{issuer}/.well-known/jwks.json"

    def rpc_url(self, chain_id: int) -> str:
        """JSON-RPC endpoint for Base (8453) or Base Sepolia (84532); the public ones when unset."""
        if chain_id == 8453:
            return self.base_rpc_url or "https://mainnet.base.org"
        return self.base_sepolia_rpc_url or "https://sepolia.base.org"

    def backends(self) -> dict[str, str]:
        """Which implementation serves each concern — safe to print or return to clients."""
        return {
            "database": self.database_backend,
            "kv": self.kv_backend,
            "tutor": self.tutor_backend,
            "market": self.market_backend,
            "search": self.search_backend,
        }


def normalize_database_url(url: str | None, data_dir: Path) -> str:
    """Map the URL forms operators actually paste onto the async drivers we use."""
    if not url:
        return f"sqlite+aiosqlite:///{data_dir / 'eaili5.db'}"
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+asyncpg://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    for prefix in ("sqlite+aiosqlite://", "sqlite://"):
        if url.startswith(prefix):
            return "sqlite+aiosqlite://" + url[len(prefix) :]
    scheme = url.split("://", 1)[0] if "://" in url else url[:20]
    raise ConfigError(
        f"DATABASE_URL scheme {scheme!r} is not supported: use postgresql:// or sqlite:///path."
    )


def redact_url(url: str) -> str:
    """Hide the password part of a URL so it can be logged or printed."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else f"{scheme}://{user}@{host}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's validation report into one readable ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            messages.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(messages)) from None
