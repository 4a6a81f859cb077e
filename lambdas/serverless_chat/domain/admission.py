"""New connections per source address: how many one address holds at once, how fast it opens
them, and what an address is.

Clients behind one proxy or NAT (an office, a school, a mobile carrier) share an address, so
both caps are switchable: 0 turns a cap off. IPv6 clients get a /64 each (one subscriber's
whole prefix), so an address is an IPv4 address or an IPv6 /64.
"""

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from serverless_chat.domain.rate_limit import RateLimit

IPV6_PREFIX_LENGTH = 64


class Admission(StrEnum):
    """What ``$connect`` decided: API Gateway answers the handshake with the matching status."""

    ADMITTED = "admitted"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"  # 403
    ADDRESS_FULL = "too_many_connections_from_address"  # 429
    ADDRESS_TOO_FAST = "too_many_connects_from_address"  # 429
    # 401: the token expired within the authorizer's leeway for clock skew
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 (a code, no secret)


@dataclass(frozen=True)
class AddressCaps:
    """``held``: connections an address holds at once; ``per_minute``: ``$connect``s an address
    makes per minute (a bucket of that many, refilled at that rate). 0 turns a cap off."""

    held: int = 0
    per_minute: int = 0

    def __post_init__(self) -> None:
        if self.held < 0 or self.per_minute < 0:
            raise ValueError("a cap is a whole number, 0 for off")

    @property
    def enabled(self) -> bool:
        return self.held > 0 or self.per_minute > 0

    @property
    def connects(self) -> RateLimit | None:
        """The per-minute cap as a token bucket, or None when it is off."""
        if self.per_minute == 0:
            return None
        return RateLimit(per_second=self.per_minute / 60, burst=self.per_minute)


CAPS_OFF = AddressCaps()


def address_of(source_ip: str | None) -> str | None:
    """The address a connection counts against: an IPv4 address as it is, an IPv6 address as
    its /64 (``2001:db8:1:2::/64``), an IPv4-mapped IPv6 address as the IPv4 one. None when
    there is no address or it is not an IP (then no cap applies)."""
    if not source_ip:
        return None
    try:
        ip = ipaddress.ip_address(source_ip.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX_LENGTH), strict=False))
    return str(ip)
