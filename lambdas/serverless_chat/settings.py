"""The functions' configuration, read from the environment variables that Terraform sets."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from serverless_chat import limits
from serverless_chat.domain.admission import CAPS_OFF, AddressCaps
from serverless_chat.domain.identity import AuthMode
from serverless_chat.domain.rate_limit import RateLimit


@dataclass(frozen=True)
class Settings:
    connections_table: str
    connections_room_index: str
    connections_user_index: str
    messages_table: str
    message_retention_days: int
    room_member_limit: int
    typing_room_size_limit: int
    rate_limit: RateLimit
    allowed_origins: frozenset[str]
    connections_api_endpoint: str | None
    fanout_concurrency: int
    environment: str
    address_caps: AddressCaps = CAPS_OFF
    auth_mode: AuthMode = AuthMode.OFF
    handles_table: str | None = None  # set whenever auth_mode is not off
    rooms_table: str | None = None  # set whenever auth_mode is not off

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Read the settings; a missing table name or environment is a deployment error and
        fails loudly."""
        origins = environ.get("ALLOWED_ORIGINS", "")
        auth_mode = AuthMode(environ.get("AUTH_MODE") or AuthMode.OFF)
        handles_table = environ.get("HANDLES_TABLE") or None
        rooms_table = environ.get("ROOMS_TABLE") or None
        if auth_mode is not AuthMode.OFF and (handles_table is None or rooms_table is None):
            raise ValueError(f"AUTH_MODE={auth_mode} needs HANDLES_TABLE and ROOMS_TABLE")
        return cls(
            connections_table=environ["CONNECTIONS_TABLE"],
            connections_room_index=environ["CONNECTIONS_ROOM_INDEX"],
            connections_user_index=environ["CONNECTIONS_USER_INDEX"],
            messages_table=environ["MESSAGES_TABLE"],
            message_retention_days=int(
                environ.get("MESSAGE_RETENTION_DAYS", limits.DEFAULT_MESSAGE_RETENTION_DAYS)
            ),
            room_member_limit=int(
                environ.get("ROOM_MEMBER_LIMIT", limits.DEFAULT_ROOM_MEMBER_LIMIT)
            ),
            typing_room_size_limit=int(
                environ.get("TYPING_ROOM_SIZE_LIMIT", limits.DEFAULT_TYPING_ROOM_SIZE_LIMIT)
            ),
            rate_limit=RateLimit(
                per_second=float(
                    environ.get("RATE_LIMIT_PER_SECOND", limits.DEFAULT_RATE_LIMIT_PER_SECOND)
                ),
                burst=int(environ.get("RATE_LIMIT_BURST", limits.DEFAULT_RATE_LIMIT_BURST)),
            ),
            allowed_origins=frozenset(o.strip() for o in origins.split(",") if o.strip()),
            connections_api_endpoint=environ.get("CONNECTIONS_API_ENDPOINT") or None,
            fanout_concurrency=int(
                environ.get("FANOUT_CONCURRENCY", limits.DEFAULT_FANOUT_CONCURRENCY)
            ),
            environment=environ["ENVIRONMENT"],
            address_caps=AddressCaps(
                held=int(
                    environ.get("CONNECTIONS_PER_ADDRESS", limits.DEFAULT_CONNECTIONS_PER_ADDRESS)
                ),
                per_minute=int(
                    environ.get(
                        "CONNECTS_PER_ADDRESS_PER_MINUTE",
                        limits.DEFAULT_CONNECTS_PER_ADDRESS_PER_MINUTE,
                    )
                ),
            ),
            auth_mode=auth_mode,
            handles_table=handles_table,
            rooms_table=rooms_table,
        )


@dataclass(frozen=True)
class AuthorizerSettings:
    """The ``$connect`` authorizer's configuration (its function only: the chat's functions
    never read the token settings)."""

    auth_mode: AuthMode  # optional or required: with off there is no authorizer
    token_issuer: str
    token_audience: str
    token_use: str  # "" skips the check (an external OIDC issuer has no token_use)
    jwks_url: str
    handles_table: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "AuthorizerSettings":
        """Read the settings; a missing one, an unknown mode or a JWKS URL that is not http(s)
        is a deployment error and fails loudly."""
        mode = environ["AUTH_MODE"]
        if mode not in (AuthMode.OPTIONAL, AuthMode.REQUIRED):
            raise ValueError(f"AUTH_MODE {mode!r} has no authorizer")
        settings = cls(
            auth_mode=AuthMode(mode),
            token_issuer=environ["TOKEN_ISSUER"],
            token_audience=environ["TOKEN_AUDIENCE"],
            token_use=environ["TOKEN_USE"],
            jwks_url=environ["JWKS_URL"],
            handles_table=environ["HANDLES_TABLE"],
        )
        if not settings.jwks_url.startswith(("https://", "http://")):
            raise ValueError(f"JWKS_URL {settings.jwks_url!r} is not an http(s) URL")
        return settings
