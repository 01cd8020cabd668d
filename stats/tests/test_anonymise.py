"""Addresses are cut before they are stored: IPv4 to /24, IPv6 to /48, mapped IPv4 as IPv4."""

import pytest

from stats.services import anonymise_address


@pytest.mark.parametrize(("address", "stored"), [
    ("203.0.113.77", "203.0.113.0"),
    ("10.1.2.255", "10.1.2.0"),
    ("2001:db8:abcd:1234:5678:9abc:def0:1", "2001:db8:abcd::"),
    ("2001:0DB8:0000:ffff::1", "2001:db8::"),
    ("::1", "::"),
    ("::ffff:198.51.100.23", "198.51.100.0"),
    ("::ffff:c633:6417", "198.51.100.0"),
    ("fe80::1%eth0", "fe80::"),  # the zone is dropped with the host bits
    ("not an address", ""),
    ("", ""),
])
def test_anonymise_address(address, stored):
    assert anonymise_address(address) == stored
