"""Where a webhook may be sent: never to the platform's own network (SSRF).

A URL is checked when an endpoint is registered and again before every delivery, and the
delivery connects to the very address that was checked (so a name that resolves to a
public address at the check and to ``127.0.0.1`` a moment later — DNS rebinding — gets
nowhere). Outside development and test an endpoint must be HTTPS; loopback, private,
link-local (cloud metadata included), multicast and reserved addresses are refused
everywhere unless ``webhook_allow_loopback`` lets loopback receivers through (tests, a
local demo), which may then also be plain http.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from exchange.webhooks.exceptions import EndpointAddressRefused
from infra.settings import Environment, Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
MAX_URL_LENGTH = 2000
RESOLVE_TIMEOUT_SECONDS = 5.0


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (the operating system's resolver)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    require_https: bool
    allow_loopback: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(
            require_https=settings.env is Environment.PRODUCTION,
            allow_loopback=settings.webhook_allow_loopback,
        )


@dataclass(frozen=True, slots=True)
class CheckedTarget:
    """A URL and the one address a delivery connects to."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name (Host and SNI keep the name)."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refused_address(address: IPAddress, policy: AddressPolicy) -> str | None:
    """Why a delivery must not go to ``address`` (None: it may)."""
    address = _unmapped(address)
    if address.is_loopback:
        return None if policy.allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_private or address.is_reserved or address.is_unspecified:
        return "a private or reserved address"
    if address.is_multicast or not address.is_global:
        return "an address that is not public"
    return None


def split_url(url: str, policy: AddressPolicy, *, field: str) -> SplitResult:
    """The URL's parts, or a refusal naming ``field`` (shape only: no lookup)."""
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH or not text.isprintable() or " " in text:
        raise EndpointAddressRefused("give an absolute URL", field=field, code="INVALID_LINK")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError:
        raise EndpointAddressRefused("not a valid URL", field=field, code="INVALID_LINK") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EndpointAddressRefused("give an https:// URL", field=field, code="INVALID_LINK")
    if parts.username is not None or parts.password is not None:
        raise EndpointAddressRefused("a URL with credentials in it", field=field)
    if parts.fragment:
        raise EndpointAddressRefused("a URL with a fragment", field=field, code="INVALID_LINK")
    return parts


async def check_target(
    url: str, policy: AddressPolicy, resolver: Resolver, *, field: str = "input.url"
) -> CheckedTarget:
    """Resolve ``url`` and check every address it names; the first one is the target."""
    parts = split_url(url, policy, field=field)
    if policy.require_https and parts.scheme != "https" and not policy.allow_loopback:
        raise EndpointAddressRefused("an endpoint must use https://", field=field)
    host = parts.hostname
    assert host is not None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                addresses = await resolver(host, port)
        except (OSError, TimeoutError):
            addresses = []
        if not addresses:
            raise EndpointAddressRefused(
                "the host name does not resolve", field=field, code="INVALID_LINK"
            ) from None
    for address in addresses:
        reason = refused_address(address, policy)
        if reason is not None:
            raise EndpointAddressRefused(f"the URL leads to {reason}", field=field)
    # plain http only where TLS is not asked for, or to an allowed loopback receiver
    loopback = all(_unmapped(a).is_loopback for a in addresses)
    if policy.require_https and parts.scheme != "https" and not loopback:
        raise EndpointAddressRefused("an endpoint must use https://", field=field)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return CheckedTarget(url.strip(), parts.scheme, host, port, path, addresses[0])
