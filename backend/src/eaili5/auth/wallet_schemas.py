"""Wallet sign-in (SIWE), sessions and account data: request and response shapes.

The Profile tab builds on these; change them only in ways old clients still understand.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eaili5.auth.schemas import UserOut

# Why a sign-in was refused: the `reason` of a 401 `SignInFailed` error.
SignInFailure = Literal[
    "malformed_message",
    "domain_mismatch",
    "uri_mismatch",
    "version_unsupported",
    "chain_unsupported",
    "expired",
    "not_yet_valid",
    "nonce_unknown",
    "nonce_expired",
    "nonce_used",
    "nonce_session_mismatch",
    "bad_signature",
]
SignatureKind = Literal["eoa", "eip1271", "erc6492"]
# Why a Farcaster Quick Auth token was refused (401 `SignInFailed`, same body as above).
QuickAuthFailure = Literal[
    "malformed_token",
    "bad_algorithm",
    "unknown_key",
    "bad_signature",
    "token_expired",
    "token_not_yet_valid",
    "issuer_mismatch",
    "audience_mismatch",
]
# Why a verified Farcaster ID could not be linked (409 `FarcasterConflict`).
FarcasterConflictReason = Literal["fid_linked_elsewhere", "other_fid_linked"]


class NonceOut(BaseModel):
    """Everything the client needs to write the EIP-4361 message for this session."""

    nonce: str = Field(description="Single use, for this session only; put it in the message's `Nonce:`.")
    expires_at: datetime = Field(description="Sign and verify before this time.")
    domain: str = Field(description="The `domain` to write in the message (the first accepted one).")
    uri: str = Field(description="The `URI:` to write in the message.")
    version: Literal["1"] = "1"
    chain_ids: list[int] = Field(description="Accepted `Chain ID:` values: Base and Base Sepolia.")
    statement: str = Field(description="Suggested statement: what signing does and does not do.")


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=4096, description="The EIP-4361 message, as signed.")
    signature: str = Field(
        min_length=4,
        max_length=20_000,
        pattern=r"^0x[0-9a-fA-F]*$",
        description="`personal_sign` result: 65 bytes for a key, longer for smart wallets (1271 / 6492).",
    )


class SignedIn(BaseModel):
    token: str = Field(description="The NEW bearer token: the old one stops working at once.")
    expires_at: datetime
    user: UserOut
    address: str = Field(description="The wallet, EIP-55 spelled.")
    signature_kind: SignatureKind
    merged_guest: bool = Field(description="True when the guest's data moved into an existing wallet user.")
    new_user: bool = Field(description="True when this wallet signed in for the first time.")


class SignInFailedBody(BaseModel):
    """The body of a refused sign-in (401)."""

    error: Literal["SignInFailed"]
    detail: str
    reason: SignInFailure


class FarcasterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=10,
        max_length=4096,
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$",
        description="The JWT from `sdk.quickAuth.getToken()`, as is (compact JWS).",
    )


class FarcasterSignedIn(BaseModel):
    token: str = Field(description="The NEW bearer token: the old one stops working at once.")
    expires_at: datetime
    user: UserOut
    fid: int = Field(description="The verified Farcaster ID (the token's `sub`).")
    linked: bool = Field(description="True when the FID was linked to this account by this call.")
    merged_guest: bool = Field(
        description="True when this guest's data moved into the account the FID was already linked to."
    )


class QuickAuthFailedBody(BaseModel):
    """The body of a refused Quick Auth token (401)."""

    error: Literal["SignInFailed"]
    detail: str
    reason: QuickAuthFailure


class FarcasterConflictBody(BaseModel):
    """The body of a Farcaster link that would join two accounts (409)."""

    error: Literal["FarcasterConflict"]
    detail: str
    reason: FarcasterConflictReason


class QuickAuthUnavailableBody(BaseModel):
    """The issuer's keys could not be fetched (503); retry after `Retry-After`."""

    error: Literal["ServiceUnavailable"]
    detail: str
    reason: Literal["jwks_unreachable"]


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool = Field(description="The session making this request.")
    method: Literal["guest", "siwe", "farcaster"] = Field(description="How the session was started.")
    user_agent: str | None = Field(description="The browser that started it, when it said.")


class SessionList(BaseModel):
    items: list[SessionOut]


class DeleteMeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: Literal["DELETE MY DATA"] = Field(
        description="Type exactly `DELETE MY DATA`: everything about you is removed and cannot be restored."
    )


class ExportOut(BaseModel):
    """Everything stored about the caller: rows per table (secrets such as token hashes left out)."""

    exported_at: datetime
    user_id: uuid.UUID
    tables: dict[str, list[dict[str, Any]]]
