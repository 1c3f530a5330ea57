"""URL syntax, destination ranges and the duplicate key (40-webhooks §4.3, §4.4)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.webhooks.url_policy import (
    allow_insecure_from_env,
    comparison_key,
    first_forbidden,
    forbidden_host_message,
    forbidden_reason,
    is_forbidden_address,
    parse_webhook_url,
    url_syntax_error,
)

# --- Syntax -------------------------------------------------------------------------------------

VALID = [
    "https://hooks.example.com/42min",
    "HTTPS://Hooks.Example.COM/42min",
    "https://hooks.example.com",
    "https://hooks.example.com?x=1",
    "https://hooks.example.com:8443/a/b?c=d&e=%2F",
    "https://hooks.example.com:1/",
    "https://hooks.example.com:65535/",
    "https://xn--bcher-kva.example/",
    "https://localhost/",
    "https://a-b.c-d.example/x",
    "https://8.8.8.8/hook",
    "https://0.0.0.0/",  # syntactically fine; the destination check refuses it
    "https://[2606:4700::1111]/hook",
    "https://[::ffff:8.8.8.8]:444/",
    "https://example.com/p;a=1/~user/!$&'()*+,=:@",
    "https://123.example.com/",
    "https://" + "a" * 63 + ".example/",
    "https://" + ".".join(["a" * 61] * 4) + "/",  # 247 characters
    "https://example.com/" + "a" * (2000 - len("https://example.com/")),
]

INVALID = [
    ("", "absolute"),
    ("hooks.example.com/42min", "absolute"),
    ("/relative", "absolute"),
    ("https:hooks.example.com", "absolute"),
    ("http://hooks.example.com/", "https"),
    ("ftp://hooks.example.com/", "https"),
    ("https://user:pass@hooks.example.com/", "userinfo"),
    ("https://user@hooks.example.com/", "userinfo"),
    ("https://hooks.example.com/#frag", "fragment"),
    ("https://hooks.example.com#", "fragment"),
    ("https:///path", "host"),
    ("https://:443/", "host"),
    ("https://hooks.example.com:0/", "port"),
    ("https://hooks.example.com:65536/", "port"),
    ("https://hooks.example.com:/", "port"),
    ("https://hooks.example.com:44a/", "port"),
    ("https://hooks.example.com:-1/", "port"),
    ("https://hooks .example.com/", "whitespace"),
    ("https://hooks.example.com/a b", "whitespace"),
    ("https://hooks.example.com/\t", "whitespace"),
    (" https://hooks.example.com/", "whitespace"),
    ("https://hooks.example.com/\x00", "control"),
    ("https://bücher.example/", "ASCII"),
    ("https://hooks.example.com/é", "ASCII"),
    ("https://example.com/" + "a" * (2001 - len("https://example.com/")), "2000"),
    ("https://127.1/", "dotted-quad"),
    ("https://2130706433/", "dotted-quad"),
    ("https://0x7f.1/", "dotted-quad"),
    ("https://0x7f000001/", "dotted-quad"),
    ("https://127.0.0.0x1/", "dotted-quad"),
    ("https://017.0.0.1/", "dotted-quad"),
    ("https://127.000.0.1/", "dotted-quad"),
    ("https://256.0.0.1/", "dotted-quad"),
    ("https://1.2.3.4.5/", "dotted-quad"),
    ("https://example.0x/", "dotted-quad"),
    ("https://hooks.example.com./", "dot"),
    ("https://-bad.example.com/", "DNS name"),
    ("https://bad-.example.com/", "DNS name"),
    ("https://under_score.example.com/", "DNS name"),
    ("https://a..b.example/", "DNS name"),
    ("https://" + "a" * 64 + ".example/", "DNS name"),
    ("https://" + ".".join(["a" * 63] * 4) + "/", "253"),
    ("https://[fe80::1%25eth0]/", "zone"),
    ("https://[::1/", "IPv6"),
    ("https://[not:an:ip]/", "IPv6"),
    ("https://[::1]x/", "port"),
    ("https://::1/", "host"),
    ("https://hooks.example.com/a|b", "valid URL characters"),
    ("https://hooks.example.com/a\\b", "valid URL characters"),
    ("https://hooks.example.com/<x>", "valid URL characters"),
    ("https://hooks.example.com/%zz", "'%'"),
    ("https://hooks.example.com/%4", "'%'"),
    ("https://hooks.example.com/a[1]", "'['"),
]


@pytest.mark.parametrize("url", VALID)
def test_valid_syntax(url: str) -> None:
    assert url_syntax_error(url) is None


@pytest.mark.parametrize(("url", "fragment"), INVALID)
def test_invalid_syntax(url: str, fragment: str) -> None:
    message = url_syntax_error(url)
    assert message is not None and fragment in message, message


@pytest.mark.parametrize("value", [None, 42, ["https://x.example"], {"url": "x"}])
def test_non_strings(value: object) -> None:
    assert url_syntax_error(value) == "must be a string"


def test_insecure_mode_accepts_http_only() -> None:
    assert url_syntax_error("http://localhost:8080/h", allow_insecure=True) is None
    assert url_syntax_error("HTTP://127.0.0.1:8080/h", allow_insecure=True) is None
    assert url_syntax_error("https://x.example/", allow_insecure=True) is None
    assert url_syntax_error("ftp://x.example/", allow_insecure=True) == "must use https or http"


def test_parsed_parts() -> None:
    url = parse_webhook_url("HTTPS://Hooks.Example.COM:8443?x=1")
    assert (url.scheme, url.host, url.host_kind, url.port, url.explicit_port) == (
        "https",
        "hooks.example.com",
        "dns",
        8443,
        True,
    )
    assert url.target == "/?x=1" and url.host_header == "hooks.example.com:8443" and url.ip is None
    v6 = parse_webhook_url("https://[2606:4700::1111]:443/a")
    assert v6.host == "2606:4700::1111" and v6.host_kind == "ipv6" and v6.host_header == "[2606:4700::1111]"
    assert v6.ip == ipaddress.ip_address("2606:4700::1111")
    v4 = parse_webhook_url("http://127.0.0.1/", allow_insecure=True)
    assert (v4.host_kind, v4.port, v4.target, v4.host_header) == ("ipv4", 80, "/", "127.0.0.1")


# --- Duplicate key ------------------------------------------------------------------------------


def test_comparison_key_lowercases_only_scheme_and_host() -> None:
    assert comparison_key("HTTPS://Hooks.Example.COM/42min") == "https://hooks.example.com/42min"
    assert comparison_key("https://h.example/A?B=C") == "https://h.example/A?B=C"
    assert parse_webhook_url("HTTPS://H.example/Path").comparison_key == "https://h.example/Path"
    distinct = [
        "https://h.example/x",
        "https://h.example:443/x",
        "https://h.example/X",
        "https://h.example/x/",
        "https://h.example/x?a=1&b=2",
        "https://h.example/x?b=2&a=1",
        "https://h.example/%7Ex",
        "https://h.example/~x",
        "https://h.example/%7ex",
    ]
    assert len({comparison_key(u) for u in distinct}) == len(distinct)


# --- Destinations -------------------------------------------------------------------------------

IPV4_RANGES = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
IPV6_RANGES = [
    "::/128",
    "::1/128",
    "::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "3fff::/20",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
]
PUBLIC_V4 = [
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.255",
    "192.88.98.255",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "11.0.0.0",
    "169.253.255.255",
    "192.169.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "1.0.0.0",
]
PUBLIC_V6 = [
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2001:200::1",
    "2003::1",
    "3ffe:ffff::1",
    "3fff:1000::",
    "2a00:1450::1",
    "2001:dc8::1",
]


def _edges(cidr: str) -> list[str]:
    net = ipaddress.ip_network(cidr)
    middle = net.network_address + net.num_addresses // 2
    return [str(net.network_address), str(middle), str(net.broadcast_address)]


@pytest.mark.parametrize("cidr", IPV4_RANGES)
def test_every_ipv4_range_is_forbidden_at_its_edges(cidr: str) -> None:
    for address in _edges(cidr):
        assert forbidden_reason(address) is not None, address
        assert is_forbidden_address(address), address
        # The same address embedded in an IPv4-mapped or NAT64 IPv6 address is judged the same.
        v4 = int(ipaddress.IPv4Address(address))
        assert is_forbidden_address(ipaddress.IPv6Address((0xFFFF << 32) | v4))
        assert is_forbidden_address(ipaddress.IPv6Address((0x64FF9B << 96) | v4))
        assert is_forbidden_address(f"::ffff:{address}")


@pytest.mark.parametrize("cidr", IPV6_RANGES)
def test_every_ipv6_range_is_forbidden_at_its_edges(cidr: str) -> None:
    for address in _edges(cidr):
        assert is_forbidden_address(address), address


@pytest.mark.parametrize("address", PUBLIC_V4)
def test_public_ipv4_is_allowed_also_when_embedded(address: str) -> None:
    assert forbidden_reason(address) is None
    assert not is_forbidden_address(address)
    assert not is_forbidden_address(f"::ffff:{address}")
    assert not is_forbidden_address(f"64:ff9b::{address}")


@pytest.mark.parametrize("address", PUBLIC_V6)
def test_public_ipv6_is_allowed(address: str) -> None:
    assert forbidden_reason(address) is None and not is_forbidden_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "::2",
        "::8.8.8.8",
        "1::",
        "100:0:0:1::",
        "1fff:ffff::1",
        "4000::1",
        "8000::",
        "e000::1",
        "fbff::1",
        "::ffff:0:8.8.8.8",
        "64:ff9b:1::8.8.8.8",
        "2001:1ff::1",
        "2002:808:808::1",
        "64:ff9b:2::1",
    ],
)
def test_outside_global_unicast_or_listed_is_forbidden(address: str) -> None:
    assert is_forbidden_address(address), address


def test_reasons_name_the_range() -> None:
    assert forbidden_reason("169.254.169.254") == "link-local"
    assert forbidden_reason("::ffff:10.0.0.7") == "private"
    assert forbidden_reason("64:ff9b::7f00:1") == "loopback"
    assert forbidden_reason("fd00::1") == "unique local"
    assert forbidden_reason("4000::1") == "reserved"
    assert forbidden_reason("fe80::1%eth0") == "link-local"  # resolver zone suffixes are tolerated


def test_python_is_global_disagrees_where_the_spec_says() -> None:
    # Guard against a refactor onto ipaddress.is_global: these differ from the contract.
    for address in ("224.0.0.1", "2002::1", "fec0::1", "3fff::1"):
        assert is_forbidden_address(address)


def test_insecure_mode_allows_loopback_only() -> None:
    for address in ("127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1"):
        assert is_forbidden_address(address)
        assert not is_forbidden_address(address, allow_insecure=True)
    for address in (
        "10.0.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::",
        "fd00::1",
        "64:ff9b::7f00:1",
    ):
        assert is_forbidden_address(address, allow_insecure=True), address


def test_first_forbidden_rejects_on_any_answer() -> None:
    assert first_forbidden(["8.8.8.8", "2606:4700::1111"]) is None
    assert first_forbidden(["8.8.8.8", "10.1.2.3", "1.1.1.1"]) == "10.1.2.3"
    assert first_forbidden(["127.0.0.1", "::1"], allow_insecure=True) is None
    assert first_forbidden(["127.0.0.1", "10.0.0.1"], allow_insecure=True) == "10.0.0.1"
    assert forbidden_host_message("10.0.0.7") == "The webhook host 10.0.0.7 is not a public address"


@given(st.ip_addresses(v=4))
def test_ipv4_table_matches_an_independent_membership_check(address: ipaddress.IPv4Address) -> None:
    expected = any(address in ipaddress.ip_network(cidr) for cidr in IPV4_RANGES)
    assert is_forbidden_address(address) is expected
    assert is_forbidden_address(ipaddress.IPv6Address((0xFFFF << 32) | int(address))) is expected


@given(st.ip_addresses(v=6))
def test_ipv6_table_matches_an_independent_membership_check(address: ipaddress.IPv6Address) -> None:
    mapped = address in ipaddress.ip_network("::ffff:0:0/96") or address in ipaddress.ip_network(
        "64:ff9b::/96"
    )
    if mapped:
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        expected = any(embedded in ipaddress.ip_network(cidr) for cidr in IPV4_RANGES)
    else:
        expected = address not in ipaddress.ip_network("2000::/3") or any(
            address in ipaddress.ip_network(cidr) for cidr in IPV6_RANGES
        )
    assert is_forbidden_address(address) is expected


def test_allow_insecure_from_env() -> None:
    assert allow_insecure_from_env({}) is False
    assert allow_insecure_from_env({"FORTYTWO_ALLOW_INSECURE_WEBHOOKS": "false"}) is False
    assert allow_insecure_from_env({"FORTYTWO_ALLOW_INSECURE_WEBHOOKS": " TRUE "}) is True
    with pytest.raises(ValueError, match="FORTYTWO_ALLOW_INSECURE_WEBHOOKS"):
        allow_insecure_from_env({"FORTYTWO_ALLOW_INSECURE_WEBHOOKS": "yes"})
