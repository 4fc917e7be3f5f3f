"""EIP-4361 (Sign-In with Ethereum) messages: a strict parser and the checks that need no network.

We parse the message ourselves rather than pull `signinwithethereum`, whose import brings web3 (and a
websockets pin older than ours); the grammar is small and line-based. Anything that does not follow it
exactly is `malformed_message`: a message we cannot read unambiguously is never accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from eaili5.auth.errors import SignInFailed
from eaili5.market.address import is_checksum_address

SUPPORTED_CHAIN_IDS = (8453, 84532)  # Base, Base Sepolia
_HEADER = re.compile(
    r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?P<domain>[^\s/?#]+)"
    r" wants you to sign in with your Ethereum account:$"
)
_NONCE = re.compile(r"^[a-zA-Z0-9]{8,}$")
_TAGS = ("URI", "Version", "Chain ID", "Nonce", "Issued At")
_OPTIONAL_TAGS = ("Expiration Time", "Not Before", "Request ID")


@dataclass(frozen=True, slots=True)
class SiweMessage:
    domain: str
    address: str
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    scheme: str | None = None
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default_factory=tuple)


def _malformed(detail: str) -> SignInFailed:
    return SignInFailed("malformed_message", f"This is not a valid sign-in message: {detail}.")


def _timestamp(value: str, tag: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _malformed(f"'{tag}' is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise _malformed(f"'{tag}' needs a time zone (e.g. Z)")
    return parsed


def parse_message(text: str) -> SiweMessage:
    """Parse an EIP-4361 message or raise SignInFailed('malformed_message')."""
    lines = text.split("\n")
    if len(lines) < 8:
        raise _malformed("it is too short")
    header = _HEADER.match(lines[0])
    if header is None:
        raise _malformed("the first line must be '<domain> wants you to sign in with your Ethereum account:'")
    address = lines[1]
    if not is_checksum_address(address):
        raise _malformed("the second line must be the wallet address, EIP-55 spelled")
    statement, rest = _statement_and_fields(lines[2:])
    fields, resources = _fields(rest)
    return _build(header, address, statement, fields, resources)


def _statement_and_fields(lines: list[str]) -> tuple[str | None, list[str]]:
    """After the address: a blank line, an optional statement and blank line, then `URI:`.

    Both spellings of "no statement" in use are accepted: one blank line (viem) or two (the EIP's ABNF).
    """
    if not lines or lines[0] != "":
        raise _malformed("a blank line must follow the address")
    if len(lines) > 1 and lines[1].startswith("URI: "):
        return None, lines[1:]
    if len(lines) > 2 and lines[1] == "" and lines[2].startswith("URI: "):
        return None, lines[2:]
    if len(lines) > 3 and lines[1] and lines[2] == "" and lines[3].startswith("URI: "):
        statement = lines[1]
        if "\n" in statement or "\r" in statement:
            raise _malformed("the statement must be one line")
        return statement, lines[3:]
    raise _malformed("expected an optional one-line statement between blank lines, then 'URI:'")


def _fields(lines: list[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """The `Tag: value` lines in the EIP's order, then an optional `Resources:` list."""
    fields: dict[str, str] = {}
    order = [*_TAGS, *_OPTIONAL_TAGS]
    position = 0
    index = 0
    while index < len(lines) and lines[index] != "Resources:":
        tag, sep, value = lines[index].partition(": ")
        if not sep or tag not in order[position:] or not value:
            raise _malformed(f"line {lines[index][:40]!r} is not a known field in the expected order")
        position = order.index(tag) + 1
        fields[tag] = value
        index += 1
    missing = [tag for tag in _TAGS if tag not in fields]
    if missing:
        raise _malformed(f"missing {', '.join(missing)}")
    resources: list[str] = []
    for line in lines[index + 1 :]:
        if not line.startswith("- ") or len(line) < 3:
            raise _malformed("each resource must be a line '- <uri>'")
        resources.append(line[2:])
    if index < len(lines) and not resources:
        raise _malformed("'Resources:' must list at least one URI")
    return fields, tuple(resources)


def _build(
    header: re.Match[str],
    address: str,
    statement: str | None,
    fields: dict[str, str],
    resources: tuple[str, ...],
) -> SiweMessage:
    if not fields["Chain ID"].isdigit() or len(fields["Chain ID"]) > 12:
        raise _malformed("'Chain ID' must be a number")
    if not _NONCE.match(fields["Nonce"]):
        raise _malformed("'Nonce' must be at least 8 letters or digits")
    if not urlsplit(fields["URI"]).scheme:
        raise _malformed("'URI' must be an absolute URI")
    return SiweMessage(
        domain=header["domain"],
        scheme=header["scheme"],
        address=address,
        statement=statement,
        uri=fields["URI"],
        version=fields["Version"],
        chain_id=int(fields["Chain ID"]),
        nonce=fields["Nonce"],
        issued_at=_timestamp(fields["Issued At"], "Issued At"),
        expiration_time=_optional_time(fields, "Expiration Time"),
        not_before=_optional_time(fields, "Not Before"),
        request_id=fields.get("Request ID"),
        resources=resources,
    )


def _optional_time(fields: dict[str, str], tag: str) -> datetime | None:
    return _timestamp(fields[tag], tag) if tag in fields else None


def origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_claims(
    message: SiweMessage,
    *,
    domains: list[str],
    origins: list[str],
    now: datetime,
    skew: timedelta,
) -> None:
    """Everything about the message that needs neither the nonce store nor the network."""
    if message.domain.lower() not in {domain.lower() for domain in domains}:
        raise SignInFailed("domain_mismatch", "This message was written for another website.")
    if origin_of(message.uri) not in {origin.lower() for origin in origins}:
        raise SignInFailed("uri_mismatch", "This message names a URI that is not ours.")
    if message.version != "1":
        raise SignInFailed("version_unsupported", "Only version 1 sign-in messages are accepted.")
    if message.chain_id not in SUPPORTED_CHAIN_IDS:
        raise SignInFailed("chain_unsupported", "Sign in on Base (8453) or Base Sepolia (84532).")
    if message.expiration_time is not None and message.expiration_time <= now:
        raise SignInFailed("expired", "This sign-in message has expired. Please sign a new one.")
    if message.not_before is not None and message.not_before > now + skew:
        raise SignInFailed("not_yet_valid", "This sign-in message is not valid yet.")
    if message.issued_at > now + skew:
        raise SignInFailed("not_yet_valid", "This sign-in message was issued in the future.")
