"""Webhook URL policy (40-webhooks §4.3) and the duplicate-URL comparison key (§4.4).

Syntax problems are `400 validation_error` on field `url`; forbidden destinations are
`422 webhook_url_forbidden`. The range tables are matched explicitly: `ipaddress`'s
`is_global` / `is_private` disagree with the contract (multicast, 2002::/16, 3fff::/20 …).
The parser is hand-written rather than `urllib.parse` because the latter is lenient in ways
that matter for SSRF (backslashes, odd IPv4 spellings, stray brackets).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_INSECURE_ENV = "FORTYTWO_ALLOW_INSECURE_WEBHOOKS"
MAX_URL_LENGTH = 2000
MAX_HOST_LENGTH = 253
DEFAULT_PORTS = {"https": 443, "http": 80}

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"  # 0-255, no leading zeros
_DOTTED_QUAD_RE = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# A last label like these would be read as a number by lenient IPv4 parsers (`127.1`, `0x7f`).
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_PORT_RE = re.compile(r"[0-9]{1,5}")
# RFC 3986 unreserved + reserved characters, and `%` (checked for two hex digits separately).
_URI_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class UrlSyntaxError(ValueError):
    """The URL breaks the §4.3 syntax rules; `message` is the `details.fields[].message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class WebhookUrl:
    """A syntactically valid webhook URL, split into what delivery needs."""

    url: str  # exactly as submitted; used verbatim for delivery and in the API
    scheme: Literal["https", "http"]
    host: str  # lower-cased; an IPv6 literal without brackets
    host_kind: Literal["dns", "ipv4", "ipv6"]
    port: int  # explicit or the scheme's default
    explicit_port: bool
    target: str  # request target: path and query, "/" when the path is empty

    @property
    def ip(self) -> IPAddress | None:
        return None if self.host_kind == "dns" else ipaddress.ip_address(self.host)

    @property
    def host_header(self) -> str:
        """`Host` value: the host (bracketed if IPv6) plus the port when not the default."""
        host = f"[{self.host}]" if self.host_kind == "ipv6" else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def comparison_key(self) -> str:
        return comparison_key(self.url)


def parse_webhook_url(value: object, *, allow_insecure: bool = False) -> WebhookUrl:
    """Check the §4.3 syntax; raise `UrlSyntaxError` with a human message on the first problem.

    `allow_insecure` is the development setting (`--allow-insecure-webhooks`): `http` is accepted.
    """
    if not isinstance(value, str):
        raise UrlSyntaxError("must be a string")
    url = value
    _check_text(url)
    scheme, rest = _split_scheme(url, allow_insecure)
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    _check_characters(url, authority, tail)
    host, host_kind, port_text = _split_authority(authority)
    return WebhookUrl(
        url=url,
        scheme="https" if scheme == "https" else "http",
        host=host.lower(),
        host_kind=host_kind,
        port=_port(scheme, port_text),
        explicit_port=port_text is not None,
        target=tail if tail.startswith("/") else "/" + tail,
    )


def _check_text(url: str) -> None:
    """The rules on the string as a whole: present, bounded, ASCII, no whitespace or controls."""
    if not url:
        raise UrlSyntaxError("must be an absolute https URL")
    if len(url) > MAX_URL_LENGTH:
        raise UrlSyntaxError(f"must be at most {MAX_URL_LENGTH} characters")
    if not url.isascii():
        raise UrlSyntaxError(
            "must contain only ASCII characters: use the xn-- form for international domain names "
            "and percent-encode other characters"
        )
    if any(ch.isspace() for ch in url):
        raise UrlSyntaxError("must not contain whitespace")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UrlSyntaxError("must not contain control characters")


def _split_scheme(url: str, allow_insecure: bool) -> tuple[str, str]:
    """The lower-cased scheme and what follows `//`; also refuses a fragment."""
    match = _SCHEME_RE.match(url)
    if not match or not url[match.end() :].startswith("//"):
        raise UrlSyntaxError("must be an absolute https URL")
    scheme = match.group(1).lower()
    if scheme != "https" and not (allow_insecure and scheme == "http"):
        raise UrlSyntaxError("must use https" if not allow_insecure else "must use https or http")
    if "#" in url:
        raise UrlSyntaxError("must not contain a fragment (#…)")
    return scheme, url[match.end() + 2 :]


def _check_characters(url: str, authority: str, tail: str) -> None:
    if "@" in authority:
        raise UrlSyntaxError("must not contain userinfo (user:password@)")
    if bad := next((ch for ch in url if ch not in _URI_CHARS), None):
        raise UrlSyntaxError(f"must contain only valid URL characters: percent-encode {bad!r}")
    if _PCT_RE.search(url):
        raise UrlSyntaxError("has a '%' that is not followed by two hexadecimal digits")
    if "[" in tail or "]" in tail:
        # Brackets are valid URI characters only around an IPv6 host.
        raise UrlSyntaxError("must percent-encode '[' and ']' outside an IPv6 host")


def _port(scheme: str, port_text: str | None) -> int:
    if port_text is None:
        return DEFAULT_PORTS[scheme]
    if not _PORT_RE.fullmatch(port_text) or not 1 <= int(port_text) <= 65535:
        raise UrlSyntaxError("port must be a number from 1 to 65535")
    return int(port_text)


def _split_authority(authority: str) -> tuple[str, Literal["dns", "ipv4", "ipv6"], str | None]:
    if not authority:
        raise UrlSyntaxError("must have a host")
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise UrlSyntaxError("has an unterminated IPv6 address (missing ']')")
        literal, after = authority[1:end], authority[end + 1 :]
        if "%" in literal:
            raise UrlSyntaxError("IPv6 address must not have a zone identifier")
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise UrlSyntaxError("host is not a valid IPv6 address") from None
        if after and not after.startswith(":"):
            raise UrlSyntaxError("host must be followed by ':port', '/', '?' or nothing")
        return literal, "ipv6", (after[1:] if after else None)
    if "[" in authority or "]" in authority:
        raise UrlSyntaxError(
            "host must be a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address"
        )
    host, sep, port_text = authority.partition(":")
    if not host:
        raise UrlSyntaxError("must have a host")
    if _DOTTED_QUAD_RE.fullmatch(host):
        return host, "ipv4", (port_text if sep else None)
    _check_dns_name(host)
    return host, "dns", (port_text if sep else None)


def _check_dns_name(host: str) -> None:
    if host.endswith("."):
        raise UrlSyntaxError("host must not end with a dot")
    if len(host) > MAX_HOST_LENGTH:
        raise UrlSyntaxError(f"host must be at most {MAX_HOST_LENGTH} characters")
    labels = host.split(".")
    for label in labels:
        if not _LABEL_RE.fullmatch(label):
            raise UrlSyntaxError(
                "host must be a DNS name of letters, digits and hyphens (labels of 1–63 characters, not "
                "starting or ending with a hyphen), a dotted-quad IPv4 address or a bracketed IPv6 address"
            )
    if _NUMERIC_LABEL_RE.fullmatch(labels[-1]):
        raise UrlSyntaxError(
            "host is neither a DNS name nor a dotted-quad IPv4 address (four decimal octets 0–255 "
            "without leading zeros)"
        )


def url_syntax_error(value: object, *, allow_insecure: bool = False) -> str | None:
    """The validation message for `value`, or None when its syntax is valid."""
    try:
        parse_webhook_url(value, allow_insecure=allow_insecure)
    except UrlSyntaxError as exc:
        return exc.message
    return None


def comparison_key(url: str) -> str:
    """Duplicate-URL key (§4.4): scheme and host lower-cased, everything else byte for byte.

    The port stays as written (`:443` differs from no port); only digits follow the host,
    so lower-casing the whole authority touches exactly the scheme and host.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return f"{scheme.lower()}://{rest[:cut].lower()}{rest[cut:]}"


# --- Destination policy -------------------------------------------------------------------------

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

FORBIDDEN_IPV4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "this network"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared address space (CGNAT)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "IETF protocol assignments"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved"),
)

IPV4_MAPPED = _V6("::ffff:0:0/96")
NAT64_WELL_KNOWN = _V6("64:ff9b::/96")
GLOBAL_UNICAST = _V6("2000::/3")

FORBIDDEN_IPV6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/96"), "IPv4-compatible"),
    (_V6("64:ff9b:1::/48"), "local-use NAT64"),
    (_V6("100::/64"), "discard-only"),
    (_V6("2001::/23"), "IETF protocol assignments"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("2002::/16"), "6to4"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("fc00::/7"), "unique local"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("ff00::/8"), "multicast"),
)

_LOOPBACK_V4 = _V4("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.IPv6Address("::1")


def to_ip(address: str | IPAddress) -> IPAddress:
    """Parse an address as a resolver returns it (an IPv6 zone suffix `%eth0` is dropped)."""
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    return ipaddress.ip_address(address.split("%", 1)[0])


def forbidden_reason(address: str | IPAddress) -> str | None:
    """The §4.3 range an address falls in (e.g. "loopback"), or None if it is allowed.

    IPv4-mapped (`::ffff:0:0/96`) and NAT64 (`64:ff9b::/96`) addresses are judged by the
    embedded IPv4 address, exactly as the contract says.
    """
    ip = to_ip(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return next((why for net, why in FORBIDDEN_IPV4 if ip in net), None)
    if ip in IPV4_MAPPED or ip in NAT64_WELL_KNOWN:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return next((why for net, why in FORBIDDEN_IPV4 if embedded in net), None)
    if why := next((why for net, why in FORBIDDEN_IPV6 if ip in net), None):
        return why
    return None if ip in GLOBAL_UNICAST else "reserved"


def _is_loopback(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv4Address):
        return ip in _LOOPBACK_V4
    if ip in IPV4_MAPPED:  # the kernel delivers ::ffff:127.x to the IPv4 loopback
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) in _LOOPBACK_V4
    return ip == _LOOPBACK_V6


def is_forbidden_address(address: str | IPAddress, *, allow_insecure: bool = False) -> bool:
    """Whether a connection to `address` is refused. `allow_insecure` admits loopback only;
    every other forbidden range stays forbidden (§4.3, development setting)."""
    ip = to_ip(address)
    if forbidden_reason(ip) is None:
        return False
    return not (allow_insecure and _is_loopback(ip))


def first_forbidden(addresses: Iterable[str | IPAddress], *, allow_insecure: bool = False) -> str | None:
    """The first forbidden address among a resolver's answers (one rejects them all), or None."""
    for address in addresses:
        if is_forbidden_address(address, allow_insecure=allow_insecure):
            return str(to_ip(address))
    return None


def forbidden_host_message(host: str) -> str:
    """The `422 webhook_url_forbidden` message; it names the host as submitted."""
    return f"The webhook host {host} is not a public address"


def allow_insecure_from_env(environ: Mapping[str, str]) -> bool:
    """The development setting from `FORTYTWO_ALLOW_INSECURE_WEBHOOKS` (`true`/`false`, off when
    unset or blank). Anything else raises, so a typo fails at cold start instead of silently
    leaving the setting off or on."""
    raw = environ.get(ALLOW_INSECURE_ENV, "").strip().lower()
    if raw in ("", "false"):
        return False
    if raw == "true":
        return True
    raise ValueError(f"{ALLOW_INSECURE_ENV} must be 'true' or 'false'")
